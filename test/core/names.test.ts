import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeProjectName } from "../../src/core/names.js";

/** PEP 503's rule as the PEP writes it. */
const pep503 = (name: string) => name.replace(/[-_.]+/g, "-").toLowerCase();

describe("normalizeProjectName", () => {
  it("gives PEP 503's normal form, the names already normal included", () => {
    for (const name of ["", "-", "--", "a--b", "a-b", "demo-pkg", "Demo_Pkg", "a.b", "a-_.b", "ABC", "İx", "ä-b", "x-", "-x", "0-9"]) {
      expect(normalizeProjectName(name)).toBe(pep503(name));
    }
    const chars = fc.constantFrom(..."aZz09-_.Ä ßİ".split(""));
    fc.assert(fc.property(fc.array(chars, { maxLength: 12 }).map((c) => c.join("")), (name) => {
      expect(normalizeProjectName(name)).toBe(pep503(name));
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (name) => {
      expect(normalizeProjectName(name)).toBe(pep503(name));
    }));
  });
});
