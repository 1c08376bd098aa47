/**
 * @module bench/profile-w1-postgres — W1's PostgreSQL figures by cache mode, with the statements
 * behind them: the same random update checks as W1 (resolution as functions, no HTTP) on one
 * PostgreSQL database of N releases, for `cache: "off"`, `"check"` and `"listen"`, each round timed
 * and its statements counted on the pool (round 1 is cold, later rounds repeat the same checks).
 * Every mode's answers are compared with the first's. Usage (after `npm run build`):
 * node bench/profile-w1-postgres.mjs [N releases, default 100000] [checks, default 10000] [rounds, default 3]
 */
import { createPostgresStore, importDataset } from "../dist/postgres.js";
import { countedPool, startPostgres } from "./lib/pg.mjs";
import { median, nowNs } from "./lib/stats.mjs";
import { appCaller, engineContext, makeChecks, storeResolution } from "./lib/tauri-checks.mjs";
import { buildWorld } from "./lib/world.mjs";

const n = Number(process.argv[2] ?? 100_000);
const count = Number(process.argv[3] ?? 10_000);
const rounds = Number(process.argv[4] ?? 3);
const ds = buildWorld({ tauri: n });
const caller = appCaller(ds);
const checks = makeChecks(n, count);

const server = await startPostgres(() => {});
try {
  const url = await server.createDatabase(`profile_w1_${n}`);
  const seed = createPostgresStore({ connectionString: url, cache: "off" });
  let t = nowNs();
  await importDataset(seed, ds);
  await seed.close();
  console.log(`N=${n}: ${ds.releases.length} releases imported in ${((nowNs() - t) / 1e9).toFixed(1)} s; ${count} checks × ${rounds} rounds`);
  let expected = null;
  for (const cache of ["off", "check", "listen"]) {
    const { pool, statements } = countedPool(url, 10);
    const store = createPostgresStore({ pool, cache });
    const ctx = engineContext(store, ds, caller);
    // Warm-up on other checks (JIT, prepared statements on each connection), as W1 does.
    for (const c of makeChecks(n, 500, 7)) await storeResolution(ctx, c);
    if (cache === "listen") await new Promise((r) => setTimeout(r, 200));
    const answers = [];
    const line = [];
    for (let r = 0; r < rounds; r++) {
      const samples = new Float64Array(checks.length);
      const s0 = statements();
      const c0 = process.cpuUsage();
      for (let i = 0; i < checks.length; i++) {
        t = nowNs();
        const answer = await storeResolution(ctx, checks[i]);
        samples[i] = nowNs() - t;
        if (r === 0) answers.push(answer);
      }
      const cpu = process.cpuUsage(c0);
      line.push(`round ${r + 1}: median ${(median(samples) / 1000).toFixed(1)} µs, ${((statements() - s0) / checks.length).toFixed(2)} statements/check, CPU ${((cpu.user + cpu.system) / checks.length).toFixed(0)} µs/check`);
    }
    if (expected === null) expected = answers;
    else {
      const bad = answers.filter((a, i) => a !== expected[i]).length;
      if (bad > 0) throw new Error(`cache ${cache}: ${bad} answers differ from cache off's`);
    }
    console.log(`cache ${cache.padEnd(6)} ${line.join("; ")}`);
    await store.close();
    await pool.end();
  }
} finally {
  server.destroy();
}
