/**
 * @module bench/w5-startup — W5: `release-engines serve` start-up to its "listening" line for W1's
 * dataset, per store (memory: --data file; SQLite: --db; PostgreSQL: --database-url), and to the
 * first answered update check. The memory store's floor, in the same run: a bare server that reads
 * and `JSON.parse`s the same file before it listens (bench/w5-floor-server.mjs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, nowNs } from "./lib/stats.mjs";
import { CLI, rawGet, startServer } from "./lib/serve.mjs";
import { buildWorld, tauriVersion, WORLD, writeDatasetFile } from "./lib/world.mjs";

const FLOOR = fileURLToPath(new URL("./w5-floor-server.mjs", import.meta.url));

/** Resident memory of a process in bytes (NaN where /proc is missing). */
function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * Run W5 for each size; `dbs[n]` holds the SQLite file and PostgreSQL URL W1 imported the same
 * records into. A memory start-up slower than `slowMs` is not repeated.
 */
export async function runW5({ sizes, reps, dbs, tmp, log, slowMs = 20_000 }) {
  const results = [];
  for (const n of sizes) {
    const file = join(tmp, `w5-${n}.json`);
    await writeDatasetFile(file, buildWorld({ tauri: n }));
    const check = `/v1/accounts/${WORLD.slug}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&version=${tauriVersion(5).version}`;
    const row = { n, stores: {} };
    const kinds = [["floor", null], ["memory", ["--data", file]], ["sqlite", ["--db", dbs[n]?.sqlite]], ["postgres", ["--database-url", dbs[n]?.postgres]]];
    for (const [name, args] of kinds) {
      if (args !== null && args[1] === undefined) continue;
      const listening = [];
      const firstAnswer = [];
      const rss = [];
      for (let k = 0; k < reps; k++) {
        const nodeArgs = ["--max-old-space-size=8192"];
        const server = args === null
          ? await startServer(FLOOR, [file], { nodeArgs })
          : await startServer(CLI, ["serve", ...args, "--port", "0", "--log-format", "none"], { nodeArgs });
        if (args === null) {
          await server.stop();
          listening.push(server.listeningNs);
          continue;
        }
        try {
          const res = await rawGet(`${server.url}${check}`, { authorization: `License ${WORLD.appKey}` });
          firstAnswer.push(nowNs() - server.startedAt);
          if (res.status !== 200) throw new Error(`W5 ${name} N=${n}: the first check answered ${res.status}`);
          // Resident memory once start-up's garbage could be handed back (serve collects it once no request has come for 250 ms).
          if (name === "memory") await new Promise((r) => setTimeout(r, 3_000));
          rss.push(rssOf(server.child.pid));
        } finally {
          await server.stop();
        }
        listening.push(server.listeningNs);
        if (server.listeningNs > slowMs * 1e6) break;
      }
      row.stores[name] = { runs: listening.length, listeningNs: median(listening), firstAnswerNs: args === null ? null : median(firstAnswer), rssBytes: args === null ? null : median(rss) };
      if (name === "memory" && row.stores.floor) row.stores[name].vsFloor = row.stores[name].listeningNs / row.stores.floor.listeningNs;
      const answered = args === null ? "" : `, first answer after ${(median(firstAnswer) / 1e9).toFixed(2)} s`;
      const resident = args === null ? "" : `, RSS ${(median(rss) / 2 ** 20).toFixed(0)} MiB${name === "memory" ? " 3 s after" : ""}`;
      log(`W5 N=${n} ${name}: listening after ${(median(listening) / 1e9).toFixed(2)} s${answered}${resident}`);
    }
    results.push(row);
  }
  return results;
}
