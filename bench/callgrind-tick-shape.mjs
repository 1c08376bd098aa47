/**
 * @module bench/callgrind-tick-shape — what full collections in an idle moment do to the HTTP edge, in
 * instructions per Tauri 204 under callgrind: the edge of this build and of a build from before (CG_BEFORE)
 * each warmed up, then left idle for a few full collections, warmed up again and counted; and this build
 * with no collection, warmed up as long, the baseline. Node keeps no `process.nextTick` entry alive between requests, so such
 * collections free the shapes V8 built the entries with, and every later entry's property definitions turn
 * generic for good unless one entry is held (src/node/tick-shape).
 * With CG_KEEP=DIR the callgrind dumps are copied there (for `callgrind_annotate`).
 * Usage (after `npm run build`): [CG_BEFORE=DIR] [CG_KEEP=DIR] node bench/callgrind-tick-shape.mjs [COLLECTIONS, default 4] [REQUESTS COUNTED, default 1000] [WARM-UP, default 40000]
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { countedWindow, requestsOn, startUnderCallgrind } from "./lib/callgrind.mjs";
import { edgeListener, edgeRoutes } from "./lib/edge.mjs";

const run = promisify(execFile);
const SERVER = fileURLToPath(new URL("./tick-shape-server.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../dist", import.meta.url));
const [collections = "4", countedText = "1000", warmText = "40000"] = process.argv.slice(2);
const counted = Number(countedText);
const warmup = Number(warmText);
const tmp = mkdtempSync(join(tmpdir(), "re-tick-shape-"));
process.env.CG_NODE_ARGS = `${process.env.CG_NODE_ARGS ?? ""} --expose-gc`;

/** The 204 route of bench/lib/edge, with its raw header list as an object for node:http. */
const load = (file) => import(join(DIST, file));
const route = (await edgeRoutes(edgeListener(await load("index.js"), await load("node.js")))).tauri204;
const headers = {};
for (let i = 0; i < route.headers.length; i += 2) headers[route.headers[i]] = route.headers[i + 1];

/** Instructions per request of one server: warm-up, idle collections, warm-up again, then two counted windows (the second reported). */
async function count(name, dist, n) {
  const server = await startUnderCallgrind(tmp, name, SERVER, [dist, String(n), String(warmup)]);
  try {
    await requestsOn(server.url, route.paths, headers, warmup);
    if (n > 0) {
      let out = "";
      await new Promise((resolve) => server.child.stdout.on("data", (d) => (out += d).includes("collected") && resolve()));
    }
    // As many requests again (after the collections, or none), so that every server is counted after the same warm-up.
    await requestsOn(server.url, route.paths, headers, warmup);
    await run("callgrind_control", ["-i", "on", String(server.child.pid)]);
    const first = await countedWindow(tmp, server, route.paths, headers, counted);
    const second = await countedWindow(tmp, server, route.paths, headers, counted);
    return `${(second / 1e3).toFixed(1)}k (first window ${(first / 1e3).toFixed(1)}k)`;
  } finally {
    await server.stop();
  }
}

try {
  console.log(`this build, no collection: ${await count("none", DIST, 0)} instructions per Tauri 204`);
  console.log(`this build, ${collections} idle collections: ${await count("now", DIST, Number(collections))}`);
  if (process.env.CG_BEFORE) console.log(`before (${process.env.CG_BEFORE}), ${collections} idle collections: ${await count("before", process.env.CG_BEFORE, Number(collections))}`);
} finally {
  if (process.env.CG_KEEP) for (const f of readdirSync(tmp)) if (f.includes(".callgrind")) cpSync(join(tmp, f), join(process.env.CG_KEEP, f));
  rmSync(tmp, { recursive: true, force: true });
}
