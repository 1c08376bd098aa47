// Run by test/node/heap.test.ts in a process of its own, so the heap it measures holds only this load.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { collectGarbage } from "../../src/node/heap.js";

setFlagsFromString("--expose-gc");
const plainGc = runInNewContext("gc") as () => void;
// A load's shape (large enough that what compacting gives back, 20-35 MiB here, dwarfs how far V8's own collections vary): a large parsed tree with the records built from it interleaved, then the tree dropped.
let tree: Array<{ n: number; text: string; list: number[] }> | null = [];
const records: Array<{ n: number; text: string; list: number[] }> = [];
for (let i = 0; i < 1_200_000; i++) {
  tree.push({ n: i, text: `item ${i}`, list: [i, i + 1, i + 2] });
  if (i % 4 !== 0) records.push({ n: i, text: `item ${i}`, list: [i] });
}
tree = null;
// Two plain collections: the second already evacuates the pages V8's heuristics call sparse.
plainGc();
plainGc();
const plain = process.memoryUsage();
const collected = collectGarbage();
const compacted = process.memoryUsage();
process.stdout.write(JSON.stringify({ collected, records: records.length, treeDropped: tree === null, plain: { total: plain.heapTotal, used: plain.heapUsed }, compacted: { total: compacted.heapTotal, used: compacted.heapUsed } }));
