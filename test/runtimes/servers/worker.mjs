// workerd: a module Worker whose fetch is the handler (bundled as wrangler would, run by miniflare).
import * as RE from "release-engines";
import { makeHandler } from "./app.mjs";

let handler;
export default {
  async fetch(request) {
    handler ??= await makeHandler(RE);
    return handler(request);
  },
};
