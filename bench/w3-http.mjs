/**
 * @module bench/w3-http — W3: `release-engines serve` on each store (memory, SQLite, PostgreSQL)
 * under wrk on loopback, each route as a ratio to a bare node:http server answering the same status
 * and a constant body of the same size, measured alternately in the same run (PostgreSQL both in
 * `--cache check`, the default, and `--cache listen`: rows suffixed PostgresListen); on PostgreSQL also
 * against a floor that makes the one statement a warm request makes (bench/pg-floor-server.mjs);
 * and two peers beside them: hazel (npm `hazel-server`, its GitHub API stubbed on loopback)
 * answering its update check against our Tauri check, and Debian's nginx serving the same
 * pre-rendered gzip page.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresStore, importDataset } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { median } from "./lib/stats.mjs";
import { CLI, headersNodeLeaves, rawGet, startServer } from "./lib/serve.mjs";
import { ACCOUNT_PATH as A, BASIC, buildWorld, discoverPaths, LICENSE, PYPI_JSON, PYPI_PATH as pypiPath, WORLD, writeDatasetFile } from "./lib/world.mjs";
import { wrk } from "./lib/wrk.mjs";
import { startNginx } from "./lib/nginx.mjs";

const BASELINE = fileURLToPath(new URL("./baseline-server.mjs", import.meta.url));
const PG_FLOOR = fileURLToPath(new URL("./pg-floor-server.mjs", import.meta.url));
const HAZEL = fileURLToPath(new URL("./hazel-server.mjs", import.meta.url));
/** Targets of the issue: route throughput as a share of the bare server's, on every store (the plain page is memory's only). */
const ROUTE_TARGETS = { tauri200: 0.6, tauri204: 0.8, raw303: 0.8, pypi304: 0.8, pypiPage: 0.2, pypiPageGzip: 0.8 };
/** Result names by store: memory keeps the route's name, the others add the store's. */
const SUFFIX = { memory: "", sqlite: "Sqlite", postgres: "Postgres", postgresListen: "PostgresListen" };
/** Targets against the peers: our req/s as a multiple of theirs. */
const PEER_TARGETS = { hazel: 1.5, nginx: 0.5 };

/** Probe a route once and keep what the baseline must answer like. */
/** Headers node:http adds to any answer (the bare server's own). */

async function probe(origin, path, headers, expected) {
  const res = await rawGet(`${origin}${path}`, headers);
  if (res.status !== expected) throw new Error(`W3: ${path} answered ${res.status}, expected ${expected}`);
  const keep = {};
  for (const h of ["content-type", "location", "content-encoding"]) if (res.headers[h] !== undefined) keep[h] = res.headers[h];
  // Every header of the answer but those node:http writes itself: what the bare server sends with `--same-headers`.
  return { status: res.status, headers: keep, allHeaders: headersNodeLeaves(res.headers), bodyBase64: res.body.toString("base64"), bytes: res.body.byteLength, etag: res.headers.etag };
}

/**
 * Run W3: `tauri` releases, a PyPI project of `pypiFiles` files; each route `reps` times for
 * `seconds`, alternating with its baseline. `pg` (or null) adds the Tauri check on PostgreSQL; `sqlite: false` leaves SQLite out.
 */
export async function runW3({ tauri, pypiFiles, seconds, reps, connections, tmp, pg, sqlite: withSqlite = true, log }) {
  const ds = buildWorld({ tauri, pypiFiles, raw: 20 });
  const file = join(tmp, "w3-dataset.json");
  await writeDatasetFile(file, ds);
  const servers = [];
  try {
    const mem = await startServer(CLI, ["serve", "--data", file, "--port", "0", "--log-format", "none"]);
    servers.push(mem);
    const stores = { memory: mem };
    if (withSqlite) {
      const sqliteFile = join(tmp, "w3.sqlite");
      const sqlite = createSqliteStore({ filename: sqliteFile });
      await importSqlite(sqlite, ds);
      await sqlite.close();
      stores.sqlite = await startServer(CLI, ["serve", "--db", sqliteFile, "--port", "0", "--log-format", "none"]);
      servers.push(stores.sqlite);
    }
    let pgUrl = null;
    if (pg) {
      pgUrl = await pg.createDatabase("bench_w3");
      const store = createPostgresStore({ connectionString: pgUrl });
      await importDataset(store, ds);
      await store.close();
      stores.postgres = await startServer(CLI, ["serve", "--database-url", pgUrl, "--port", "0", "--log-format", "none"]);
      servers.push(stores.postgres);
      // The same database served with `--cache listen`: no statement for a warm request while its LISTEN connection is up.
      stores.postgresListen = await startServer(CLI, ["serve", "--database-url", pgUrl, "--cache", "listen", "--port", "0", "--log-format", "none"]);
      servers.push(stores.postgresListen);
    }

    const { with200, upToDate: newestStable } = await discoverPaths(mem.url, rawGet, tauri);
    if (with200.length === 0 || newestStable === null) throw new Error("W3: no Tauri path answers 200, or none is up to date");
    if ((await rawGet(`${mem.url}${newestStable}`, LICENSE)).headers["release-engines-reason"] !== "up-to-date") throw new Error("W3: the stable 204 is not up to date");
    /** The routes on one store's server (a 304 revalidates the ETag that server gave). */
    const routesOf = async (store, server) => {
      const page = await probe(server.url, pypiPath, { ...BASIC, accept: PYPI_JSON }, 200);
      const out = {
        tauri200: { paths: with200, headers: LICENSE, status: 200 },
        tauri204: { paths: [newestStable], headers: LICENSE, status: 204 },
        raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
        pypi304: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "if-none-match": page.etag }, status: 304 },
        pypiPageGzip: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "accept-encoding": "gzip" }, status: 200 },
      };
      if (store === "memory") out.pypiPage = { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON }, status: 200 };
      for (const r of Object.values(out)) Object.assign(r, { store, server });
      return out;
    };
    /** By route: each store's run of it. */
    const byRoute = {};
    for (const [store, server] of Object.entries(stores)) {
      for (const [route, r] of Object.entries(await routesOf(store, server))) (byRoute[route] ??= []).push(r);
    }

    const spec = {};
    for (const [route, runs] of Object.entries(byRoute)) {
      for (const r of runs) {
        const probed = await probe(r.server.url, r.paths[0], r.headers, r.status);
        if (r.store === "memory") spec[route] = probed;
        // As many bytes on every store (bodies name each server's own origin; gzip may differ by a byte or so, the page compared uncompressed).
        else if (route !== "pypiPageGzip" && probed.bytes !== spec[route].bytes) throw new Error(`W3 ${route}: ${r.store} answers ${probed.bytes} bytes, memory ${spec[route].bytes}`);
        r.bytes = probed.bytes;
        if (route === "pypiPageGzip" && probed.headers["content-encoding"] !== "gzip") throw new Error(`W3: the gzip variant on ${r.store} was not gzipped`);
      }
    }
    const specFile = join(tmp, "w3-baseline.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const base = await startServer(BASELINE, [specFile]);
    servers.push(base);
    // The same floor sending every header ours sends (ETag, Cache-Control, Vary, the reason…): the part of the gap that is the headers themselves.
    const baseSame = await startServer(BASELINE, [specFile, "--same-headers"]);
    servers.push(baseSame);
    const pgFloor = pgUrl === null ? null : await startServer(PG_FLOOR, [specFile, pgUrl]);
    if (pgFloor) servers.push(pgFloor);

    const hazel = await startServer(HAZEL, ["2.0.0"]);
    servers.push(hazel);
    const hazelPath = "/update/appimage/1.0.0";
    if ((await rawGet(`${hazel.url}${hazelPath}`)).status !== 200) throw new Error("W3: hazel's update check did not answer 200");
    const peers = { tauri200: { name: "hazel", server: hazel, paths: [hazelPath], headers: {} } };
    const nginx = await startNginx({
      name: "pypiPageGzip", contentType: PYPI_JSON,
      body: Buffer.from(spec.pypiPage.bodyBase64, "base64"), gzipped: Buffer.from(spec.pypiPageGzip.bodyBase64, "base64"),
    });
    if (nginx.unavailable) log(`W3 nginx peer skipped: ${nginx.unavailable}`);
    else {
      servers.push(nginx);
      const probed = await rawGet(`${nginx.url}/pypiPageGzip`, { "accept-encoding": "gzip" });
      if (probed.status !== 200 || probed.headers["content-encoding"] !== "gzip" || probed.body.byteLength !== spec.pypiPageGzip.bytes) throw new Error("W3: nginx did not serve the same gzip page");
      peers.pypiPageGzip = { name: "nginx", server: nginx, paths: ["/pypiPageGzip"], headers: { "accept-encoding": "gzip" } };
    }

    const script = join(tmp, "w3.lua");
    mkdirSync(tmp, { recursive: true });
    const opts = { seconds, connections, script };
    const results = {};
    const summary = (xs) => ({ rps: median(xs.map((x) => x.rps)), p50us: median(xs.map((x) => x.p50us)), cpuUsPerRequest: median(xs.map((x) => x.cpuUsPerRequest)) });
    // Per route, each rep runs every store, the bare server, the PostgreSQL floor and the peer back to back.
    for (const [route, runs] of Object.entries(byRoute)) {
      const served = runs.map(() => []);
      const floor = [];
      const sameFloor = [];
      const pgFloorRuns = [];
      const peer = [];
      const peerOf = peers[route];
      let bad = 0;
      for (let k = 0; k < reps; k++) {
        for (const [i, r] of runs.entries()) {
          const x = await wrk(r.server.url, r.paths, r.headers, opts, r.server.child.pid);
          served[i].push(x);
          bad += x.bad;
        }
        const b = await wrk(base.url, [`/${route}`], {}, opts, base.child.pid);
        floor.push(b);
        bad += b.bad;
        const bs = await wrk(baseSame.url, [`/${route}`], {}, opts, baseSame.child.pid);
        sameFloor.push(bs);
        bad += bs.bad;
        if (pgFloor && runs.some((r) => r.store === "postgres")) {
          const f = await wrk(pgFloor.url, [`/${route}`], {}, opts, pgFloor.child.pid);
          pgFloorRuns.push(f);
          bad += f.bad;
        }
        if (peerOf) {
          const c = await wrk(peerOf.server.url, peerOf.paths, peerOf.headers, opts, peerOf.server.child.pid);
          peer.push(c);
          bad += c.bad;
        }
      }
      if (bad > 0) throw new Error(`W3 ${route}: ${bad} answers were errors or timeouts`);
      const bare = summary(floor);
      const bareSame = summary(sameFloor);
      for (const [i, r] of runs.entries()) {
        const name = `${route}${SUFFIX[r.store]}`;
        const ours = summary(served[i]);
        const target = ROUTE_TARGETS[route];
        results[name] = {
          store: r.store, status: r.status, bytes: r.bytes, rps: ours.rps, baselineRps: bare.rps, ratio: ours.rps / bare.rps, target,
          p50us: ours.p50us, baselineP50us: bare.p50us, cpuUsPerRequest: ours.cpuUsPerRequest, baselineCpuUsPerRequest: bare.cpuUsPerRequest,
          sameHeaders: { rps: bareSame.rps, ratio: ours.rps / bareSame.rps, cpuUsPerRequest: bareSame.cpuUsPerRequest },
        };
        log(`W3 ${name}: ${ours.rps.toFixed(0)} req/s vs bare ${bare.rps.toFixed(0)} req/s = ${(ours.rps / bare.rps).toFixed(2)}× (target ≥ ${target}×)`);
        if (r.store === "postgres" && pgFloorRuns.length > 0) {
          const f = summary(pgFloorRuns);
          results[name].pgFloor = { rps: f.rps, ratio: ours.rps / f.rps, cpuUsPerRequest: f.cpuUsPerRequest };
          log(`W3 ${name}: vs the one-statement PostgreSQL floor ${f.rps.toFixed(0)} req/s = ${(ours.rps / f.rps).toFixed(2)}×`);
        }
        if (peerOf && r.store === "memory") {
          const c = summary(peer);
          results[name].peer = { name: peerOf.name, rps: c.rps, ratio: ours.rps / c.rps, target: PEER_TARGETS[peerOf.name], p50us: c.p50us, cpuUsPerRequest: c.cpuUsPerRequest };
          log(`W3 ${name}: ${ours.rps.toFixed(0)} req/s vs ${peerOf.name} ${c.rps.toFixed(0)} req/s = ${(ours.rps / c.rps).toFixed(2)}× (target ≥ ${PEER_TARGETS[peerOf.name]}×)`);
        }
      }
    }
    return { tauri, pypiFiles, seconds, reps, connections, threads: 1, routes: results };
  } finally {
    for (const s of servers) await s.stop();
  }
}
