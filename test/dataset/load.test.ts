import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestToken } from "../../src/auth/tokens.js";
import { DatasetError } from "../../src/core/errors.js";
import { loadDataset, loadParsedDataset } from "../../src/dataset/load.js";
import { conformanceDatasetFile } from "../../src/testing/fixture.js";

const minimal = (extra: Record<string, unknown> = {}) => ({
  accounts: [{
    slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789",
    products: [{ code: "cli", name: "CLI" }],
    packages: [{ product: "cli", key: "Acme_Tools.Extra", name: "Tools", engine: "pypi" }],
    releases: [{ product: "cli", package: "acme-tools-extra", version: "01.2" }],
    artifacts: [{ release: "1.2.0", filename: "acme_tools_extra-1.2.0.tar.gz" }],
    ...extra,
  }],
});

async function problems(input: unknown): Promise<Array<{ path: string; message: string }>> {
  try {
    await loadDataset(input);
  } catch (error) {
    if (error instanceof DatasetError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("loadDataset", () => {
  it("fills Keygen's defaults and a fixed instant for missing dates", async () => {
    const d = await loadDataset(minimal());
    expect(d.products[0]).toMatchObject({ distributionStrategy: "LICENSED", created: "1970-01-01T00:00:00.000Z" });
    expect(d.releases[0]).toMatchObject({ version: "1.2.0", channel: "stable", status: "DRAFT", created: "1970-01-01T00:00:00.000Z" });
    expect(d.artifacts[0]).toMatchObject({ status: "WAITING", filetype: "gz", blob: null });
  });

  it("normalises PyPI package keys per PEP 503 and leaves other engines' keys alone", async () => {
    const d = await loadDataset(minimal({ packages: [
      { product: "cli", key: "Acme_Tools.Extra", name: "Tools", engine: "pypi" },
      { product: "cli", key: "Acme_App", name: "App", engine: "tauri" },
    ] }));
    expect(d.packages.map((p) => p.key)).toEqual(["acme-tools-extra", "Acme_App"]);
  });

  it("derives the same ids from the same file every time, and different ids for different records", async () => {
    const a = await loadDataset(conformanceDatasetFile());
    const b = await loadDataset(conformanceDatasetFile());
    expect(a).toEqual(b);
    const m1 = await loadDataset(minimal());
    const m2 = await loadDataset(minimal());
    expect(m1.releases[0]?.id).toBe(m2.releases[0]?.id);
    expect(m1.releases[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ids = [...m1.accounts, ...m1.products, ...m1.packages, ...m1.releases, ...m1.artifacts, ...m1.engines].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps only token digests (HMAC-SHA256 over the account secret)", async () => {
    const raw = "prod-abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789v3";
    const d = await loadDataset(minimal({ tokens: [{ bearer: { type: "product", id: "cli" }, token: raw }] }));
    expect(d.tokens[0]?.digest).toBe(await digestToken("acme-secret-0123456789", raw));
    expect(JSON.stringify(d)).not.toContain(raw);
  });

  it("names releases by id, unique version, or <package or product>@<version>", async () => {
    const d = await loadDataset(minimal({
      packages: [{ product: "cli", key: "tools", name: "Tools", engine: "raw" }],
      releases: [
        { product: "cli", package: "tools", version: "1.0.0" },
        { product: "cli", version: "1.0.0" },
        { product: "cli", version: "2.0.0" },
      ],
      artifacts: [
        { release: "tools@1.0.0", filename: "a" },
        { release: "cli@1.0.0", filename: "b" },
        { release: "2.0.0", filename: "c" },
      ],
    }));
    const byName = Object.fromEntries(d.artifacts.map((a) => [a.filename, d.releases.find((r) => r.id === a.releaseId)]));
    expect(byName.a?.packageId).not.toBeNull();
    expect(byName.b?.packageId).toBeNull();
    expect(byName.c?.version).toBe("2.0.0");
    expect(await problems(minimal({
      releases: [{ product: "cli", version: "1.0.0" }, { product: "cli", package: "acme-tools-extra", version: "1.0.0" }],
      artifacts: [{ release: "1.0.0", filename: "x" }],
    }))).toEqual([{ path: "accounts[0].artifacts[0].release", message: expect.stringContaining("ambiguous") }]);
  });

  it("refuses duplicates, unknown references and channel mismatches, all at once", async () => {
    const found = await problems(minimal({
      products: [{ code: "cli", name: "CLI" }, { code: "CLI", name: "Again" }],
      releases: [
        { product: "cli", package: "acme-tools-extra", version: "1.0.0", entitlements: ["NOPE"] },
        { product: "cli", package: "acme-tools-extra", version: "1.0.0" },
        { product: "cli", package: "acme-tools-extra", version: "1.1.0-rc.1", channel: "beta" },
      ],
      artifacts: [],
      policies: [{ product: "ghost", name: "P" }],
      licenses: [{ policy: "P", key: "K" }, { policy: "missing", key: "K" }],
    }));
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      "accounts[0].products[1].code",
      "accounts[0].releases[0].entitlements[0]",
      "accounts[0].releases[1].version",
      "accounts[0].releases[2].channel",
      "accounts[0].policies[0].product",
      "accounts[0].licenses[1].policy",
      "accounts[0].licenses[1].key",
    ]));
  });

  it("rejects files outside the dataset folder and refuses files it cannot read", async () => {
    const readFile = async () => new Uint8Array([1, 2, 3]);
    const bad = await problems(minimal({ artifacts: [
      { release: "1.2.0", filename: "a", file: "../secret" },
      { release: "1.2.0", filename: "b", file: "/etc/passwd" },
    ] }));
    expect(bad.map((p) => p.path)).toEqual(["accounts[0].artifacts[0].file", "accounts[0].artifacts[1].file"]);
    const d = await loadDataset(minimal({ artifacts: [{ release: "1.2.0", filename: "a", file: "./blobs/a.bin" }] }), { readFile });
    expect(d.artifacts[0]).toMatchObject({ blob: "blobs/a.bin", filesize: 3, status: "UPLOADED", checksum: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81" });
    const mismatch = await problems(minimal({ artifacts: [{ release: "1.2.0", filename: "a", file: "a.bin", filesize: 4, checksum: "A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E=" }] }));
    expect(mismatch.map((p) => p.path)).toEqual(["accounts[0].artifacts[0].file"]);
  });

  it("accepts a base64 checksum equal to the file's sha256 and refuses one that differs", async () => {
    const readFile = async () => new Uint8Array([1, 2, 3]);
    const ok = { release: "1.2.0", filename: "a", file: "a.bin", checksum: "A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E=" };
    await expect(loadDataset(minimal({ artifacts: [ok] }), { readFile })).resolves.toBeTruthy();
    const bad = { ...ok, checksum: "B5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E=" };
    await expect(loadDataset(minimal({ artifacts: [bad] }), { readFile })).rejects.toThrow(DatasetError);
  });

  it("bounds metadata as Keygen does (16 KB of JSON, 4 levels, 64 keys) on the fast path and through zod alike", async () => {
    const nest = (levels: number): Record<string, unknown> => (levels === 1 ? { x: 1 } : { x: nest(levels - 1) });
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    const ok = [nest(4), keys(64), { s: "x".repeat(16 * 1024 - 8) }, { list: [[[1]]] }, { "é": "é".repeat(5000) }];
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [nest(5), /4 levels/], [{ list: [[[[1]]]] }, /4 levels/], [keys(65), /64 keys/],
      [{ s: "x".repeat(16 * 1024 - 7) }, /16384 bytes/], [{ s: "é".repeat(8200) }, /16384 bytes/], [{ big: "x".repeat(1 << 20) }, /16384 bytes/],
    ];
    // The same record on the fast shape path and, with an unknown key on the product, through zod.
    const withMeta = (metadata: Record<string, unknown>, slow: boolean) => minimal({
      products: [{ code: "cli", name: "CLI", ...(slow ? { extra: true } : {}) }],
      releases: [{ product: "cli", package: "acme-tools-extra", version: "01.2", metadata }],
    });
    for (const metadata of ok) await expect(loadDataset(withMeta(metadata, false))).resolves.toBeTruthy();
    for (const [metadata, message] of bad) {
      for (const slow of [false, true]) {
        const found = await problems(withMeta(metadata, slow));
        expect(found).toContainEqual({ path: "accounts[0].releases[0].metadata", message: expect.stringMatching(message) });
      }
    }
  });

  it("refuses a slug shaped like a UUID", async () => {
    const file = minimal();
    file.accounts[0]!.slug = "0b6e9a40-3f43-4c4e-9a4a-2f0e8e7c1d11";
    expect(await problems(file)).toEqual([{ path: "accounts[0].slug", message: "must not look like a UUID" }]);
  });

  it("reports a reader that cannot use a file as a problem of that file", async () => {
    const readFile = async () => {
      throw new Error("not a regular file");
    };
    expect(await problems(minimal({ artifacts: [{ release: "1.2.0", filename: "a", file: "pipe" }] }))).toHaveLength(1);
    await expect(loadDataset(minimal({ artifacts: [{ release: "1.2.0", filename: "a", file: "pipe" }] }), { readFile })).rejects.toMatchObject({
      problems: [{ path: "accounts[0].artifacts[0].file", message: "cannot read pipe: not a regular file" }],
    });
  });

  it("never throws anything but a DatasetError on arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        try {
          await loadDataset(value);
        } catch (error) {
          expect(error).toBeInstanceOf(DatasetError);
          expect((error as DatasetError).problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("loads a parse it owns to the same records, keeping its metadata records and one-code lists", async () => {
    const input = () => minimal({
      entitlements: [{ code: "PRO" }, { code: "ENT" }],
      releases: [
        { product: "cli", package: "acme-tools-extra", version: "01.2", entitlements: ["PRO"], metadata: { a: 1 } },
        { product: "cli", package: "acme-tools-extra", version: "1.3.0", entitlements: ["PRO", "PRO", "ENT"] },
      ],
      artifacts: [{ release: "1.2.0", filename: "a.tar.gz", metadata: { b: [1] } }, { release: "1.3.0", filename: "b.tar.gz" }],
    });
    const parsed = input();
    const owned = await loadParsedDataset(parsed);
    expect(owned).toStrictEqual(await loadDataset(input()));
    const acc = parsed.accounts[0] as { releases: Array<{ metadata?: unknown; entitlements?: unknown }>; artifacts: Array<{ metadata?: unknown }> };
    expect(owned.releases[0]?.metadata).toBe(acc.releases[0]?.metadata);
    expect(owned.releases[0]?.entitlements).toBe(acc.releases[0]?.entitlements);
    expect(owned.releases[1]?.entitlements).toStrictEqual(["PRO", "ENT"]);
    expect(owned.artifacts[0]?.metadata).toBe(acc.artifacts[0]?.metadata);
    // Through zod (an unknown key): the same problems as loadDataset finds.
    const odd = input() as { accounts: Array<Record<string, unknown>> };
    odd.accounts[0]!.products = [{ code: "cli", name: "CLI", extra: 1 }];
    expect(await problems(odd)).toStrictEqual(await problems(structuredClone(odd)));
    await expect(loadParsedDataset(odd)).rejects.toMatchObject({ problems: [{ path: "accounts[0].products[0]", message: expect.stringContaining("extra") }] });
  });
});
