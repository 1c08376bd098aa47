/**
 * @module testing/write-conformance — `runWriteConformance`: the publishing suite every writable store runs.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { ADMIN_SCOPE, ANONYMOUS_SCOPE, type Scope } from "../access/scope.js";
import { parseStrict } from "../core/version.js";
import type { Dataset } from "../dataset/load.js";
import type { Artifact, Release } from "../model/records.js";
import type { NewArtifact, NewRelease, WritableStore } from "../store/write.js";
import { IDS, conformanceDataset } from "./fixture.js";
import { RecordNames } from "./names.js";
import { STORE_METHODS, WRITE_METHODS, learningStore, methodTests, namedCheck, type MethodFilter } from "./suite.js";

/** Options of {@link runWriteConformance}; `only`/`skip` pick tests by the store methods they use. */
export interface WriteConformanceOptions extends MethodFilter {
  /** Shown in test names. */
  name: string;
  /** A fresh writable store holding exactly `dataset`. */
  create(dataset: Dataset): Promise<WritableStore> | WritableStore;
  /** A second store on the same data (another pool or process on one database), for races across servers. */
  peer?(store: WritableStore): Promise<WritableStore> | WritableStore;
  /** Release what `create` (and `peer`) made. */
  cleanup?(store: WritableStore): Promise<void> | void;
}

const A = IDS.account;
const AT = new Date("2026-02-01T00:00:00.000Z");
const LICENSE_SCOPE: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: [], cutoff: null }], licensedProducts: [IDS.productLicensed] };
const PAGE = { order: "desc" as const, limit: 100 };
const SHA = "b".repeat(64);

/** What a store's rejection must carry: status, code and (when given) the JSON:API pointer. */
function conflict(code: string, pointer?: string): Record<string, unknown> {
  return { status: 422, code, ...(pointer !== undefined ? { source: { pointer } } : {}) };
}

let counter = 0;
/** A release of the pypi package of the LICENSED product, unique per call unless a version is given. */
function newRelease(extra: Partial<NewRelease> = {}): NewRelease {
  counter += 1;
  return {
    productId: IDS.productLicensed, packageId: IDS.pkgPypi, version: `7.${counter}.0`, channel: "stable", status: "PUBLISHED",
    tag: null, name: null, description: null, entitlements: [], metadata: {}, backdated: null, ...extra,
  };
}

function newArtifact(releaseId: string, extra: Partial<NewArtifact> = {}): NewArtifact {
  counter += 1;
  return { releaseId, filename: `acme_tools-${counter}-py3-none-any.whl`, filetype: "whl", filesize: 3, platform: null, arch: null, signature: null, checksum: null, metadata: {}, ...extra };
}

/**
 * Register the write conformance suite with vitest: every method of the write contract, every
 * conflict, reads seeing writes at once, revisions moving, and races between concurrent writers;
 * tests are named, filtered and reported as in `runStoreConformance`.
 * @throws {TypeError} when `only` or `skip` names a method the suite does not test.
 * @example runWriteConformance({ name: "memory", create: (d) => createWritableMemoryStore(d) })
 */
export function runWriteConformance(options: WriteConformanceOptions): void {
  describe(`write conformance: ${options.name}`, () => {
    const names = new RecordNames();
    const it = methodTests(options, [...STORE_METHODS, ...WRITE_METHODS]);
    const check = namedCheck(names);
    let raw: WritableStore | undefined;
    let store: WritableStore;
    beforeAll(async () => {
      const dataset = await conformanceDataset();
      names.learnDataset(dataset);
      raw = await options.create(dataset);
      store = learningStore(raw, names);
    });
    afterAll(async () => {
      if (raw !== undefined) await options.cleanup?.(raw);
    });
    const published = async (extra: Partial<NewRelease> = {}): Promise<Release> => store.createRelease(A, newRelease(extra), AT);

    describe("packages", () => {
      it("creates a package that every read finds at once, with its engine", ["getAccountRevision", "createPackage", "getPackage", "listPackages", "getEngine", "deletePackage"], async () => {
        const before = await store.getAccountRevision(A);
        const pkg = await store.createPackage(A, { productId: IDS.productLicensed, key: "fresh-npm", name: "Fresh", engine: "npm", metadata: { a: 1 } }, AT);
        check(pkg).toMatchObject({ accountId: A, productId: IDS.productLicensed, key: "fresh-npm", name: "Fresh", engine: "npm", metadata: { a: 1 }, created: AT.toISOString() });
        check((await store.getPackage(A, "fresh-npm"))?.id).toBe(pkg.id);
        check((await store.getPackage(A, pkg.id, "npm"))?.key).toBe("fresh-npm");
        check((await store.listPackages(A, "npm", ADMIN_SCOPE)).map((p) => p.id)).toContain(pkg.id);
        check(await store.getAccountRevision(A)).not.toBe(before);
        const rubygems = await store.createPackage(A, { productId: IDS.productLicensed, key: "fresh-gem", name: "Gem", engine: "rubygems", metadata: {} }, AT);
        check((await store.getEngine(A, "rubygems", ADMIN_SCOPE))?.key).toBe("rubygems");
        check(await store.deletePackage(A, rubygems.id)).toEqual([]);
      });
      it("refuses a key the account already uses, and a product it does not have", ["createPackage", "getPackage"], async () => {
        await check(store.createPackage(A, { productId: IDS.productOpen, key: "acme-tools", name: "Dup", engine: "pypi", metadata: {} }, AT)).rejects.toMatchObject(conflict("KEY_TAKEN", "/data/attributes/key"));
        await check(store.createPackage(A, { productId: IDS.otherAccount, key: "nowhere", name: "X", engine: null, metadata: {} }, AT)).rejects.toMatchObject(conflict("PRODUCT_NOT_FOUND", "/data/relationships/product"));
        check(await store.getPackage(A, "nowhere")).toBeNull();
      });
      it("updates a package, refusing a taken key; null for none", ["createPackage", "updatePackage", "getPackage"], async () => {
        const pkg = await store.createPackage(A, { productId: IDS.productOpen, key: "renamable", name: "R", engine: null, metadata: {} }, AT);
        const later = new Date(AT.getTime() + 1000);
        check(await store.updatePackage(A, pkg.id, { name: "Renamed", key: "renamed" }, later)).toMatchObject({ name: "Renamed", key: "renamed", updated: later.toISOString(), created: AT.toISOString() });
        check(await store.getPackage(A, "renamable")).toBeNull();
        await check(store.updatePackage(A, pkg.id, { key: "acme-tools" }, later)).rejects.toMatchObject(conflict("KEY_TAKEN", "/data/attributes/key"));
        check((await store.getPackage(A, pkg.id))?.key).toBe("renamed");
        check(await store.updatePackage(A, "00000000-0000-4000-8000-0000000000ff", { name: "x" }, later)).toBeNull();
        check(await store.updatePackage(IDS.otherAccount, pkg.id, { name: "x" }, later)).toBeNull();
      });
      it("deletes a package with its releases and artifacts, returning the artifacts", ["createPackage", "createRelease", "createArtifact", "deletePackage", "getPackage", "getRelease", "getArtifact"], async () => {
        const pkg = await store.createPackage(A, { productId: IDS.productLicensed, key: "doomed", name: "D", engine: "pypi", metadata: {} }, AT);
        const rel = await published({ packageId: pkg.id });
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        check((await store.deletePackage(A, pkg.id))?.map((a) => a.id)).toEqual([art.id]);
        check(await store.getPackage(A, pkg.id)).toBeNull();
        check(await store.getRelease(A, rel.id)).toBeNull();
        check(await store.getArtifact(A, art.id)).toBeNull();
        check(await store.deletePackage(A, pkg.id)).toBeNull();
      });
      it("lists packages by scope, product and engine, newest first, with a total", ["listAllPackages"], async () => {
        const all = await store.listAllPackages(A, ADMIN_SCOPE, {}, PAGE);
        check(all.total).toBe(all.items.length);
        check(all.items.map((p) => p.id)).toContain(IDS.pkgClosed);
        const sorted = [...all.items].sort((x, y) => (x.created === y.created ? (x.id < y.id ? 1 : -1) : x.created < y.created ? 1 : -1));
        check(all.items.map((p) => p.id)).toEqual(sorted.map((p) => p.id));
        const pypi = await store.listAllPackages(A, ADMIN_SCOPE, { engine: "pypi", productId: IDS.productLicensed }, PAGE);
        check(pypi.items.every((p) => p.engine === "pypi" && p.productId === IDS.productLicensed)).toBe(true);
        check(pypi.items.map((p) => p.id)).toContain(IDS.pkgPypi);
        const anonymous = await store.listAllPackages(A, ANONYMOUS_SCOPE, {}, PAGE);
        check(anonymous.items.map((p) => p.id)).not.toContain(IDS.pkgPypi);
        check(anonymous.items.map((p) => p.id)).toContain(IDS.pkgTauri);
        const two = await store.listAllPackages(A, ADMIN_SCOPE, {}, { order: "asc", limit: 2 });
        check(two.items.map((p) => p.id)).toEqual(sorted.reverse().slice(0, 2).map((p) => p.id));
        check(two.total).toBe(all.total);
        const after = await store.listAllPackages(A, ADMIN_SCOPE, {}, { order: "asc", limit: 1, after: two.items[0]?.id as string });
        check(after.items[0]?.id).toBe(two.items[1]?.id);
      });
    });

    describe("releases", () => {
      it("creates a release every read sees at once, and moves the package's revision", ["getPackageRevision", "createRelease", "getRelease", "findRelease", "getReleaseByVersion", "createArtifact", "completeArtifact", "listPackageArtifacts"], async () => {
        const before = await store.getPackageRevision(A, IDS.pkgPypi);
        const rel = await published({ tag: "fresh-tag", metadata: { k: "v" }, description: "notes" });
        check(rel).toMatchObject({ accountId: A, status: "PUBLISHED", channel: "stable", tag: "fresh-tag", yanked: null, description: "notes", metadata: { k: "v" } });
        check(rel.versionKey).toBe(parseStrict(rel.version)?.key);
        check(await store.getPackageRevision(A, IDS.pkgPypi)).not.toBe(before);
        check((await store.getRelease(A, rel.id))?.version).toBe(rel.version);
        check((await store.findRelease(A, "fresh-tag", ADMIN_SCOPE))?.id).toBe(rel.id);
        check((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, rel.version, LICENSE_SCOPE))?.id).toBe(rel.id);
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        await store.completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: "k" }, AT);
        check((await store.listPackageArtifacts(A, IDS.pkgPypi, LICENSE_SCOPE)).map((x) => x.artifact.id)).toContain(art.id);
      });
      it("refuses a version or tag taken in the same product and package, not elsewhere", ["createRelease"], async () => {
        const rel = await published({ tag: "only-once" });
        await check(published({ version: rel.version })).rejects.toMatchObject(conflict("VERSION_TAKEN", "/data/attributes/version"));
        await check(published({ tag: "only-once" })).rejects.toMatchObject(conflict("TAG_TAKEN", "/data/attributes/tag"));
        const packageless = await published({ version: rel.version, packageId: null });
        check(packageless.packageId).toBeNull();
        const otherProduct = await published({ version: rel.version, productId: IDS.productOpen, packageId: IDS.pkgOpenPypi, tag: "only-once" });
        check(otherProduct.tag).toBe("only-once");
      });
      it("refuses unknown entitlements, a package of another product, and an unknown product", ["createRelease", "getEntitlements"], async () => {
        await check(published({ entitlements: ["NOPE"] })).rejects.toMatchObject(conflict("ENTITLEMENT_NOT_FOUND", "/data/relationships/entitlement"));
        await check(published({ packageId: IDS.pkgTauri })).rejects.toMatchObject(conflict("PACKAGE_INVALID", "/data/relationships/package"));
        await check(published({ packageId: "00000000-0000-4000-8000-0000000000fe" })).rejects.toMatchObject(conflict("PACKAGE_NOT_FOUND", "/data/relationships/package"));
        await check(published({ productId: "00000000-0000-4000-8000-0000000000fd", packageId: null })).rejects.toMatchObject(conflict("PRODUCT_NOT_FOUND", "/data/relationships/product"));
        const pro = await published({ entitlements: ["PRO", "PRO"] });
        check(pro.entitlements).toEqual(["PRO"]);
        check((await store.getEntitlements(A, ["PRO", "NOPE"])).map((e) => e.code)).toEqual(["PRO"]);
      });
      it("updates attributes and constraints, and moves a release between packages, bumping both", ["createPackage", "createRelease", "updateRelease", "getPackageRevision", "findRelease", "getRelease"], async () => {
        const other = await store.createPackage(A, { productId: IDS.productLicensed, key: "move-target", name: "T", engine: "pypi", metadata: {} }, AT);
        const rel = await published({ tag: "movable" });
        const later = new Date(AT.getTime() + 5000);
        check(await store.updateRelease(A, rel.id, { name: "N", description: "D", metadata: { x: 1 }, entitlements: ["EXTRA"] }, later)).toMatchObject({ name: "N", description: "D", metadata: { x: 1 }, entitlements: ["EXTRA"], updated: later.toISOString() });
        const [fromBefore, toBefore] = [await store.getPackageRevision(A, IDS.pkgPypi), await store.getPackageRevision(A, other.id)];
        check((await store.updateRelease(A, rel.id, { packageId: other.id }, later))?.packageId).toBe(other.id);
        check(await store.getPackageRevision(A, IDS.pkgPypi)).not.toBe(fromBefore);
        check(await store.getPackageRevision(A, other.id)).not.toBe(toBefore);
        check((await store.findRelease(A, "movable", ADMIN_SCOPE, { productId: IDS.productLicensed, packageId: other.id }))?.id).toBe(rel.id);
        const clash = await published({ packageId: IDS.pkgPypi, version: rel.version });
        await check(store.updateRelease(A, clash.id, { packageId: other.id }, later)).rejects.toMatchObject(conflict("VERSION_TAKEN", "/data/attributes/version"));
        check((await store.getRelease(A, clash.id))?.packageId).toBe(IDS.pkgPypi);
        await check(store.updateRelease(A, rel.id, { packageId: IDS.pkgTauri }, later)).rejects.toMatchObject(conflict("PACKAGE_INVALID", "/data/relationships/package"));
        check(await store.updateRelease(A, "00000000-0000-4000-8000-0000000000ff", { name: "x" }, later)).toBeNull();
      });
      it("publishes, yanks with a reason, and un-yanks", ["createRelease", "findRelease", "setReleaseStatus"], async () => {
        const rel = await published({ status: "DRAFT" });
        check(await store.findRelease(A, rel.id, LICENSE_SCOPE)).toBeNull();
        const at = new Date(AT.getTime() + 60_000);
        check(await store.setReleaseStatus(A, rel.id, "PUBLISHED", at)).toMatchObject({ status: "PUBLISHED", yanked: null });
        check((await store.findRelease(A, rel.id, LICENSE_SCOPE))?.id).toBe(rel.id);
        const yanked = await store.setReleaseStatus(A, rel.id, "YANKED", at, "broken wheel");
        check(yanked).toMatchObject({ status: "YANKED", yanked: at.toISOString(), metadata: { yankReason: "broken wheel" } });
        const again = await store.setReleaseStatus(A, rel.id, "PUBLISHED", at);
        check(again?.yanked).toBeNull();
        check(again?.metadata).not.toHaveProperty("yankReason");
        check(await store.setReleaseStatus(A, "00000000-0000-4000-8000-0000000000ff", "PUBLISHED", at)).toBeNull();
      });
      it("deletes a release with its artifacts", ["createRelease", "createArtifact", "deleteRelease", "getRelease", "getArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        check((await store.deleteRelease(A, rel.id))?.map((a) => a.id)).toEqual([art.id]);
        check(await store.getRelease(A, rel.id)).toBeNull();
        check(await store.getArtifact(A, art.id)).toBeNull();
        check(await store.deleteRelease(A, rel.id)).toBeNull();
      });
      it("lists releases by scope and filters, newest first", ["createRelease", "listReleases"], async () => {
        const draft = await published({ status: "DRAFT", channel: "beta", version: `7.${counter + 100}.0-beta.1` });
        const admin = await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed, packageId: IDS.pkgPypi }, PAGE);
        check(admin.items.map((r) => r.id)).toContain(draft.id);
        check(admin.items.every((r) => r.packageId === IDS.pkgPypi)).toBe(true);
        check((await store.listReleases(A, LICENSE_SCOPE, { packageId: IDS.pkgPypi }, PAGE)).items.map((r) => r.id)).not.toContain(draft.id);
        check((await store.listReleases(A, ADMIN_SCOPE, { channel: "beta", status: "DRAFT" }, PAGE)).items.map((r) => r.id)).toEqual([draft.id]);
        check((await store.listReleases(A, ADMIN_SCOPE, { version: draft.version }, PAGE)).items.map((r) => r.id)).toEqual([draft.id]);
        const packageless = await store.listReleases(A, ADMIN_SCOPE, { packageId: null, productId: IDS.productLicensed }, PAGE);
        check(packageless.items.map((r) => r.id)).toContain(IDS.relCli100);
        check(packageless.items.every((r) => r.packageId === null)).toBe(true);
        const page = await store.listReleases(A, ADMIN_SCOPE, {}, { order: "desc", limit: 3, offset: 1 });
        check(page.items.map((r) => r.id)).toEqual((await store.listReleases(A, ADMIN_SCOPE, {}, PAGE)).items.slice(1, 4).map((r) => r.id));
      });
    });

    describe("artifacts", () => {
      it("creates WAITING artifacts hidden from licenses until UPLOADED", ["createRelease", "createArtifact", "listReleaseArtifacts", "completeArtifact", "findArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id, { checksum: null, signature: "sig" }), AT);
        check(art).toMatchObject({ status: "WAITING", blob: null, signature: "sig", releaseId: rel.id });
        check((await store.listReleaseArtifacts(A, rel.id, LICENSE_SCOPE)).map((a) => a.id)).toEqual([]);
        check((await store.listReleaseArtifacts(A, rel.id, ADMIN_SCOPE)).map((a) => a.id)).toEqual([art.id]);
        const done = await store.completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: "blobs/x", metadata: { requiresPython: ">=3.9" } }, AT);
        check(done).toMatchObject({ status: "UPLOADED", filesize: 3, checksum: SHA, blob: "blobs/x", metadata: { requiresPython: ">=3.9" } });
        check((await store.listReleaseArtifacts(A, rel.id, LICENSE_SCOPE)).map((a) => a.id)).toEqual([art.id]);
        check((await store.findArtifact(A, art.filename, LICENSE_SCOPE))?.artifact.id).toBe(art.id);
      });
      it("keeps a declared checksum and the computed sha256 beside it", ["createRelease", "createArtifact", "completeArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id, { checksum: "declared-sha512-base64" }), AT);
        const done = await store.completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: "b" }, AT);
        check(done).toMatchObject({ checksum: "declared-sha512-base64", metadata: { sha256: SHA } });
      });
      it("refuses a filename the release has, and a release that does not exist", ["createRelease", "createArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        await check(store.createArtifact(A, newArtifact(rel.id, { filename: art.filename }), AT)).rejects.toMatchObject(conflict("FILENAME_TAKEN", "/data/attributes/filename"));
        const rel2 = await published();
        check((await store.createArtifact(A, newArtifact(rel2.id, { filename: art.filename }), AT)).filename).toBe(art.filename);
        await check(store.createArtifact(A, newArtifact("00000000-0000-4000-8000-0000000000fc"), AT)).rejects.toMatchObject(conflict("RELEASE_NOT_FOUND", "/data/relationships/release"));
        await check(store.createArtifact(IDS.otherAccount, newArtifact(rel.id), AT)).rejects.toMatchObject(conflict("RELEASE_NOT_FOUND", "/data/relationships/release"));
      });
      it("completes once: a second completion is refused; FAILED keeps its reason and can be retried", ["createRelease", "createArtifact", "failArtifact", "listReleaseArtifacts", "completeArtifact", "getArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        check(await store.failArtifact(A, art.id, "checksum mismatch", AT)).toMatchObject({ status: "FAILED", metadata: { failureReason: "checksum mismatch" } });
        check((await store.listReleaseArtifacts(A, rel.id, LICENSE_SCOPE)).length).toBe(0);
        const done = await store.completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: "b" }, AT);
        check(done?.status).toBe("UPLOADED");
        check(done?.metadata).not.toHaveProperty("failureReason");
        await check(store.completeArtifact(A, art.id, { filesize: 4, sha256: "c".repeat(64), blob: "c" }, AT)).rejects.toMatchObject(conflict("ARTIFACT_NOT_WAITING"));
        check(await store.failArtifact(A, art.id, "late", AT)).toMatchObject({ status: "UPLOADED", blob: "b" });
        check((await store.getArtifact(A, art.id))?.artifact).toMatchObject({ status: "UPLOADED", filesize: 3, blob: "b" });
        check(await store.completeArtifact(A, "00000000-0000-4000-8000-0000000000ff", { filesize: 1, sha256: SHA, blob: "x" }, AT)).toBeNull();
      });
      it("updates and deletes an artifact, moving the package revision", ["createRelease", "createArtifact", "getPackageRevision", "updateArtifact", "deleteArtifact", "getArtifact"], async () => {
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        const before = await store.getPackageRevision(A, IDS.pkgPypi);
        check(await store.updateArtifact(A, art.id, { signature: "new-sig", metadata: { m: 1 } }, AT)).toMatchObject({ signature: "new-sig", metadata: { m: 1 } });
        const mid = await store.getPackageRevision(A, IDS.pkgPypi);
        check(mid).not.toBe(before);
        check((await store.deleteArtifact(A, art.id))?.id).toBe(art.id);
        check(await store.getPackageRevision(A, IDS.pkgPypi)).not.toBe(mid);
        check(await store.getArtifact(A, art.id)).toBeNull();
        check(await store.deleteArtifact(A, art.id)).toBeNull();
      });
      it("moves the listed revision for what callers without sight of drafts can see, and only for that", ["getPackageRevision", "createRelease", "updateRelease", "setReleaseStatus", "deleteRelease", "createArtifact", "completeArtifact", "failArtifact", "updateArtifact", "deleteArtifact", "updatePackage"], async () => {
        const listed = () => store.getPackageRevision(A, IDS.pkgPypi, "listed");
        const full = () => store.getPackageRevision(A, IDS.pkgPypi);
        // A store may answer its full revision for both audiences; then only the "moves" half applies.
        const distinct = (await listed()) !== (await full());
        const otherBefore = await store.getPackageRevision(A, IDS.pkgTauri, "listed");
        let last = await listed();
        let lastFull = await full();
        const seen: string[] = [];
        const wanted: string[] = [];
        const step = async (what: string, listedMoves: boolean, write: () => Promise<unknown>) => {
          await write();
          const [l, f] = [await listed(), await full()];
          const moved = l !== last ? "moves" : "stays";
          seen.push(`${what}: full ${f !== lastFull ? "moves" : "stays"}, listed ${listedMoves || distinct ? moved : "stays"}`);
          wanted.push(`${what}: full moves, listed ${listedMoves ? "moves" : "stays"}`);
          [last, lastFull] = [l, f];
        };
        let draft = {} as Release;
        await step("a draft created", false, async () => (draft = await store.createRelease(A, newRelease({ status: "DRAFT" }), AT)));
        let art = {} as Artifact;
        await step("a WAITING artifact of a draft", false, async () => (art = await store.createArtifact(A, newArtifact(draft.id), AT)));
        await step("an upload into a draft", false, () => store.completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: "d" }, AT));
        await step("a draft's artifact updated", false, () => store.updateArtifact(A, art.id, { metadata: { m: 1 } }, AT));
        await step("a draft updated", false, () => store.updateRelease(A, draft.id, { name: "Still a draft" }, AT));
        await step("a draft published", true, () => store.setReleaseStatus(A, draft.id, "PUBLISHED", AT));
        let waiting = {} as Artifact;
        await step("a WAITING artifact of a published release", false, async () => (waiting = await store.createArtifact(A, newArtifact(draft.id), AT)));
        await step("a WAITING artifact failed", false, () => store.failArtifact(A, waiting.id, "killed", AT));
        const second = await store.createArtifact(A, newArtifact(draft.id), AT);
        await step("an upload into a published release", true, () => store.completeArtifact(A, second.id, { filesize: 3, sha256: SHA, blob: "p" }, AT));
        await step("an UPLOADED artifact updated", true, () => store.updateArtifact(A, second.id, { metadata: { m: 2 } }, AT));
        await step("a published release yanked", true, () => store.setReleaseStatus(A, draft.id, "YANKED", AT, "broken"));
        await step("a yanked release updated", true, () => store.updateRelease(A, draft.id, { name: "Yanked" }, AT));
        await step("an UPLOADED artifact deleted", true, () => store.deleteArtifact(A, second.id));
        let gone = {} as Release;
        await step("another draft created", false, async () => (gone = await store.createRelease(A, newRelease({ status: "DRAFT" }), AT)));
        await step("a draft deleted", false, () => store.deleteRelease(A, gone.id));
        await step("a yanked release deleted", true, () => store.deleteRelease(A, draft.id));
        await step("the package renamed", true, () => store.updatePackage(A, IDS.pkgPypi, { name: "Acme Tools (renamed)" }, AT));
        check(seen).toEqual(wanted);
        check(await store.getPackageRevision(A, IDS.pkgTauri, "listed")).toBe(otherBefore);
      });
      it("lists artifacts by scope and filters", ["createRelease", "createArtifact", "completeArtifact", "listArtifacts"], async () => {
        const rel = await published();
        const linux = await store.createArtifact(A, newArtifact(rel.id, { platform: "linux", arch: "x86_64", filetype: "whl" }), AT);
        const mac = await store.createArtifact(A, newArtifact(rel.id, { platform: "darwin", arch: "aarch64", filetype: "whl" }), AT);
        await store.completeArtifact(A, linux.id, { filesize: 3, sha256: SHA, blob: "l" }, AT);
        const byRelease = await store.listArtifacts(A, ADMIN_SCOPE, { releaseId: rel.id }, PAGE);
        check(byRelease.items.map((x) => x.artifact.id).sort()).toEqual([linux.id, mac.id].sort());
        check(byRelease.total).toBe(2);
        check((await store.listArtifacts(A, ADMIN_SCOPE, { releaseId: rel.id, platform: "darwin" }, PAGE)).items.map((x) => x.artifact.id)).toEqual([mac.id]);
        check((await store.listArtifacts(A, ADMIN_SCOPE, { releaseId: rel.id, status: "UPLOADED" }, PAGE)).items.map((x) => x.artifact.id)).toEqual([linux.id]);
        check((await store.listArtifacts(A, LICENSE_SCOPE, { releaseId: rel.id }, PAGE)).items.map((x) => x.artifact.id)).toEqual([linux.id]);
        const byPackage = await store.listArtifacts(A, ADMIN_SCOPE, { productId: IDS.productLicensed, packageId: IDS.pkgPypi, arch: "x86_64" }, PAGE);
        check(byPackage.items.map((x) => x.artifact.id)).toContain(linux.id);
        check(byPackage.items.every((x) => x.release.packageId === IDS.pkgPypi && x.artifact.arch === "x86_64")).toBe(true);
        check((await store.listArtifacts(A, ANONYMOUS_SCOPE, { releaseId: rel.id }, PAGE)).items).toEqual([]);
      });
    });

    describe("races", () => {
      it("20 concurrent creates of one version: exactly one wins, 19 conflict", ["createRelease", "listReleases"], async () => {
        const peer = options.peer ? learningStore(await options.peer(raw as WritableStore), names) : store;
        const input = newRelease();
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : peer).createRelease(A, input, AT)));
        check(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        check(refused).toHaveLength(19);
        for (const r of refused) check(r.reason).toMatchObject(conflict("VERSION_TAKEN", "/data/attributes/version"));
        check((await store.listReleases(A, ADMIN_SCOPE, { version: input.version, packageId: IDS.pkgPypi }, PAGE)).items).toHaveLength(1);
      });
      it("10 concurrent completions of one upload: exactly one wins", ["createRelease", "createArtifact", "completeArtifact", "getArtifact"], async () => {
        const peer = options.peer ? learningStore(await options.peer(raw as WritableStore), names) : store;
        const rel = await published();
        const art = await store.createArtifact(A, newArtifact(rel.id), AT);
        const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : peer).completeArtifact(A, art.id, { filesize: 3, sha256: SHA, blob: `b${i}` }, AT)));
        check(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results) if (r.status === "rejected") check(r.reason).toMatchObject(conflict("ARTIFACT_NOT_WAITING"));
        const winner = results.findIndex((r) => r.status === "fulfilled");
        check((await store.getArtifact(A, art.id))?.artifact.blob).toBe(`b${winner}`);
      });
    });
  });
}
