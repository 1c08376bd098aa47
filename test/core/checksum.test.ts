/**
 * Declared upload checksums: every encoding keygen-cli writes (SPEC §3 item 22), and nothing else.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumMatches, declaredDigest } from "../../src/core/checksum.js";

const bytes = new TextEncoder().encode("the bytes of a wheel");
const sha256 = createHash("sha256").update(bytes).digest();
const sha512 = createHash("sha512").update(bytes).digest();
const received = { sha256: sha256.toString("hex"), sha512: sha512.toString("hex") };

/** Every accepted spelling of one digest. */
function encodings(digest: Buffer): string[] {
  const hex = digest.toString("hex");
  const b64 = digest.toString("base64");
  const url = digest.toString("base64url");
  return [hex, hex.toUpperCase(), `0x${hex}`, b64, b64.replace(/=+$/, ""), url, `${url}${"=".repeat((4 - (url.length % 4)) % 4)}`];
}

describe("declared upload checksums", () => {
  it("accepts SHA-256 and SHA-512 as hex, base64, unpadded base64 and base64url", () => {
    for (const [digest, name] of [[sha256, "sha256"], [sha512, "sha512"]] as const) {
      for (const text of encodings(digest)) {
        expect(declaredDigest(text), text).toEqual({ name, hex: digest.toString("hex") });
        expect(checksumMatches(text, received), text).toBe(true);
      }
    }
  });

  it("refuses digests of other bytes, other lengths and other alphabets", () => {
    const other = createHash("sha256").update("other bytes").digest();
    for (const text of encodings(other)) expect(checksumMatches(text, received)).toBe(false);
    const md5 = createHash("md5").update(bytes).digest();
    for (const text of [...encodings(md5), "", "0x", "zz", received.sha256.slice(1), `${received.sha256}0`, "====", "a", `${sha256.toString("base64")}=`, ` ${received.sha256}`]) {
      expect(declaredDigest(text), text).toBeNull();
      expect(checksumMatches(text, received), text).toBe(false);
    }
    // Mixed alphabets are neither base64 nor base64url.
    const mixed = Buffer.from(Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 0xfb : 0xff))).toString("base64");
    expect(mixed).toMatch(/[+/]/);
    expect(declaredDigest(mixed.replace("+", "-"))).toBeNull();
  });

  it("never matches a SHA-512 checksum against bytes whose SHA-512 was not computed", () => {
    expect(checksumMatches(received.sha512, { sha256: received.sha256 })).toBe(false);
  });

  it("decodes any digest of 32 or 64 bytes in every encoding to its hex, and every other length to null", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (raw) => {
        const digest = Buffer.from(raw);
        const expected = raw.length === 32 ? { name: "sha256", hex: digest.toString("hex") } : raw.length === 64 ? { name: "sha512", hex: digest.toString("hex") } : null;
        for (const text of encodings(digest).slice(3)) expect(declaredDigest(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
