/**
 * Fast paths added for serve's throughput give the answers of the plain code they skip:
 * timingSafeEqual (UTF-8 byte comparison) and artifactUrl (encodeURIComponent of the filename).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { timingSafeEqual } from "../../src/core/crypto.js";
import { artifactUrl } from "../../src/engines/tauri/update.js";
import type { Artifact } from "../../src/model/records.js";

const utf8Equal = (a: string, b: string) => {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

const text = fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "binary" }), fc.constantFrom("\uD800", "\uD801", "\uFFFD", "é", "e", "key-1"));

describe("fast paths", () => {
  it("timingSafeEqual answers as a comparison of UTF-8 bytes", () => {
    fc.assert(fc.property(text, text, (a, b) => {
      expect(timingSafeEqual(a, b)).toBe(utf8Equal(a, b));
      expect(timingSafeEqual(a, a)).toBe(true);
    }), { numRuns: 3000 });
    // Lone surrogates both become U+FFFD in UTF-8, as before.
    expect(timingSafeEqual("\uD800", "\uD801")).toBe(true);
  });

  it("artifactUrl encodes the filename as encodeURIComponent does", () => {
    const name = fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "grapheme" }), fc.constantFrom("app.AppImage.tar.gz", "a b", "a/b", "x%2F", "*'()!~"));
    fc.assert(fc.property(name, (filename) => {
      const url = artifactUrl("https://dl.example.com", "acc", { id: "art", filename } as Artifact);
      expect(url).toBe(`https://dl.example.com/v1/accounts/acc/artifacts/art/${encodeURIComponent(filename)}`);
    }), { numRuns: 2000 });
  });
});
