// workerd with the handler compressing PyPI pages itself (pypi.compress): its gzip must go out as it is, once.
import * as RE from "release-engines";
import { makeHandler } from "./app.mjs";

let handler;
export default {
  async fetch(request) {
    handler ??= await makeHandler(RE, { pypi: { compress: true } });
    return handler(request);
  },
};
