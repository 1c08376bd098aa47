/**
 * @module bench/w4-memory-child — one W4 measurement in a fresh process (run with --expose-gc):
 * heap and resident memory before, after building N releases as records, and after loading them
 * into the memory store. Prints one JSON line.
 */
import { createMemoryStore } from "../dist/index.js";
import { buildWorld } from "./lib/world.mjs";

const n = Number(process.argv[2]);
const settle = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
};
const base = settle();
const ds = buildWorld({ tauri: n });
const withDataset = settle();
const store = createMemoryStore(ds);
const withStore = settle();
// Keep both alive until measured.
if (ds.releases.length !== n || typeof store.findUpgrade !== "function") process.exit(1);
console.log(JSON.stringify({ n, base, withDataset, withStore }));
