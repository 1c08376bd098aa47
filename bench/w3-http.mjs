/**
 * @module bench/w3-http — W3: `release-engines serve` (memory store; the Tauri check also on
 * PostgreSQL) under wrk on loopback, each route as a ratio to a bare node:http server answering the
 * same status and a constant body of the same size, measured alternately in the same run; and two
 * peers beside them: hazel (npm `hazel-server`, its GitHub API stubbed on loopback) answering its
 * update check against our Tauri check, and Debian's nginx serving the same pre-rendered gzip page.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresStore, importDataset } from "../dist/postgres.js";
import { median } from "./lib/stats.mjs";
import { CLI, rawGet, startServer } from "./lib/serve.mjs";
import { buildWorld, tauriVersion, WORLD, writeDatasetFile } from "./lib/world.mjs";
import { wrk } from "./lib/wrk.mjs";
import { startNginx } from "./lib/nginx.mjs";

const BASELINE = fileURLToPath(new URL("./baseline-server.mjs", import.meta.url));
const HAZEL = fileURLToPath(new URL("./hazel-server.mjs", import.meta.url));
const A = `/v1/accounts/${WORLD.slug}`;
const LICENSE = { authorization: `License ${WORLD.appKey}` };
const BASIC = { authorization: `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}` };
const PYPI_JSON = "application/vnd.pypi.simple.v1+json";
/** Targets of the issue: route throughput as a share of the bare server's. */
const TARGETS = { tauri200: 0.6, tauri204: 0.8, raw303: 0.8, pypi304: 0.8, pypiPage: 0.2, pypiPageGzip: 0.8, tauri200Postgres: 0.6 };
/** Targets against the peers: our req/s as a multiple of theirs. */
const PEER_TARGETS = { hazel: 1.5, nginx: 0.5 };

/** Probe a route once and keep what the baseline must answer like. */
async function probe(origin, path, headers, expected) {
  const res = await rawGet(`${origin}${path}`, headers);
  if (res.status !== expected) throw new Error(`W3: ${path} answered ${res.status}, expected ${expected}`);
  const keep = {};
  for (const h of ["content-type", "location", "content-encoding"]) if (res.headers[h] !== undefined) keep[h] = res.headers[h];
  return { status: res.status, headers: keep, bodyBase64: res.body.toString("base64"), bytes: res.body.byteLength, etag: res.headers.etag };
}

/**
 * Run W3: `tauri` releases, a PyPI project of `pypiFiles` files; each route `reps` times for
 * `seconds`, alternating with its baseline. `pg` (or null) adds the Tauri check on PostgreSQL.
 */
export async function runW3({ tauri, pypiFiles, seconds, reps, connections, tmp, pg, log }) {
  const ds = buildWorld({ tauri, pypiFiles, raw: 20 });
  const file = join(tmp, "w3-dataset.json");
  await writeDatasetFile(file, ds);
  const servers = [];
  try {
    const mem = await startServer(CLI, ["serve", "--data", file, "--port", "0", "--log-format", "none"]);
    servers.push(mem);
    let pgServer = null;
    if (pg) {
      const url = await pg.createDatabase("bench_w3");
      const store = createPostgresStore({ connectionString: url });
      await importDataset(store, ds);
      await store.close();
      pgServer = await startServer(CLI, ["serve", "--database-url", url, "--port", "0", "--log-format", "none"]);
      servers.push(pgServer);
    }

    // Tauri paths: current versions with an update (200) and up to date (204), found by asking.
    const tauriPath = (version) => `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(version)}`;
    const with200 = [];
    for (let i = 0; i < tauri && with200.length < 32; i += 5) {
      const path = tauriPath(tauriVersion(i).version);
      if ((await rawGet(`${mem.url}${path}`, LICENSE)).status === 200) with200.push(path);
    }
    let newestStable = null;
    for (let i = tauri - 1; i >= 0 && newestStable === null; i--) {
      const path = tauriPath(tauriVersion(i).version);
      const res = await rawGet(`${mem.url}${path}`, LICENSE);
      if (tauriVersion(i).channel === "stable" && res.status === 204 && res.headers["release-engines-reason"] === "up-to-date") newestStable = path;
    }
    if (with200.length === 0 || newestStable === null) throw new Error("W3: no Tauri path answers 200, or none is up to date");
    const pypiPath = `${A}/engines/pypi/simple/${WORLD.pypiKey}/`;
    const page = await probe(mem.url, pypiPath, { ...BASIC, accept: PYPI_JSON }, 200);
    const routes = {
      tauri200: { origin: mem.url, paths: with200, headers: LICENSE, status: 200 },
      tauri204: { origin: mem.url, paths: [newestStable], headers: LICENSE, status: 204 },
      raw303: { origin: mem.url, paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
      pypi304: { origin: mem.url, paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "if-none-match": page.etag }, status: 304 },
      pypiPage: { origin: mem.url, paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON }, status: 200 },
      pypiPageGzip: { origin: mem.url, paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "accept-encoding": "gzip" }, status: 200 },
    };
    if (pgServer) routes.tauri200Postgres = { origin: pgServer.url, paths: with200, headers: LICENSE, status: 200, baselineOf: "tauri200" };

    const spec = {};
    for (const [name, r] of Object.entries(routes)) {
      const probed = await probe(r.origin, r.paths[0], r.headers, r.status);
      if (r.baselineOf === undefined) spec[name] = probed;
      r.bytes = probed.bytes;
      if (name === "pypiPageGzip" && probed.headers["content-encoding"] !== "gzip") throw new Error("W3: the gzip variant was not gzipped");
    }
    const specFile = join(tmp, "w3-baseline.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const base = await startServer(BASELINE, [specFile]);
    servers.push(base);

    // Peers: hazel's update check (a version older than its one release → 200) beside our Tauri 200;
    // nginx serving the page's bytes, pre-gzipped, beside our gzip page.
    const hazel = await startServer(HAZEL, ["2.0.0"]);
    servers.push(hazel);
    const hazelPath = "/update/appimage/1.0.0";
    if ((await rawGet(`${hazel.url}${hazelPath}`)).status !== 200) throw new Error("W3: hazel's update check did not answer 200");
    routes.tauri200.peer = { name: "hazel", server: hazel, paths: [hazelPath], headers: {} };
    const nginx = await startNginx({
      name: "pypiPageGzip", contentType: PYPI_JSON,
      body: Buffer.from(spec.pypiPage.bodyBase64, "base64"), gzipped: Buffer.from(spec.pypiPageGzip.bodyBase64, "base64"),
    });
    if (nginx.unavailable) log(`W3 nginx peer skipped: ${nginx.unavailable}`);
    else {
      servers.push(nginx);
      const probed = await rawGet(`${nginx.url}/pypiPageGzip`, { "accept-encoding": "gzip" });
      if (probed.status !== 200 || probed.headers["content-encoding"] !== "gzip" || probed.body.byteLength !== spec.pypiPageGzip.bytes) throw new Error("W3: nginx did not serve the same gzip page");
      routes.pypiPageGzip.peer = { name: "nginx", server: nginx, paths: ["/pypiPageGzip"], headers: { "accept-encoding": "gzip" } };
    }

    const script = join(tmp, "w3.lua");
    const opts = { seconds, connections, script };
    const results = {};
    for (const [name, r] of Object.entries(routes)) {
      const baseName = r.baselineOf ?? name;
      const served = [];
      const floor = [];
      const peer = [];
      let bad = 0;
      for (let k = 0; k < reps; k++) {
        const a = await wrk(r.origin, r.paths, r.headers, opts, (r.origin === mem.url ? mem : pgServer).child.pid);
        const b = await wrk(base.url, [`/${baseName}`], {}, opts, base.child.pid);
        served.push(a);
        floor.push(b);
        bad += a.bad + b.bad;
        if (r.peer) {
          const c = await wrk(r.peer.server.url, r.peer.paths, r.peer.headers, opts, r.peer.server.child.pid);
          peer.push(c);
          bad += c.bad;
        }
      }
      if (bad > 0) throw new Error(`W3 ${name}: ${bad} answers were errors or timeouts`);
      const rps = median(served.map((x) => x.rps));
      const baseRps = median(floor.map((x) => x.rps));
      results[name] = {
        status: r.status, bytes: r.bytes, rps, baselineRps: baseRps, ratio: rps / baseRps, target: TARGETS[name],
        p50us: median(served.map((x) => x.p50us)), baselineP50us: median(floor.map((x) => x.p50us)),
        cpuUsPerRequest: median(served.map((x) => x.cpuUsPerRequest)), baselineCpuUsPerRequest: median(floor.map((x) => x.cpuUsPerRequest)),
      };
      log(`W3 ${name}: ${rps.toFixed(0)} req/s vs bare ${baseRps.toFixed(0)} req/s = ${(rps / baseRps).toFixed(2)}× (target ≥ ${TARGETS[name]}×)`);
      if (r.peer) {
        const peerRps = median(peer.map((x) => x.rps));
        results[name].peer = {
          name: r.peer.name, rps: peerRps, ratio: rps / peerRps, target: PEER_TARGETS[r.peer.name],
          p50us: median(peer.map((x) => x.p50us)), cpuUsPerRequest: median(peer.map((x) => x.cpuUsPerRequest)),
        };
        log(`W3 ${name}: ${rps.toFixed(0)} req/s vs ${r.peer.name} ${peerRps.toFixed(0)} req/s = ${(rps / peerRps).toFixed(2)}× (target ≥ ${PEER_TARGETS[r.peer.name]}×)`);
      }
    }
    return { tauri, pypiFiles, seconds, reps, connections, threads: 1, routes: results };
  } finally {
    for (const s of servers) await s.stop();
  }
}
