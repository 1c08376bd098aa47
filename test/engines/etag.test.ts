import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ifNoneMatchHits, weakEtag } from "../../src/engines/etag.js";

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

describe("ifNoneMatchHits", () => {
  const tag = 'W/"0123abcd"';
  it("answers 304 for the tag echoed, either form of it, a list holding it, or *", () => {
    expect(ifNoneMatchHits(tag, tag)).toBe(true);
    expect(ifNoneMatchHits('"0123abcd"', tag)).toBe(true);
    expect(ifNoneMatchHits(tag, '"0123abcd"')).toBe(true);
    expect(ifNoneMatchHits(`"other", ${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHits(` W/"x" ,W/"0123abcd" `, tag)).toBe(true);
    expect(ifNoneMatchHits("*", tag)).toBe(true);
  });
  it("does not for no header, another tag, or a tag that only contains this one", () => {
    expect(ifNoneMatchHits(null, tag)).toBe(false);
    expect(ifNoneMatchHits('W/"0123abce"', tag)).toBe(false);
    expect(ifNoneMatchHits('W/"0123abc', tag)).toBe(false);
    expect(ifNoneMatchHits('W/W/"0123abcd"', tag)).toBe(false);
    expect(ifNoneMatchHits("", tag)).toBe(false);
  });
  it("agrees with a split-and-compare over any list of tags", () => {
    const anyTag = fc.oneof(fc.constant(tag), fc.constant('"0123abcd"'), fc.constant("*"), fc.stringMatching(/^(W\/)?"[a-z0-9]{0,6}"$/));
    fc.assert(fc.property(fc.array(anyTag, { maxLength: 4 }), fc.array(fc.constantFrom("", " ", "\t"), { minLength: 8, maxLength: 8 }), (tags, pad) => {
      const header = tags.map((t, i) => `${pad[i] ?? ""}${t}${pad[i + 4] ?? ""}`).join(",");
      const expected = tags.some((t) => t === "*" || t.replace(/^W\//, "") === '"0123abcd"');
      expect(ifNoneMatchHits(header, tag)).toBe(expected);
    }));
  });
});
