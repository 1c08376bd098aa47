/**
 * The fast PyPI rendering (escape only when needed, strings built in one pass, hex checksums and
 * wheel names read without regular expressions, one JSON shape per file) against the rendering as
 * it was (test/pypi/legacy-render.ts): the same bytes for fuzzed file names, metadata and checksums.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumDigest } from "../../src/core/checksum.js";
import { dataAttributes, pep503Hash, projectFiles, uploadTimeOf, versionFromFilename, type PypiFile } from "../../src/engines/pypi/files.js";
import { escapeHtml, renderIndexHtml, renderProjectHtml } from "../../src/engines/pypi/html.js";
import { renderProjectJson } from "../../src/engines/pypi/json.js";
import type { Artifact, Release } from "../../src/model/records.js";
import * as legacy from "./legacy-render.js";

/** Text with the characters escaping, URLs and wheel names care about, and some beyond ASCII. */
const text = fc.string({ unit: fc.constantFrom(...[..."aZ09-_.!~*'()&<>\"' /#%é€😀"], "\u0000"), maxLength: 24 });
const filename = fc.oneof(
  text,
  fc.tuple(fc.constantFrom("demo", "demo_pkg", "a-b"), fc.constantFrom("1.0", "2.0b1", "x"), fc.array(fc.constantFrom("py3", "none", "any", "1", "cp311"), { maxLength: 5 }), fc.constantFrom(".whl", ".WHL", ".tar.gz", ".zip", ".metadata", ".whl.metadata", ""))
    .map(([name, version, tags, ext]) => [name, version, ...tags].join("-") + ext),
);
const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF".split("")), minLength: n, maxLength: n });
const checksum = fc.oneof(fc.constant(null), hex(64), hex(63), hex(40), hex(128), hex(64).map((h) => `0x${h}`), fc.constant("q83vEjRWeJA="), text);
const instant = fc.oneof(
  fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5+02:00"),
);
const metadata = fc.dictionary(fc.constantFrom("requiresPython", "requires_python", "someKey", "some_key", "Bad Key", "yanked", "x"), fc.oneof(text, fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 })), { maxKeys: 3 });

const rows = fc.array(
  fc.record({
    release: fc.constantFrom("r1", "r2"), filename, checksum, created: instant, metadata,
    status: fc.constantFrom("UPLOADED", "YANKED", "WAITING"), blob: fc.constantFrom<string | null>("blob", null),
    filesize: fc.option(fc.nat(), { nil: null }),
  }),
  { maxLength: 12 },
).chain((list) => fc.record({ list: fc.constant(list), releaseStatus: fc.constantFrom("PUBLISHED", "YANKED"), reason: fc.option(text, { nil: undefined }) }))
  .map(({ list, releaseStatus, reason }) => {
    const releases = new Map<string, Release>();
    const releaseOf = (id: string) => {
      let r = releases.get(id);
      if (r === undefined) {
        r = { id, accountId: "a", productId: "p", packageId: "k", version: `${id}.0`, versionKey: "", channel: "stable", status: releaseStatus as Release["status"],
          tag: null, name: null, description: null, entitlements: [], metadata: reason === undefined ? {} : { yankedReason: reason }, created: "2024-01-01T00:00:00.000Z",
          updated: "2024-01-01T00:00:00.000Z", backdated: null, yanked: null };
        releases.set(id, r);
      }
      return r;
    };
    return list.map((x, i) => {
      const release = releaseOf(x.release);
      const artifact: Artifact = { id: `art-${i}`, accountId: "a", releaseId: release.id, filename: x.filename, filetype: null, platform: null, arch: null,
        filesize: x.filesize, checksum: x.checksum, signature: null, status: x.status as Artifact["status"], metadata: x.metadata, created: x.created, updated: x.created, blob: x.blob };
      return { artifact, release };
    });
  });

const url = (a: Artifact) => `http://h/v1/accounts/a/artifacts/${a.id}/${encodeURIComponent(a.filename)}`;

/** A page file without its published digests (legacy's shape). */
function digestless(f: PypiFile | legacy.PypiFile): Record<string, unknown> {
  const { hash: _hash, hashes: _hashes, coreMetadata, ...rest } = f as PypiFile;
  return { ...rest, coreMetadata: coreMetadata === null ? null : {} };
}

/** A file publishing only its fragment's hash, as the legacy JSON did. */
function oneHash(f: PypiFile): PypiFile {
  return { ...f, hashes: f.hash === null ? [] : [f.hash] };
}

describe("fast PyPI rendering", () => {
  it("escapes exactly as before", () => {
    fc.assert(fc.property(text, (t) => {
      expect(escapeHtml(t)).toBe(legacy.escapeHtml(t));
    }), { numRuns: 2000 });
  });

  it("reads checksums, wheel versions, upload times and data attributes as before", () => {
    fc.assert(fc.property(checksum, (c) => {
      expect(pep503Hash(c)).toStrictEqual(checksumDigest(c));
    }), { numRuns: 2000 });
    fc.assert(fc.property(filename, (f) => {
      expect(versionFromFilename(f)).toBe(legacy.versionFromFilename(f));
    }), { numRuns: 2000 });
    fc.assert(fc.property(instant, (d) => {
      expect(uploadTimeOf(d)).toBe(legacy.uploadTimeOf(d));
    }), { numRuns: 500 });
    fc.assert(fc.property(metadata, (m) => {
      expect(dataAttributes(m)).toStrictEqual(legacy.dataAttributes(m));
    }), { numRuns: 500 });
  });

  it("renders project pages, HTML and JSON, byte for byte as before", () => {
    fc.assert(
      fc.property(rows, text, text, (list, pkgName, accountName) => {
        const files = projectFiles(list, url);
        const before = legacy.projectFiles(list, url);
        // Issue 17 item 4 changed only which digests are published (core/checksum fileHashes): sha256
        // first whenever known, keygen-cli's checksum encodings read. Everything else is as before.
        expect(files.map(digestless)).toStrictEqual(before.map(digestless));
        files.forEach((f, i) => {
          const old = before[i]!.hash;
          if (old !== null) expect(f.hash, "a file never loses its hash fragment").not.toBeNull();
          if (old?.name === "sha256") expect(f.hash).toStrictEqual(old);
          expect(f.hashes[0] ?? null).toStrictEqual(f.hash);
        });
        expect(renderProjectHtml(pkgName, accountName, files)).toBe(legacy.renderProjectHtml(pkgName, accountName, files));
        expect(renderProjectJson(pkgName, files.map(oneHash))).toBe(legacy.renderProjectJson(pkgName, files));
      }),
      { numRuns: 1500 },
    );
  });

  it("renders the same pages for files in every state of the optional fields", () => {
    const file = fc.record({
      filename: text, url: text, hash: fc.option(fc.record({ name: fc.constantFrom("sha256", "md5"), hex: hex(8) }), { nil: null }),
      requiresPython: fc.option(text, { nil: null }), yanked: fc.option(text, { nil: null }),
      coreMetadata: fc.option(fc.record({ hash: fc.option(fc.record({ name: fc.constant("sha256"), hex: hex(8) }), { nil: null }) }), { nil: null }),
      size: fc.option(fc.nat(), { nil: null }), uploadTime: text, version: text,
      data: fc.array(fc.tuple(fc.constantFrom("a", "b-c"), text), { maxLength: 2 }),
    }).map((f) => ({ ...f, hashes: f.hash === null ? [] : [f.hash] })) as fc.Arbitrary<PypiFile>;
    fc.assert(
      fc.property(fc.array(file, { maxLength: 8 }), text, (files, name) => {
        expect(renderProjectHtml(name, "Acme", files)).toBe(legacy.renderProjectHtml(name, "Acme", files));
        expect(renderProjectJson(name, files)).toBe(legacy.renderProjectJson(name, files));
        const entries = files.map((f) => ({ name: f.filename, href: f.url, data: f.data }));
        expect(renderIndexHtml(name, entries)).toBe(legacy.renderIndexHtml(name, entries));
      }),
      { numRuns: 1500 },
    );
  });
});
