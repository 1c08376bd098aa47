/**
 * @module bench/profile-summary — the top functions of a V8 `.cpuprofile` (from `node --cpu-prof`) by
 * self time, with their share of all samples; or of a `.heapprofile` (`--heap-prof`) by bytes allocated.
 * Usage: node bench/profile-summary.mjs FILE [TOP, default 30]
 */
import { readFileSync } from "node:fs";

const [file, topText] = process.argv.slice(2);
const top = Number(topText ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const where = (f) => `${f.functionName || "(anonymous)"} ${(f.url ?? "").replace(/^.*\/(dist|bench|node_modules)\//, "$1/")}:${f.lineNumber + 1}`;
const totals = new Map();
let all = 0;
if (file.endsWith(".heapprofile")) {
  const walk = (node) => {
    const bytes = node.selfSize;
    all += bytes;
    const key = where(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + bytes);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
} else {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples) {
    const key = where(byId.get(id).callFrame);
    totals.set(key, (totals.get(key) ?? 0) + 1);
    all += 1;
  }
}
const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, n] of rows) console.log(`${((100 * n) / all).toFixed(1).padStart(5)}%  ${key}`);
console.log(`(${all} ${file.endsWith(".heapprofile") ? "bytes" : "samples"})`);
