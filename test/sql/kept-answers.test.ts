/**
 * sql/kept-answers: answers by method and argument list, bounded by two generations; an answer in
 * use survives any number of rotations, one not used since the last two is gone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Scope } from "../../src/access/scope.js";
import { KeptAnswers } from "../../src/sql/kept-answers.js";

describe("sql/kept-answers", () => {
  it("keeps each method and argument list apart: strings (NUL-led ones too), objects by field, anything else", () => {
    const text = fc.oneof(fc.string(), fc.constantFrom("", "\u0000", "\u0000.", "\u0000n", "\u0000u", "\u0000{", "\u0000}", "\u0000s", "\u0000j1"));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(tie("value"), { maxLength: 2 }), fc.dictionary(text, tie("value"), { maxKeys: 3 })),
    }));
    // Two lists count as one only when they print alike with undefined, key order and -0 told apart.
    const print = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (v === undefined ? { undef: "\u0000" } : Object.is(v, -0) ? { minusZero: 1 } : v));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.constantFrom("a", "b"), fc.array(value, { maxLength: 3 })), { selector: print }), (lists) => {
        const kept = new KeptAnswers<string>(10_000);
        for (const [name, args] of lists) kept.set(name, args, print([name, args]));
        for (const [name, args] of lists) expect(kept.get(name, args)).toBe(print([name, args]));
        expect(kept.get("c", [])).toBeUndefined();
      }),
    );
  });

  it("keys a scope by what it lets the caller see: equal scopes share an answer, different ones do not", () => {
    const scope = (products: string[], all = false): Scope => ({ all, products, grants: [{ productId: "p", entitlements: ["E"], cutoff: null }], licensedProducts: ["p"] } as unknown as Scope);
    const kept = new KeptAnswers<string>(100);
    kept.set("findRawArtifact", [{ accountId: "a", release: "latest", scope: scope(["x"]) }], "x");
    expect(kept.get("findRawArtifact", [{ accountId: "a", release: "latest", scope: scope(["x"]) }])).toBe("x");
    expect(kept.get("findRawArtifact", [{ accountId: "a", release: "latest", scope: scope(["y"]) }])).toBeUndefined();
    expect(kept.get("findRawArtifact", [{ accountId: "a", release: "latest", scope: scope(["x"], true) }])).toBeUndefined();
    kept.set("listPackages", ["a", "pypi", scope([])], "list");
    expect(kept.get("listPackages", ["a", "pypi", scope([])])).toBe("list");
    expect(kept.get("listPackages", ["a", "pypi", scope(["x"])])).toBeUndefined();
  });

  it("holds at most twice its limit, and an answer read between rotations outlives every one of them", () => {
    const kept = new KeptAnswers<number>(100);
    kept.set("getAccount", ["hot"], 1);
    for (let i = 0; i < 10_000; i++) {
      kept.set("getPackage", ["acc", `p${i}`], i);
      expect(kept.size).toBeLessThanOrEqual(200);
      if (i % 50 === 0) expect(kept.get("getAccount", ["hot"])).toBe(1);
    }
    expect(kept.get("getPackage", ["acc", "p0"])).toBeUndefined();
    expect(kept.get("getPackage", ["acc", "p9999"])).toBe(9999);
  });

  it("keeps the limit's most recently used: a round robin over as many answers misses none after its first pass", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 250 }), (limit, extra) => {
        const kept = new KeptAnswers<number>(limit);
        // Some answers before the round robin, so it starts at any point of a generation.
        for (let i = 0; i < extra; i++) kept.set("other", [String(i)], i);
        let misses = 0;
        for (let round = 0; round < 4; round++) {
          for (let i = 0; i < limit; i++) {
            if (kept.get("m", [String(i)]) === undefined) {
              if (round > 0) misses++;
              kept.set("m", [String(i)], i);
            }
          }
        }
        expect(misses).toBe(0);
      }),
    );
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
