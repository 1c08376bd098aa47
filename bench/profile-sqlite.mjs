/**
 * @module bench/profile-sqlite — a SQLite Tauri check's own cost: W1's random update checks as whole
 * engine calls (`resolveTauriUpdate`) on a SQLite file of W1's world, with the read cache off (every
 * lookup a statement: the cold path) and on (the default; warm once each distinct lookup was seen),
 * CPU µs per check (user + system) and the median.
 * Usage (after `npm run build`): node bench/profile-sqlite.mjs [checks, default 5000] [off|on|both] [N releases, default 1000]
 * For instruction counts independent of the machine's load, run it under
 * `valgrind --tool=callgrind` with two check counts and subtract (the difference is the checks alone).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore, importDataset } from "../dist/sqlite.js";
import { median } from "./lib/stats.mjs";
import { appCaller, engineCall, engineContext, makeChecks } from "./lib/tauri-checks.mjs";
import { buildWorld } from "./lib/world.mjs";

const count = Number(process.argv[2] ?? 5000);
const modes = (process.argv[3] ?? "both") === "both" ? ["off", "on"] : [process.argv[3]];
const n = Number(process.argv[4] ?? 1000);

const tmp = mkdtempSync(join(tmpdir(), "re-profile-sqlite-"));
try {
  const file = join(tmp, "p.sqlite");
  const ds = buildWorld({ tauri: n });
  const seed = createSqliteStore({ filename: file });
  await importDataset(seed, ds);
  await seed.close();
  const caller = appCaller(ds);
  const warm = makeChecks(n, 300, 7);
  const checks = makeChecks(n, count, 42);
  for (const mode of modes) {
    const store = createSqliteStore({ filename: file, cache: mode === "on" });
    const ctx = engineContext(store, ds, caller);
    for (const check of warm) await engineCall(ctx, check);
    const times = [];
    const c0 = process.cpuUsage();
    for (const check of checks) {
      const t0 = performance.now();
      await engineCall(ctx, check);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(c0);
    console.log(`sqlite cache ${mode}, N=${n}: ${count} checks, median ${(median(times) * 1000).toFixed(1)} µs, CPU ${((cpu.user + cpu.system) / count).toFixed(1)} µs/check`);
    await store.close();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
