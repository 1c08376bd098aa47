/**
 * Which digests a page publishes for a file (issue 17 item 4): core/checksum `fileHashes` reads a
 * checksum in every encoding keygen-cli writes (keygen-sh/keygen-cli `cmd/upload.go`: sha512 in
 * `base64.RawStdEncoding` by default; SPEC §3 item 22: hex, base64, unpadded base64, base64url of
 * sha-256 or sha-512) and puts the sha256 first whenever it is known.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fileHashes } from "../../src/core/checksum.js";
import { loadDataset } from "../../src/dataset/load.js";

const bytes = Buffer.from("the file's bytes\n");
const sha256 = createHash("sha256").update(bytes).digest();
const sha512 = createHash("sha512").update(bytes).digest();
const encodings = (d: Buffer) => ({
  hex: d.toString("hex"),
  HEX: d.toString("hex").toUpperCase(),
  base64: d.toString("base64"),
  base64raw: d.toString("base64").replace(/=+$/, ""),
  base64url: d.toString("base64url"),
});

describe("fileHashes (core/checksum)", () => {
  it("reads sha-256 and sha-512 in hex, base64, unpadded base64 and base64url", () => {
    for (const [name, digest] of [["sha256", sha256], ["sha512", sha512]] as const) {
      for (const [encoding, text] of Object.entries(encodings(digest))) {
        expect(fileHashes(text, {}), `${name} ${encoding}`).toEqual([{ name, hex: digest.toString("hex") }]);
      }
    }
  });

  it("puts the sha256 kept beside a sha-512 checksum first, so the URL fragment is always sha256", () => {
    const checksum = encodings(sha512).base64raw;
    expect(fileHashes(checksum, { sha256: sha256.toString("hex") })).toEqual([
      { name: "sha256", hex: sha256.toString("hex") },
      { name: "sha512", hex: sha512.toString("hex") },
    ]);
    // A sha256 checksum is its own: metadata does not add a second one.
    expect(fileHashes(sha256.toString("hex"), { sha256: "f".repeat(64) })).toEqual([{ name: "sha256", hex: sha256.toString("hex") }]);
    expect(fileHashes(null, {})).toEqual([]);
    expect(fileHashes("not a digest", { sha256: "nope" })).toEqual([]);
  });
});

describe("dataset checksums are checked against the file on load (dataset/files)", () => {
  const load = (checksum: string) =>
    loadDataset(
      {
        accounts: [{
          slug: "a", name: "A", secretKey: "a-secret-key-0123456789abcdef",
          products: [{ code: "p", name: "P" }],
          releases: [{ id: "00000000-0000-4000-8000-00000000a001", product: "p", version: "1.0.0" }],
          artifacts: [{ release: "00000000-0000-4000-8000-00000000a001", filename: "f.bin", file: "f.bin", checksum }],
        }],
      },
      { readFile: async () => new Uint8Array(bytes) },
    );

  it("every keygen-cli encoding of the right sha-256 or sha-512 loads; a sha-512 gets the file's sha256 beside it", async () => {
    for (const digest of [sha256, sha512]) {
      for (const text of Object.values(encodings(digest))) {
        const dataset = await load(text);
        expect(dataset.artifacts[0]?.checksum).toBe(text);
        expect(dataset.artifacts[0]?.metadata.sha256).toBe(digest === sha512 ? sha256.toString("hex") : undefined);
      }
    }
  });

  it("a wrong sha-512 or sha-256, in any encoding, is a problem at the checksum", async () => {
    const other = Buffer.from("other bytes");
    for (const alg of ["sha256", "sha512"] as const) {
      for (const text of Object.values(encodings(createHash(alg).update(other).digest()))) {
        await expect(load(text)).rejects.toMatchObject({ problems: [{ path: expect.stringMatching(/artifacts\[0\]\.checksum$/), message: `does not match the file's ${alg}` }] });
      }
    }
  });
});
