/**
 * @module bench/tick-shape-server — bench/callgrind-tick-shape's server: one build's listener (bench/lib/edge's
 * world, memory store) on node:http that, once `AFTER` requests are answered and 200 ms pass without one,
 * runs `COLLECTIONS` full collections (as an idle server meets V8's memory reducer), then prints `collected`.
 * Usage: node --expose-gc bench/tick-shape-server.mjs DIST COLLECTIONS AFTER (prints `listening on http://HOST:PORT`).
 */
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { edgeListener } from "./lib/edge.mjs";

const [dist, collections, after] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(resolve(dist, file)).href);
const listener = edgeListener(await load("index.js"), await load("node.js"));
const server = createServer(listener);
let answered = 0;
let collected = Number(collections) === 0;
let idle;
server.on("request", () => {
  if (collected || ++answered < Number(after)) return;
  clearTimeout(idle);
  idle = setTimeout(() => {
    collected = true;
    for (let i = 0; i < Number(collections); i++) globalThis.gc();
    console.log("collected");
  }, 200);
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => process.exit(0));
