// Bun: `bun bun.mjs` — the fetch handler passed to Bun.serve as it is.
import * as RE from "release-engines";
import { makeHandler } from "./app.mjs";

const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: await makeHandler(RE) });
console.log(`listening on http://127.0.0.1:${server.port}`);
