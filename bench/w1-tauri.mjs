/**
 * @module bench/w1-tauri — W1: Tauri resolution per store (memory, SQLite, PostgreSQL) against the
 * naive baseline, N releases each, random update checks called as functions (no HTTP).
 */
import { join } from "node:path";
import { createPostgresStore, importDataset as importPg } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { nowNs, quantile, median, timeEach } from "./lib/stats.mjs";
import {
  appCaller, createMemoryStore, engineCall, engineContext, makeChecks, naiveResolution, storeResolution,
} from "./lib/tauri-checks.mjs";
import { buildWorld, WORLD } from "./lib/world.mjs";

/** Every store's answers must equal the memory store's (and the naive baseline's): a fast wrong answer is no result. */
function assertSame(what, expected, got) {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) throw new Error(`${what}: ${bad} of ${got.length} answers differ from the memory store's (first at check ${first}: ${got[first]} vs ${expected[first]})`);
}

/**
 * Run W1 for each size. Options: `sizes`, `checks` (per round), `rounds`, `naiveBudgetMs` (the naive
 * baseline runs checks until this much time is spent, at least 20), `tmp`, `pg` (from startPostgres,
 * or null). Returns `{ results, dbs }`: per size the figures, and where each SQL copy was kept (W5 serves them).
 */
export async function runW1({ sizes, checks: count, rounds, naiveBudgetMs, tmp, pg, log }) {
  const results = [];
  const dbs = {};
  for (const n of sizes) {
    const t0 = nowNs();
    const ds = buildWorld({ tauri: n });
    log(`W1 N=${n}: ${ds.releases.length} releases, ${ds.artifacts.length} artifacts built in ${((nowNs() - t0) / 1e9).toFixed(1)} s`);
    const caller = appCaller(ds);
    const checks = makeChecks(n, count);
    const row = { n, releases: ds.releases.length, artifacts: ds.artifacts.length, checks: count, rounds, stores: {} };

    const stores = [];
    let t = nowNs();
    stores.push({ name: "memory", store: createMemoryStore(ds), loadNs: nowNs() - t, loadWhat: "createMemoryStore" });
    const sqliteFile = join(tmp, `w1-${n}.sqlite`);
    const sqlite = createSqliteStore({ filename: sqliteFile });
    t = nowNs();
    await importSqlite(sqlite, ds);
    stores.push({ name: "sqlite", store: sqlite, loadNs: nowNs() - t, loadWhat: "importDataset" });
    log(`W1 N=${n}: SQLite import ${((nowNs() - t) / 1e9).toFixed(1)} s`);
    if (pg) {
      const url = await pg.createDatabase(`bench_w1_${n}`);
      const store = createPostgresStore({ connectionString: url });
      t = nowNs();
      await importPg(store, ds);
      stores.push({ name: "postgres", store, loadNs: nowNs() - t, loadWhat: "importDataset" });
      log(`W1 N=${n}: PostgreSQL import ${((nowNs() - t) / 1e9).toFixed(1)} s`);
      dbs[n] = { sqlite: sqliteFile, postgres: url };
    } else dbs[n] = { sqlite: sqliteFile };

    let expected = null;
    let expectedEngine = null;
    for (const { name, store, loadNs, loadWhat } of stores) {
      const ctx = engineContext(store, ds, caller);
      // Warm up (JIT, statement caches) on a slice of the checks, then time; the answers of the
      // first timed round are what the stores are compared on.
      for (const c of checks.slice(0, Math.min(500, checks.length))) await storeResolution(ctx, c);
      const resolution = await timeEach(checks, (c) => storeResolution(ctx, c), { rounds });
      const engine = await timeEach(checks, (c) => engineCall(ctx, c), { rounds: name === "memory" ? rounds : 1 });
      const answers = resolution.answers;
      const engineAnswers = engine.answers;
      delete resolution.answers;
      delete engine.answers;
      if (expected === null) {
        expected = answers;
        expectedEngine = engineAnswers;
        row.updates = answers.filter((a) => a !== null).length;
      } else {
        assertSame(`W1 N=${n} ${name} resolution`, expected, answers);
        assertSame(`W1 N=${n} ${name} engine`, expectedEngine, engineAnswers);
      }
      row.stores[name] = { loadNs, loadWhat, resolution, engine };
      log(`W1 N=${n} ${name}: resolution median ${(resolution.medianNs / 1000).toFixed(2)} µs p99 ${(resolution.p99Ns / 1000).toFixed(1)} µs; engine call median ${(engine.medianNs / 1000).toFixed(2)} µs`);
      if (name !== "memory") await store.close();
    }

    // The naive baseline on the same checks, as many as fit in the budget.
    const product = ds.products.find((p) => p.id === WORLD.productApp);
    const pkgReleases = ds.releases.filter((r) => r.packageId === WORLD.pkgTauri);
    const ids = new Set(pkgReleases.map((r) => r.id));
    const pkgArtifacts = ds.artifacts.filter((a) => ids.has(a.releaseId));
    const samples = [];
    const started = nowNs();
    for (let i = 0; i < checks.length; i++) {
      if (i >= 20 && nowNs() - started > naiveBudgetMs * 1e6) break;
      const s = nowNs();
      const answer = naiveResolution(pkgReleases, pkgArtifacts, product, caller, checks[i]);
      samples.push(nowNs() - s);
      if (answer !== expected[i]) throw new Error(`W1 N=${n}: the naive baseline answers check ${i} with ${answer}, the memory store with ${expected[i]}`);
    }
    row.naive = { checks: samples.length, medianNs: median(samples), p99Ns: quantile(samples, 0.99) };
    log(`W1 N=${n} naive: median ${(row.naive.medianNs / 1e6).toFixed(2)} ms over ${samples.length} checks`);
    for (const s of Object.values(row.stores)) s.speedup = row.naive.medianNs / s.resolution.medianNs;
    results.push(row);
  }
  return { results, dbs };
}
