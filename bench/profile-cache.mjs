/**
 * @module bench/profile-cache — what keeping reads per revision (sql/cache) saves: the fetch handler in
 * process on PostgreSQL and SQLite, each cache mode, warm requests of three routes; per request the
 * statements sent (PostgreSQL, counted on the pool), the median wall time and the process CPU time
 * (user + system, the instruction-count proxy that other load on the machine moves least).
 * Usage (after `npm run build`): node bench/profile-cache.mjs [requests per route, default 2000]
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createFetchHandler } from "../dist/index.js";
import { createPostgresStore, importDataset as importPg } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { countedPool, startPostgres } from "./lib/pg.mjs";
import { median } from "./lib/stats.mjs";
import { BASIC, buildWorld, LICENSE, tauriVersion, WORLD } from "./lib/world.mjs";

const n = Number(process.argv[2] ?? 2000);
const A = `http://bench.local/v1/accounts/${WORLD.slug}`;
const ds = buildWorld({ tauri: 1000, pypiFiles: 1000 });
// Release 12: one the app license may see (10 needs an ENTERPRISE entitlement: its check was a 204).
const tauri = `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(12).version)}`;
const pypi = `${A}/engines/pypi/simple/${WORLD.pypiKey}/`;

async function measure(label, store, statements) {
  const handler = createFetchHandler({ store });
  const etag = (await handler(new Request(pypi, { headers: BASIC }))).headers.get("etag");
  const routes = { tauri200: [tauri, LICENSE], pypiPage: [pypi, BASIC], pypi304: [pypi, { ...BASIC, "if-none-match": etag }] };
  const out = {};
  const expected = { tauri200: 200, pypiPage: 200, pypi304: 304 };
  for (const [name, [url, headers]] of Object.entries(routes)) {
    const status = (await handler(new Request(url, { headers }))).status;
    if (status !== expected[name]) throw new Error(`${label} ${name}: answered ${status}, not ${expected[name]}`);
    for (let i = 0; i < 200; i++) await (await handler(new Request(url, { headers }))).arrayBuffer();
    const times = [];
    const s0 = statements();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await handler(new Request(url, { headers }));
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(c0);
    out[name] = { statements: (statements() - s0) / n, medianUs: median(times) * 1000, cpuUs: (cpu.user + cpu.system) / n };
  }
  for (const [route, r] of Object.entries(out)) {
    console.log(`${label.padEnd(18)} ${route.padEnd(9)} statements/req ${r.statements.toFixed(2).padStart(5)}  median ${r.medianUs.toFixed(0).padStart(6)} µs  CPU ${r.cpuUs.toFixed(0).padStart(6)} µs/req`);
  }
}

const server = await startPostgres(() => {});
const tmp = mkdtempSync(join(tmpdir(), "re-profile-cache-"));
try {
  const url = await server.createDatabase("profile_cache");
  const seed = createPostgresStore({ connectionString: url, cache: "off" });
  await importPg(seed, ds);
  await seed.close();
  for (const cache of ["off", "check", "listen"]) {
    const { pool, statements } = countedPool(url, 10);
    const store = createPostgresStore({ pool, cache });
    await store.getAccount(WORLD.slug);
    await new Promise((r) => setTimeout(r, 300));
    await measure(`postgres ${cache}`, store, statements);
    await store.close();
    await pool.end();
  }
  const file = join(tmp, "p.sqlite");
  const seedSqlite = createSqliteStore({ filename: file });
  await importSqlite(seedSqlite, ds);
  await seedSqlite.close();
  for (const cache of [false, true]) {
    const store = createSqliteStore({ filename: file, cache });
    await measure(`sqlite ${cache ? "cache" : "off"}`, store, () => NaN);
    await store.close();
  }
} finally {
  await server.destroy();
  rmSync(tmp, { recursive: true, force: true });
}
