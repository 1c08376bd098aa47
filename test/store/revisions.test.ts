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
