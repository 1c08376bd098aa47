/**
 * The incremental SHA-256 and SHA-512 agree with node:crypto for every length around the block and padding
 * boundaries, however the input is split into chunks.
 */
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sha256, sha256HexOfText } from "../../src/core/sha256.js";
import { Sha512 } from "../../src/core/sha512.js";

const reference = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("Sha256", () => {
  it("hashes a text's UTF-8 in one call as node:crypto does, for every length around the padding boundaries, for a text too long to keep its buffer, and after longer texts", () => {
    const texts = ["", "abc", "é€😀", "x".repeat(100_000), "é".repeat(600_000)];
    for (let length = 0; length <= 200; length++) texts.push("aé€😀".repeat(length).slice(0, length), randomBytes(length).toString("latin1"));
    texts.push("short again");
    for (const text of texts) expect(sha256HexOfText(text), `length ${text.length}`).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  it("matches the FIPS 180-2 examples", () => {
    expect(new Sha256().hex()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(new Sha256().update(new TextEncoder().encode("abc")).hex()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const long = new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    expect(new Sha256().update(long).hex()).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("matches node:crypto for lengths 0–300 in one piece and in random chunks", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(new Sha256().update(bytes).hex(), `length ${length}`).toBe(reference(bytes));
      const split = new Sha256();
      for (let at = 0; at < length; ) {
        const take = Math.min(length - at, 1 + Math.floor(Math.random() * 70));
        split.update(bytes.subarray(at, at + take));
        at += take;
      }
      expect(split.hex(), `chunked length ${length}`).toBe(reference(bytes));
    }
  });

  it("matches node:crypto on a megabyte fed in uneven chunks", () => {
    const bytes = randomBytes(1 << 20);
    const h = new Sha256();
    for (let at = 0; at < bytes.length; at += 65_521) h.update(bytes.subarray(at, at + 65_521));
    expect(h.hex()).toBe(reference(bytes));
  });
});

const reference512 = (bytes: Uint8Array) => createHash("sha512").update(bytes).digest("hex");

describe("Sha512", () => {
  it("matches the FIPS 180-2 examples", () => {
    expect(new Sha512().update(new TextEncoder().encode("abc")).hex()).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    expect(new Sha512().hex()).toBe(reference512(new Uint8Array(0)));
  });

  it("matches node:crypto for lengths 0–400 in one piece and in random chunks, and on a megabyte", () => {
    for (let length = 0; length <= 400; length++) {
      const bytes = randomBytes(length);
      expect(new Sha512().update(bytes).hex(), `length ${length}`).toBe(reference512(bytes));
      const split = new Sha512();
      for (let at = 0; at < length; ) {
        const take = Math.min(length - at, 1 + Math.floor(Math.random() * 150));
        split.update(bytes.subarray(at, at + take));
        at += take;
      }
      expect(split.hex(), `chunked length ${length}`).toBe(reference512(bytes));
    }
    const big = randomBytes(1 << 20);
    const h = new Sha512();
    for (let at = 0; at < big.length; at += 65_521) h.update(big.subarray(at, at + 65_521));
    expect(h.hex()).toBe(reference512(big));
  });
});
