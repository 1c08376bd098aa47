/**
 * @module bench/profile-sql-edge — W3's routes in process (bench/lib/edge) on the memory store and on
 * a SQLite file of the same world (cache on), and with `listen` on a throwaway PostgreSQL cluster in
 * `cache: "listen"`, alternating route by route: CPU µs per request of each and the SQLite/memory
 * ratio, so what the SQL path costs beyond the memory store is one number per route.
 * Usage (after `npm run build`): node [--cpu-prof] bench/profile-sql-edge.mjs [REQUESTS, default 20000] [sqlite|memory|both|listen|all]
 */
import * as sdk from "../dist/index.js";
import * as node from "../dist/node.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore, importDataset } from "../dist/sqlite.js";
import { createPostgresStore, importDataset as importPostgres } from "../dist/postgres.js";
import { startPostgres } from "./lib/pg.mjs";
import { edgeRoutes, request } from "./lib/edge.mjs";
import { buildWorld } from "./lib/world.mjs";

const requests = Number(process.argv[2] ?? 20_000);
const which = process.argv[3] ?? "both";
const tmp = mkdtempSync(join(tmpdir(), "re-sql-edge-"));
const withListen = which === "listen" || which === "all";
const pgServer = withListen ? await startPostgres(() => {}) : null;
const closing = [];
try {
  const ds = buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 });
  const file = join(tmp, "e.sqlite");
  const seed = createSqliteStore({ filename: file });
  await importDataset(seed, ds);
  await seed.close();
  const listenerOf = (store) => node.toResultListener(sdk.createRequestHandler({ store, onError: (e) => console.error(e) }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true }));
  const stores = {};
  if (which !== "sqlite" && which !== "listen") stores.memory = listenerOf(sdk.createMemoryStore(ds));
  if (which === "sqlite" || which === "both" || which === "all") stores.sqlite = listenerOf(createSqliteStore({ filename: file }));
  if (pgServer) {
    const url = await pgServer.createDatabase("sql_edge");
    const seedPg = createPostgresStore({ connectionString: url });
    await importPostgres(seedPg, ds);
    await seedPg.close();
    const listening = createPostgresStore({ connectionString: url, cache: "listen" });
    closing.push(listening);
    stores.listen = listenerOf(listening);
  }
  const routes = Object.fromEntries(await Promise.all(Object.entries(stores).map(async ([k, l]) => [k, await edgeRoutes(l)])));
  const first = Object.keys(stores)[0];
  for (const name of Object.keys(routes[first])) {
    const cpu = {};
    for (let rep = 0; rep < 3; rep++) {
      for (const [k, listener] of Object.entries(stores)) {
        const r = routes[k][name];
        for (let i = 0; i < 500; i++) {
          const got = await request(listener, r.paths[i % r.paths.length], r.headers);
          if (got.status !== r.status) throw new Error(`${k} ${name}: ${got.status}, expected ${r.status}`);
        }
        const c0 = process.cpuUsage();
        for (let i = 0; i < requests; i++) await request(listener, r.paths[i % r.paths.length], r.headers);
        const c = process.cpuUsage(c0);
        (cpu[k] ??= []).push((c.user + c.system) / requests);
      }
    }
    const best = Object.fromEntries(Object.entries(cpu).map(([k, xs]) => [k, Math.min(...xs)]));
    const ratios = Object.keys(best).filter((k) => k !== "memory" && best.memory).map((k) => `, ${k}/memory ${(best[k] / best.memory).toFixed(2)}×`).join("");
    console.log(`${name}: ${Object.entries(best).map(([k, v]) => `${k} ${v.toFixed(2)} µs`).join(", ")}${ratios}`);
  }
} finally {
  for (const s of closing) await s.close();
  await pgServer?.destroy();
  rmSync(tmp, { recursive: true, force: true });
}
