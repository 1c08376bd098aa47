import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortIfNeeded } from "../../src/store/memory-order.js";

describe("sortIfNeeded", () => {
  it("orders short and long lists as a stable Array.prototype.sort does", () => {
    // Items with few keys, so that ties are common and stability shows.
    const items = fc.array(fc.record({ key: fc.integer({ min: 0, max: 4 }), at: fc.nat() }), { maxLength: 24 });
    fc.assert(
      fc.property(items, (list) => {
        const compare = (a: { key: number }, b: { key: number }) => b.key - a.key;
        const expected = list.slice().sort(compare);
        const got = list.slice();
        sortIfNeeded(got, compare);
        expect(got).toStrictEqual(expected);
        // Same objects, same order (not only equal values).
        expect(got.every((x, i) => x === expected[i])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("reverses a list in strictly the reverse order, and leaves one with ties to the stable sort", () => {
    const compare = (a: { key: number }, b: { key: number }) => b.key - a.key;
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), fc.boolean(), (keys, tie) => {
        const list = keys.sort((a, b) => a - b).map((key, at) => ({ key, at }));
        if (tie && list.length > 1) list.push({ key: (list[list.length - 1] as { key: number }).key, at: -1 });
        const expected = list.slice().sort(compare);
        sortIfNeeded(list, compare);
        expect(list).toStrictEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
