import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { weakEtag } from "../../src/engines/etag.js";

describe("weakEtag", () => {
  it("is a weak tag of 32 hex digits, the same for the same text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const tag = weakEtag(text);
        expect(tag).toMatch(/^W\/"[0-9a-f]{32}"$/);
        expect(weakEtag(`${text}`)).toBe(tag);
      }),
      { numRuns: 300 },
    );
  });

  it("differs for texts that differ, even by one character or only in order", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1 }), fc.nat(), fc.integer({ min: 1, max: 0xffff }), (text, at, delta) => {
        const i = at % text.length;
        const changed = text.slice(0, i) + String.fromCharCode((text.charCodeAt(i) + delta) % 0x10000) + text.slice(i + 1);
        expect(weakEtag(changed)).not.toBe(weakEtag(text));
      }),
      { numRuns: 1000 },
    );
    expect(weakEtag("ab")).not.toBe(weakEtag("ba"));
    expect(weakEtag("")).not.toBe(weakEtag("\u0000"));
  });

  it("gives 10,000 distinct bodies 10,000 distinct tags", () => {
    const tags = new Set<string>();
    for (let i = 0; i < 10_000; i++) tags.add(weakEtag(JSON.stringify({ version: `1.${i}.0`, url: `https://x/${i}` })));
    expect(tags.size).toBe(10_000);
  });
});
