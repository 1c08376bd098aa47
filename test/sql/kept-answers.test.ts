/**
 * sql/kept-answers: answers by method and argument list, bounded by two generations; an answer in
 * use survives any number of rotations, one not used since the last two is gone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeptAnswers } from "../../src/sql/kept-answers.js";

describe("sql/kept-answers", () => {
  it("keeps each method and argument list apart, strings, non-strings and empty lists alike", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.constantFrom("a", "b"), fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 })), { selector: (x) => JSON.stringify(x) }), (lists) => {
        const kept = new KeptAnswers<string>(10_000);
        for (const [name, args] of lists) kept.set(name, args, JSON.stringify([name, args]));
        for (const [name, args] of lists) expect(kept.get(name, args)).toBe(JSON.stringify([name, args]));
        expect(kept.get("c", [])).toBeUndefined();
      }),
    );
  });

  it("holds at most its limit, and an answer read between rotations outlives every one of them", () => {
    const kept = new KeptAnswers<number>(100);
    kept.set("getAccount", ["hot"], 1);
    for (let i = 0; i < 10_000; i++) {
      kept.set("getPackage", ["acc", `p${i}`], i);
      expect(kept.size).toBeLessThanOrEqual(100);
      if (i % 25 === 0) expect(kept.get("getAccount", ["hot"])).toBe(1);
    }
    expect(kept.get("getPackage", ["acc", "p0"])).toBeUndefined();
    expect(kept.get("getPackage", ["acc", "p9999"])).toBe(9999);
  });

  it("forgets a list only when the answer kept is the one named", () => {
    const kept = new KeptAnswers<object>(100);
    const first = {};
    const second = {};
    kept.set("m", ["x"], first);
    kept.set("m", ["x"], second);
    kept.delete("m", ["x"], first);
    expect(kept.get("m", ["x"])).toBe(second);
    kept.delete("m", ["x"], second);
    expect(kept.has("m", ["x"])).toBe(false);
    expect(kept.size).toBe(0);
  });
});
