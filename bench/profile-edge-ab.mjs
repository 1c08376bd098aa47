/**
 * @module bench/profile-edge-ab — two builds of the SDK in one process (a copy of `dist/` from before
 * a change, and `dist/` now), each behind `toResultListener` as bench/profile-edge does, answering the
 * same requests in alternating batches; prints the median CPU µs per request of each and their ratio,
 * so that a change is measured against its own baseline under the same load (the machine is shared).
 * Usage: node bench/profile-edge-ab.mjs BEFORE_DIST_DIR [ROUTE,... default all] [ROUNDS, default 15]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildWorld, tauriVersion, WORLD } from "./lib/world.mjs";

const [beforeDir, routeArg = "all", roundsText = "15"] = process.argv.slice(2);
const rounds = Number(roundsText);
const BATCH = 2_000;

async function build(dir) {
  const sdk = await import(pathToFileURL(resolve(dir, "index.js")).href);
  const node = await import(pathToFileURL(resolve(dir, "node.js")).href);
  const store = sdk.createMemoryStore(buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 }));
  const handle = sdk.createRequestHandler({ store, onError: (e) => console.error(e) }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true });
  return node.toResultListener(handle);
}

function request(listener, url, headers) {
  return new Promise((done) => {
    const res = {
      statusCode: 200, headersSent: false, headers: null,
      writeHead(status, a, b) { this.statusCode = status; this.headers = typeof a === "string" ? b : a; this.headersSent = true; return this; },
      end(body) { done({ status: this.statusCode, headers: this.headers, body }); },
      on() { return this; }, once() { return this; }, write() { return true; }, destroy() {},
    };
    listener({ method: "GET", url, rawHeaders: ["Host", "127.0.0.1:8080", "User-Agent", "wrk", ...headers] }, res);
  });
}

const A = `/v1/accounts/${WORLD.slug}`;
const LICENSE = ["Authorization", `License ${WORLD.appKey}`];
const BASIC = ["Authorization", `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}`];
const PYPI_JSON = ["Accept", "application/vnd.pypi.simple.v1+json"];
const tauriPath = (i) => `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(i).version)}`;
const pypiPath = `${A}/engines/pypi/simple/${WORLD.pypiKey}/`;

const builds = { before: await build(beforeDir), after: await build(new URL("../dist/", import.meta.url).pathname) };
const probe = builds.after;
const with200 = [];
let upToDate = null;
for (let i = 0; i < 1_000; i += 5) {
  const status = (await request(probe, tauriPath(i), LICENSE)).status;
  if (status === 200 && with200.length < 32) with200.push(tauriPath(i));
  if (status === 204 && tauriVersion(i).channel === "stable") upToDate = tauriPath(i);
}
const routes = {
  tauri200: { paths: with200, headers: LICENSE, status: 200 },
  tauri204: { paths: [upToDate], headers: LICENSE, status: 204 },
  raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
  pypi304: { paths: [pypiPath], status: 304 },
  pypiPageGzip: { paths: [pypiPath], headers: [...BASIC, ...PYPI_JSON, "Accept-Encoding", "gzip"], status: 200 },
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, r] of Object.entries(routes)) {
  if (routeArg !== "all" && !routeArg.split(",").includes(name)) continue;
  const cpu = { before: [], after: [] };
  for (const [which, listener] of Object.entries(builds)) {
    // Each build's own ETag for the 304 (the two may hash differently).
    const headers = r.headers ?? [...BASIC, ...PYPI_JSON, "If-None-Match", (await request(listener, pypiPath, [...BASIC, ...PYPI_JSON])).headers.ETag];
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
