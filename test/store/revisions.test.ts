/**
 * Memory store revisions come from content: stores of one dataset (in one process or, through the
 * dataset file, in two: see test/sql/etags-across-servers.test.ts) give the same revisions, a write
 * moves the revisions of what it touched only, and the same write on another store gives the same again.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { contentRevision } from "../../src/store/memory-revisions.js";
import { conformanceDataset, IDS } from "../../src/testing/fixture.js";

const A = IDS.account;
const AT = new Date("2026-03-01T00:00:00Z");
const release = { id: "00000000-0000-4000-8000-00000000f001", productId: IDS.productOpen, packageId: IDS.pkgOpenPypi, version: "0.3.0", channel: "stable" as const, status: "PUBLISHED" as const, tag: null, name: null, description: null, entitlements: [], metadata: {}, backdated: null };

describe("memory store revisions", () => {
  it("are equal for stores built from one dataset, read-only or writable, and differ between packages", async () => {
    const [one, two, writable] = [createMemoryStore(await conformanceDataset()), createMemoryStore(await conformanceDataset()), createWritableMemoryStore(await conformanceDataset())];
    for (const s of [two, writable]) {
      expect(await s.getPackageRevision(A, IDS.pkgPypi)).toBe(await one.getPackageRevision(A, IDS.pkgPypi));
      expect(await s.getAccountRevision(A)).toBe(await one.getAccountRevision(A));
    }
    expect(await one.getPackageRevision(A, IDS.pkgPypi)).not.toBe(await one.getPackageRevision(A, IDS.pkgOpenPypi));
    expect(await one.getAccountRevision(A)).not.toBe(await one.getAccountRevision(IDS.otherAccount));
  });

  it("move with a write to the package only, and the same write elsewhere gives the same revision", async () => {
    const [a, b] = [createWritableMemoryStore(await conformanceDataset()), createWritableMemoryStore(await conformanceDataset())];
    const [pkg, other, account] = [await a.getPackageRevision(A, IDS.pkgOpenPypi), await a.getPackageRevision(A, IDS.pkgPypi), await a.getAccountRevision(A)];
    await a.createRelease(A, release, AT);
    expect(await a.getPackageRevision(A, IDS.pkgOpenPypi)).not.toBe(pkg);
    expect(await a.getPackageRevision(A, IDS.pkgPypi)).toBe(other);
    expect(await a.getAccountRevision(A)).toBe(account);
    expect(await b.getPackageRevision(A, IDS.pkgOpenPypi)).toBe(pkg);
    await b.createRelease(A, release, AT);
    expect(await b.getPackageRevision(A, IDS.pkgOpenPypi)).toBe(await a.getPackageRevision(A, IDS.pkgOpenPypi));
    await a.setReleaseStatus(A, release.id, "YANKED", AT);
    expect(await a.getPackageRevision(A, IDS.pkgOpenPypi)).not.toBe(await b.getPackageRevision(A, IDS.pkgOpenPypi));
  });

  it("are the SHA-256 of the records' JSON with keys sorted, undefined members left out and each record (object with an id) as its own digest", () => {
    const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
    const inner = { z: 1, id: "r1", a: [true, null], m: { "é": "€", "10": 2, "9": undefined } };
    const text = `["listed",#${sha('{"a":[true,null],"id":"r1","m":{"10":2,"é":"€"},"z":1}')},{"b":"x"},"😀",7]`;
    expect(contentRevision(["listed", inner, { b: "x", c: undefined }, "😀", 7])).toBe(`c${sha(text).slice(0, 32)}`);
  });
});

describe("memory store revisions from a source digest", () => {
  it("are equal for one digest, differ for another, between packages and accounts, and ignore the records", async () => {
    const dataset = await conformanceDataset();
    const [one, two, other] = [createMemoryStore(dataset, { sourceDigest: "a".repeat(64) }), createMemoryStore(await conformanceDataset(), { sourceDigest: "a".repeat(64) }), createMemoryStore(dataset, { sourceDigest: "b".repeat(64) })];
    for (const audience of ["all", "listed"] as const) {
      expect(await two.getPackageRevision(A, IDS.pkgPypi, audience)).toBe(await one.getPackageRevision(A, IDS.pkgPypi, audience));
      expect(await other.getPackageRevision(A, IDS.pkgPypi, audience)).not.toBe(await one.getPackageRevision(A, IDS.pkgPypi, audience));
      expect(await one.getPackageRevision(A, IDS.pkgOpenPypi, audience)).not.toBe(await one.getPackageRevision(A, IDS.pkgPypi, audience));
    }
    expect(await one.getPackageRevision(A, IDS.pkgPypi, "listed")).not.toBe(await one.getPackageRevision(A, IDS.pkgPypi));
    expect(await two.getAccountRevision(A)).toBe(await one.getAccountRevision(A));
    expect(await other.getAccountRevision(A)).not.toBe(await one.getAccountRevision(A));
    expect(await one.getAccountRevision(A)).not.toBe(await one.getAccountRevision(IDS.otherAccount));
    // Derived from the digest, not the content: a store of the same records without it gives others.
    expect(await createMemoryStore(dataset).getPackageRevision(A, IDS.pkgPypi)).not.toBe(await one.getPackageRevision(A, IDS.pkgPypi));
  });
});
