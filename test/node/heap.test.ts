import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, TSX } from "../helpers/process.js";

describe("collectGarbage", () => {
  it("frees a load's garbage and gives back the pages its survivors were scattered over", () => {
    // In a fresh process: a test worker's heap holds other files' garbage, which moves the figures.
    const out = execFileSync(process.execPath, [...TSX, join(ROOT, "test/node/heap-child.ts")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const r = JSON.parse(out) as { collected: boolean; records: number; treeDropped: boolean; plain: { total: number; used: number }; compacted: { total: number; used: number } };
    expect(r.collected).toBe(true);
    expect(r.records).toBe(300_000);
    expect(r.treeDropped).toBe(true);
    // Plain collections freed the garbage but kept half-full pages the survivors hold; compacting every page moves them together.
    expect(r.compacted.used).toBeLessThan(r.plain.used * 1.01);
    expect(r.compacted.total).toBeLessThan(r.plain.total - 2 * 2 ** 20);
  }, 120_000);
});
