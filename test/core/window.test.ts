import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withinWindow } from "../../src/access/scope.js";
import type { Release } from "../../src/model/records.js";

const release = (created: string, backdated: string | null) => ({ created, backdated }) as Release;

describe("withinWindow", () => {
  it("agrees with comparing parsed instants, whatever the ISO form of either side", () => {
    const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });
    const forms = (t: number) => [new Date(t).toISOString(), new Date(t).toISOString().replace(".000Z", "Z"), new Date(t).toISOString().replace("Z", "+00:00")];
    fc.assert(
      fc.property(instant, fc.option(instant), instant, fc.nat(2), fc.nat(2), fc.constantFrom("effective" as const, "either" as const), (c, b, cut, i, j, rule) => {
        const r = release(forms(c)[i] as string, b === null ? null : (forms(b)[j] as string));
        const cutoff = forms(cut)[(i + j) % 3] as string;
        const expected = rule === "either" ? c <= cut || (b !== null && b <= cut) : (b ?? c) <= cut;
        expect(withinWindow(r, cutoff, rule)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
  it("lets everything through without a cutoff", () => {
    expect(withinWindow(release("2030-01-01T00:00:00.000Z", null), null)).toBe(true);
  });
});
