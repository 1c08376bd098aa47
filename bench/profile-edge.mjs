/**
 * @module bench/profile-edge — W3's routes in process, without a socket: the memory store behind
 * `createRequestHandler` and `toResultListener` as `serve` builds them, fed node:http-shaped requests
 * and a response that only records what it is given; prints µs per request for each route. Run it
 * under `node --cpu-prof` / `--heap-prof`, or `valgrind --tool=callgrind` / `perf stat` for counts.
 * Usage (after `npm run build`): node bench/profile-edge.mjs [ROUTE,... default all] [REQUESTS, default 50000] [WARM-UP, default 2000]
 * With EDGE_ALLOCATIONS=DIR, each route's timed requests are also sampled for every allocation they make,
 * garbage included (`--heap-prof` keeps only what is still alive), into DIR/ROUTE.heapprofile.
 */
import * as sdk from "../dist/index.js";
import * as node from "../dist/node.js";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { edgeListener, edgeRoutes, request as requestOn } from "./lib/edge.mjs";

const routeNames = (process.argv[2] ?? "all").split(",");
const requests = Number(process.argv[3] ?? 50_000);
/** Requests before the timed ones (JIT warm-up); `valgrind` runs pass the same for two request counts and take the difference. */
const warmup = Number(process.argv[4] ?? 2_000);
const listener = edgeListener(sdk, node);
const request = (url, headers) => requestOn(listener, url, headers);
const routes = await edgeRoutes(listener);
for (const [name, r] of Object.entries(routes)) {
  if (!routeNames.includes("all") && !routeNames.includes(name)) continue;
  for (const p of r.paths) {
    const got = await request(p, r.headers);
    if (got.status !== r.status) throw new Error(`${name}: ${p} answered ${got.status}, expected ${r.status}`);
  }
  for (let i = 0; i < warmup; i++) await request(r.paths[i % r.paths.length], r.headers);
  const allocations = process.env.EDGE_ALLOCATIONS;
  const session = allocations ? new Session() : null;
  if (session) {
    session.connect();
    await session.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  }
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < requests; i++) await request(r.paths[i % r.paths.length], r.headers);
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / requests;
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    writeFileSync(`${allocations}/${name}.heapprofile`, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(`${name}: ${us.toFixed(2)} µs/request, ${((cpu.user + cpu.system) / requests).toFixed(2)} µs CPU/request (${requests} requests)`);
}
