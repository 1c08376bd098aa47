/**
 * @module bench/profile-edge — W3's routes in process, without a socket: the memory store behind
 * `createRequestHandler` and `toResultListener` as `serve` builds them, fed node:http-shaped requests
 * and a response that only records what it is given; prints µs per request for each route. Run it
 * under `node --cpu-prof` / `--heap-prof`, or `valgrind --tool=callgrind` / `perf stat` for counts.
 * Usage (after `npm run build`): node bench/profile-edge.mjs [ROUTE,... default all] [REQUESTS, default 50000] [WARM-UP, default 2000]
 * With EDGE_ALLOCATIONS=DIR, each route's timed requests are also sampled for every allocation they make,
 * garbage included (`--heap-prof` keeps only what is still alive), into DIR/ROUTE.heapprofile.
 */
import { createMemoryStore, createRequestHandler } from "../dist/index.js";
import { toResultListener } from "../dist/node.js";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { buildWorld, tauriVersion, WORLD } from "./lib/world.mjs";

const routeNames = (process.argv[2] ?? "all").split(",");
const requests = Number(process.argv[3] ?? 50_000);
/** Requests before the timed ones (JIT warm-up); `valgrind` runs pass the same for two request counts and take the difference. */
const warmup = Number(process.argv[4] ?? 2_000);
const store = createMemoryStore(buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 }));
const handle = createRequestHandler({ store, onError: (e) => console.error(e) }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true });
const listener = toResultListener(handle);

const A = `/v1/accounts/${WORLD.slug}`;
const LICENSE = ["Authorization", `License ${WORLD.appKey}`];
const BASIC = ["Authorization", `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}`];
const PYPI_JSON = ["Accept", "application/vnd.pypi.simple.v1+json"];
const tauriPath = (i) => `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(i).version)}`;
const pypiPath = `${A}/engines/pypi/simple/${WORLD.pypiKey}/`;

/** One request through the listener: resolves with its status, headers and body. */
function request(url, headers) {
  return new Promise((resolve) => {
    const res = {
      statusCode: 200, headersSent: false, headers: null,
      writeHead(status, a, b) { this.statusCode = status; this.headers = typeof a === "string" ? b : a; this.headersSent = true; return this; },
      end(body) { resolve({ status: this.statusCode, headers: this.headers, body }); },
      on() { return this; }, once() { return this; }, write() { return true; }, destroy() {},
    };
    listener({ method: "GET", url, rawHeaders: ["Host", "127.0.0.1:8080", "User-Agent", "wrk", ...headers] }, res);
  });
}

const first = await request(pypiPath, [...BASIC, ...PYPI_JSON]);
const with200 = [];
let upToDate = null;
for (let i = 0; i < 1_000; i += 5) {
  const status = (await request(tauriPath(i), LICENSE)).status;
  if (status === 200 && with200.length < 32) with200.push(tauriPath(i));
  if (status === 204 && tauriVersion(i).channel === "stable") upToDate = tauriPath(i);
}
const routes = {
  tauri200: { paths: with200, headers: LICENSE, status: 200 },
  tauri204: { paths: [upToDate], headers: LICENSE, status: 204 },
  raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
  pypi304: { paths: [pypiPath], headers: [...BASIC, ...PYPI_JSON, "If-None-Match", first.headers.ETag ?? first.headers.etag], status: 304 },
  pypiPageGzip: { paths: [pypiPath], headers: [...BASIC, ...PYPI_JSON, "Accept-Encoding", "gzip"], status: 200 },
};
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
