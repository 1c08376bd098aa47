/**
 * @module bench/profile-postgres — W1 on PostgreSQL taken apart (the profile behind its figure): a bare
 * prepared round trip, then each of the three store calls of an update check, medians over 3,000 checks.
 * Usage (after `npm run build`): node bench/profile-postgres.mjs [N releases, default 10000]
 */
import pg from "pg";
import { startPostgres } from "./lib/pg.mjs";
import { createPostgresStore, importDataset } from "../dist/postgres.js";
import { appCaller, engineContext, makeChecks, storeResolution } from "./lib/tauri-checks.mjs";
import { resolveUpgrade } from "../dist/index.js";
import { timeEach } from "./lib/stats.mjs";
import { buildWorld, WORLD } from "./lib/world.mjs";
const n = Number(process.argv[2] ?? 10000);
const server = await startPostgres(() => {});
try {
  const url = await server.createDatabase("parts");
  const ds = buildWorld({ tauri: n });
  const store = createPostgresStore({ connectionString: url });
  await importDataset(store, ds);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const one = { name: "one", text: "SELECT 1 AS x", values: [] };
  const checks = makeChecks(n, 3000);
  const us = (r) => `${(r.medianNs / 1000).toFixed(0)} µs`;
  for (let i = 0; i < 300; i++) await pool.query(one);
  console.log(`N=${n} bare prepared SELECT 1 round trip: ${us(await timeEach(checks, () => pool.query(one), { rounds: 3 }))}`);
  const ctx = engineContext(store, ds, appCaller(ds));
  for (const c of checks.slice(0, 300)) await storeResolution(ctx, c);
  const current = (c) => store.getReleaseByVersion(ctx.account.id, WORLD.productApp, WORLD.pkgTauri, c.version, ctx.lookupScope);
  console.log(`getReleaseByVersion: ${us(await timeEach(checks, current, { rounds: 3 }))}`);
  const currents = await Promise.all(checks.map(current));
  const upgrade = (c, i) => currents[i] === null ? null : resolveUpgrade({ store, accountId: ctx.account.id, scope: ctx.scope },
    { current: currents[i], packageId: WORLD.pkgTauri, artifact: { platform: c.platform, arch: c.arch }, ...(c.channel ? { channel: c.channel } : {}), ...(c.range ? { range: c.range } : {}) });
  const withCurrent = checks.filter((_, i) => currents[i] !== null);
  console.log(`findUpgrade (checks with a current release, ${withCurrent.length}): ${us(await timeEach(checks, upgrade, { rounds: 3 }))}`);
  const ups = await Promise.all(checks.map(upgrade));
  const arts = (c, i) => ups[i] === null ? null : store.listReleaseArtifacts(ctx.account.id, ups[i].id, ctx.scope, { platform: c.platform, arch: c.arch });
  console.log(`listReleaseArtifacts: ${us(await timeEach(checks, arts, { rounds: 3 }))}`);
  console.log(`whole check: ${us(await timeEach(checks, (c) => storeResolution(ctx, c), { rounds: 3 }))}`);
  await pool.end();
  await store.close();
} finally {
  await server.destroy();
}
