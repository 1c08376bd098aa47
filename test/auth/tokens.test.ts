import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestToken, generateToken, TOKEN_PREFIXES, type TokenKind } from "../../src/auth/tokens.js";
import { timingSafeEqual } from "../../src/core/crypto.js";

describe("tokens", () => {
  it.each(Object.entries(TOKEN_PREFIXES))("generateToken(%s) is Keygen's v3 format with prefix %s", (kind, prefix) => {
    const a = generateToken(kind as TokenKind);
    const b = generateToken(kind as TokenKind);
    const hexLength = kind === "license" ? 32 : 64;
    expect(a).toMatch(new RegExp(`^${prefix}-[0-9a-f]{${hexLength}}v3$`));
    expect(a).not.toBe(b);
  });

  it("digestToken is hex HMAC-SHA256 under the secret, different per secret", async () => {
    const d = await digestToken("secret-one", "prod-abcv3");
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(await digestToken("secret-one", "prod-abcv3")).toBe(d);
    expect(await digestToken("secret-two", "prod-abcv3")).not.toBe(d);
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(await digestToken("Jefe", "what do ya want for nothing?")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("timingSafeEqual compares whole strings", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "ab")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("authentication and the access rules use Web APIs only (no node: imports, Buffer or process)", () => {
    const root = join(import.meta.dirname, "../../src");
    const files = ["auth", "access"].flatMap((dir) => readdirSync(join(root, dir)).map((f) => join(root, dir, f)));
    expect(files.some((f) => f.endsWith("scope.ts"))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect({ file, hits: text.match(/from "node:|\bBuffer\b|\bprocess\./g) }).toEqual({ file, hits: null });
    }
  });
});
