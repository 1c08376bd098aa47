import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/node/heap.js";

describe("collectGarbage", () => {
  it("frees a load's garbage and gives back the pages its survivors were scattered over", () => {
    setFlagsFromString("--expose-gc");
    const plainGc = runInNewContext("gc") as () => void;
    // A load's shape: a large parsed tree with the records built from it interleaved, then the tree dropped.
    let tree: Array<{ n: number; text: string; list: number[] }> | null = [];
    const records: Array<{ n: number; text: string; list: number[] }> = [];
    for (let i = 0; i < 400_000; i++) {
      tree.push({ n: i, text: `item ${i}`, list: [i, i + 1, i + 2] });
      if (i % 4 !== 0) records.push({ n: i, text: `item ${i}`, list: [i] });
    }
    tree = null;
    // Two plain collections: the second already evacuates the pages V8's heuristics call sparse.
    plainGc();
    plainGc();
    const afterPlain = process.memoryUsage().heapTotal;
    expect(collectGarbage()).toBe(true);
    const afterCompacting = process.memoryUsage().heapTotal;
    expect(records.length).toBe(300_000);
    expect(tree).toBeNull();
    // Plain collections freed the garbage but kept half-full pages the survivors hold; compacting every page moves them together.
    expect(afterCompacting).toBeLessThan(afterPlain - 4 * 2 ** 20);
  });
});
