/**
 * @module bench/run — `npm run bench` (after `npm run build`): every workload of issues 8 and 13 in one
 * run, a table on stdout and `bench/results.json` with the machine described.
 *
 *   node bench/run.mjs            the full bench (N up to 100,000; takes tens of minutes)
 *   node bench/run.mjs --smoke    tiny N and short durations (CI: < 60 s); checks answers, not speed
 *   --only=W1,W3                  run some workloads
 *   --stores=memory,sqlite        W3 on some stores only (memory, sqlite, postgres; default all; the peers always run)
 *   --pg-max=N                    largest W1 size imported into PostgreSQL (default 100,000: its import takes ~25-50 s)
 *   --out=FILE                    where to write the results (default bench/results.json)
 *
 * PostgreSQL: BENCH_DATABASE_URL, else a throwaway cluster from /usr/lib/postgresql/15/bin.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertFileRoundTrip } from "./lib/roundtrip.mjs";
import { startPostgres } from "./lib/pg.mjs";
import { canPin, LOAD_CORE, pinSelf } from "./lib/pin.mjs";
import { render, targets } from "./lib/report.mjs";
import { nowNs } from "./lib/stats.mjs";
import { runW1 } from "./w1-tauri.mjs";
import { runW2 } from "./w2-pypi.mjs";
import { runW3 } from "./w3-http.mjs";
import { runW4 } from "./w4-memory.mjs";
import { runW5 } from "./w5-startup.mjs";
import { runW6 } from "./w6-publish.mjs";
import { runW7 } from "./w7-npm.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const smoke = args.includes("--smoke");
const only = new Set((flag("only") ?? "W1,W2,W3,W4,W5,W6,W7").toUpperCase().split(","));
const w3Stores = new Set((flag("stores") ?? "memory,sqlite,postgres").toLowerCase().split(","));
const out = flag("out") ?? fileURLToPath(new URL("./results.json", import.meta.url));

/** Tools the workloads spawn, checked before anything runs so that a missing one is a sentence, not a stack trace. */
function requireTool(name, apt) {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0) {
    console.error(`bench: ${name} is not installed; install ${name} (apt-get install ${apt}) and run again`);
    process.exit(1);
  }
}
if (only.has("W3") || only.has("W6") || only.has("W7")) requireTool("wrk", "wrk");

const CONFIG = smoke
  ? {
      w1: { sizes: [200, 1_000], checks: 300, rounds: 1, naiveBudgetMs: 300 },
      w2: { files: [100], reps: 3 },
      w3: { tauri: 200, pypiFiles: 100, seconds: 1, reps: 1, connections: 4 },
      w4: { n: 2_000, reps: 1 },
      w5: { sizes: [1_000], reps: 1 },
      w6: { tauri: 200, pypiFiles: 100, publishes: 3, seconds: 1, reps: 1, connections: 4 },
      w7: { versions: 200, seconds: 1, reps: 1, connections: 4 },
      pgMax: 1_000,
    }
  : {
      w1: { sizes: [1_000, 10_000, 100_000], checks: 10_000, rounds: 3, naiveBudgetMs: 15_000 },
      w2: { files: [1_000, 10_000], reps: 9 },
      w3: { tauri: 1_000, pypiFiles: 1_000, seconds: 5, reps: 3, connections: 8 },
      w4: { n: 100_000, reps: 3 },
      w5: { sizes: [1_000, 10_000, 100_000], reps: 3 },
      w6: { tauri: 1_000, pypiFiles: 1_000, publishes: 30, seconds: 5, reps: 7, connections: 8 },
      w7: { versions: 200, seconds: 5, reps: 3, connections: 8 },
      pgMax: Number(flag("pg-max") ?? 100_000),
    };

const log = (line) => console.error(`[bench ${((nowNs() - started) / 1e9).toFixed(0).padStart(4)} s] ${line}`);
const started = nowNs();
const tmp = mkdtempSync(join(tmpdir(), "re-bench-"));
const results = {
  mode: smoke ? "smoke" : "full",
  startedAt: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryBytes: totalmem(), node: process.version,
    os: `${type()} ${release()}`, loadStart: loadavg().map((x) => x.toFixed(2)),
    pinning: canPin() ? `HTTP servers on core 0; wrk and the publisher on core ${LOAD_CORE}` : "none (taskset missing or one core)",
  },
  config: CONFIG,
};

let pg = null;
try {
  if (smoke) await assertFileRoundTrip(log);
  if (only.has("W1") || (only.has("W3") && w3Stores.has("postgres")) || only.has("W5") || only.has("W6")) {
    const started = await startPostgres(log);
    if (started.unavailable) log(`PostgreSQL not run: ${started.unavailable}`);
    else pg = started;
    results.machine.postgres = pg ? `${pg.version} (${pg.kind})` : null;
  }
  let dbs = {};
  if (only.has("W1")) {
    const pgFor = (n) => (n <= CONFIG.pgMax ? pg : null);
    results.w1 = [];
    for (const n of CONFIG.w1.sizes) {
      const r = await runW1({ ...CONFIG.w1, sizes: [n], tmp, pg: pgFor(n), log });
      results.w1.push(...r.results);
      Object.assign(dbs, r.dbs);
    }
    if (CONFIG.pgMax < CONFIG.w1.sizes[CONFIG.w1.sizes.length - 1]) {
      results.w1PostgresNote = `PostgreSQL was run up to N = ${CONFIG.pgMax} (--pg-max): importing larger datasets is slow, see the README`;
    }
  }
  if (only.has("W2")) results.w2 = await runW2({ ...CONFIG.w2, log });
  // The HTTP workloads: this process (W6's publisher) joins wrk on the load core while they run.
  const loaded = async (run) => { pinSelf(LOAD_CORE); try { return await run(); } finally { pinSelf(null); } };
  if (only.has("W3")) results.w3 = await loaded(() => runW3({ ...CONFIG.w3, tmp, pg: w3Stores.has("postgres") ? pg : null, sqlite: w3Stores.has("sqlite"), log }));
  if (only.has("W4")) results.w4 = runW4({ ...CONFIG.w4, log });
  if (only.has("W5")) results.w5 = await runW5({ ...CONFIG.w5, dbs, tmp, log });
  if (only.has("W6")) results.w6 = await loaded(() => runW6({ ...CONFIG.w6, tmp, pg, log }));
  if (only.has("W7")) results.w7 = await runW7({ ...CONFIG.w7, tmp, log });
} finally {
  pg?.destroy();
  rmSync(tmp, { recursive: true, force: true });
}
results.machine.loadEnd = loadavg().map((x) => x.toFixed(2));
results.durationS = Math.round((nowNs() - started) / 1e9);
results.targets = targets(results);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(render(results));
console.log(`\nwrote ${out} (${results.durationS} s)`);
