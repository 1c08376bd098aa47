/**
 * @module bench/w4-memory — W4: resident memory and heap of the memory store over W1's releases,
 * and its bytes per release beyond the records' own size, median of fresh processes.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./lib/stats.mjs";

const CHILD = fileURLToPath(new URL("./w4-memory-child.mjs", import.meta.url));

/** Run W4 at `n` releases, `reps` fresh processes. */
export function runW4({ n, reps, log }) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const out = execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", CHILD, String(n)], { encoding: "utf8" });
    runs.push(JSON.parse(out.trim().split("\n").pop()));
  }
  const m = (f) => median(runs.map(f));
  const result = {
    n,
    reps,
    datasetHeapBytes: m((r) => r.withDataset.heap - r.base.heap),
    storeHeapBytes: m((r) => r.withStore.heap - r.withDataset.heap),
    rssAfterLoadBytes: m((r) => r.withStore.rss),
    rssDatasetBytes: m((r) => r.withDataset.rss - r.base.rss),
    rssStoreBytes: m((r) => r.withStore.rss - r.withDataset.rss),
  };
  result.datasetBytesPerRelease = result.datasetHeapBytes / n;
  result.storeBytesPerRelease = result.storeHeapBytes / n;
  log(`W4 N=${n}: records ${(result.datasetBytesPerRelease).toFixed(0)} B/release, memory store +${result.storeBytesPerRelease.toFixed(0)} B/release, RSS ${(result.rssAfterLoadBytes / 2 ** 20).toFixed(0)} MiB`);
  return result;
}
