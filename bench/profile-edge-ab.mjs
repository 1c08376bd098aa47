/**
 * @module bench/profile-edge-ab — two builds of the SDK in one process (a copy of `dist/` from before
 * a change, and `dist/` now), each behind `toResultListener` as bench/profile-edge does, answering the
 * same requests in alternating batches; prints the median CPU µs per request of each and their ratio,
 * so that a change is measured against its own baseline under the same load (the machine is shared).
 * Usage: node bench/profile-edge-ab.mjs BEFORE_DIST_DIR [ROUTE,... default all] [ROUNDS, default 15]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { edgeListener, edgeRoutes, pypi304Headers, request } from "./lib/edge.mjs";

const [beforeDir, routeArg = "all", roundsText = "15"] = process.argv.slice(2);
const rounds = Number(roundsText);
const BATCH = 2_000;

async function build(dir) {
  return edgeListener(await import(pathToFileURL(resolve(dir, "index.js")).href), await import(pathToFileURL(resolve(dir, "node.js")).href));
}

const builds = { before: await build(beforeDir), after: await build(new URL("../dist/", import.meta.url).pathname) };
const routes = await edgeRoutes(builds.after);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, r] of Object.entries(routes)) {
  if (routeArg !== "all" && !routeArg.split(",").includes(name)) continue;
  const cpu = { before: [], after: [] };
  for (const [which, listener] of Object.entries(builds)) {
    // Each build's own ETag for the 304 (the two may hash differently).
    const headers = name === "pypi304" ? await pypi304Headers(listener) : r.headers;
    r[which] = headers;
    for (const p of r.paths) {
      const got = await request(listener, p, headers);
      if (got.status !== r.status) throw new Error(`${which} ${name}: ${p} answered ${got.status}, expected ${r.status}`);
    }
    for (let i = 0; i < 3 * BATCH; i++) await request(listener, r.paths[i % r.paths.length], headers);
  }
  for (let k = 0; k < rounds; k++) {
    for (const which of k % 2 === 0 ? ["before", "after"] : ["after", "before"]) {
      const listener = builds[which];
      const t0 = process.cpuUsage();
      for (let i = 0; i < BATCH; i++) await request(listener, r.paths[i % r.paths.length], r[which]);
      const t = process.cpuUsage(t0);
      cpu[which].push((t.user + t.system) / BATCH);
    }
  }
  const b = median(cpu.before);
  const a = median(cpu.after);
  console.log(`${name}: before ${b.toFixed(2)} µs CPU/request, after ${a.toFixed(2)} µs (after/before ${(a / b).toFixed(2)}×, ${rounds} alternating batches of ${BATCH})`);
}
