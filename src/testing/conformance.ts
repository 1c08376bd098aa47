/**
 * @module testing/conformance — `runStoreConformance`: the one suite every store runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestToken } from "../auth/tokens.js";
import { keyPrefix, parseStrict } from "../core/version.js";
import { loadDataset, type Dataset } from "../dataset/load.js";
import { ADMIN_SCOPE, ANONYMOUS_SCOPE, withYanked, type Scope } from "../access/scope.js";
import type { Store } from "../store/types.js";
import { IDS, TOKENS, UUID_SHAPED_KEY, YANK_IDS, conformanceDataset, yankedDatasetFile } from "./fixture.js";

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** A fresh store holding exactly `dataset`. */
  create(dataset: Dataset): Promise<Store> | Store;
  /** Release what `create` made. */
  cleanup?(store: Store): Promise<void> | void;
  /** Extra backend-specific tests, run with the same store. */
  extra?(getStore: () => Store): void;
}

const key = (v: string) => (parseStrict(v) as NonNullable<ReturnType<typeof parseStrict>>).key;

const LICENSE_SCOPE: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: [], cutoff: null }], licensedProducts: [IDS.productLicensed] };
const PRO_SCOPE: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: ["PRO", "EXTRA"], cutoff: null }], licensedProducts: [IDS.productLicensed] };
const WINDOW_SCOPE: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: [], cutoff: "2026-01-05T12:00:00.000Z" }], licensedProducts: [IDS.productLicensed] };
const PRODUCT_SCOPE: Scope = { all: false, products: [IDS.productLicensed], grants: [], licensedProducts: [] };
const BLOCKED_SCOPE: Scope = { all: false, products: [], grants: [], licensedProducts: [IDS.productLicensed] };

/**
 * Register the store conformance suite with vitest: every method of the contract, its ordering,
 * aliases and edge cases, against the conformance dataset.
 * @example runStoreConformance({ name: "memory", create: (d) => createMemoryStore(d) })
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`store conformance: ${options.name}`, () => {
    let store: Store;
    const A = IDS.account;
    beforeAll(async () => {
      store = await options.create(await conformanceDataset());
    });
    afterAll(async () => {
      if (store !== undefined) await options.cleanup?.(store);
    });

    describe("accounts and products", () => {
      it("finds an account by id and by slug, null otherwise", async () => {
        expect((await store.getAccount(A))?.slug).toBe("acme");
        expect((await store.getAccount("acme"))?.id).toBe(A);
        expect((await store.getAccount("other"))?.id).toBe(IDS.otherAccount);
        expect(await store.getAccount("nope")).toBeNull();
        expect(await store.getAccount("00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps the account's secret key for token digests", async () => {
        expect((await store.getAccount(A))?.secretKey).toBe("acme-secret-key-0123456789abcdef");
      });
      it("finds a product by id or code within its account only", async () => {
        expect((await store.getProduct(A, IDS.productLicensed))?.code).toBe("cli");
        expect((await store.getProduct(A, "cli"))?.id).toBe(IDS.productLicensed);
        expect((await store.getProduct(IDS.otherAccount, "cli"))?.name).toBe("Other CLI");
        expect(await store.getProduct(IDS.otherAccount, IDS.productLicensed)).toBeNull();
        expect(await store.getProduct(A, "CLI")).toBeNull();
        expect(await store.getProduct(A, "CLI Product")).toBeNull();
      });
      it("gets products by ids, skipping unknown and foreign ones", async () => {
        const got = await store.getProducts(A, [IDS.productOpen, IDS.productClosed, "00000000-0000-4000-8000-0000000000ff"]);
        expect(got.map((p) => p.id).sort()).toEqual([IDS.productOpen, IDS.productClosed].sort());
        expect(got.find((p) => p.id === IDS.productOpen)?.distributionStrategy).toBe("OPEN");
        expect(await store.getProducts(IDS.otherAccount, [IDS.productOpen])).toEqual([]);
      });
    });

    describe("packages", () => {
      it("finds a package by id or key, with an optional engine filter", async () => {
        expect((await store.getPackage(A, IDS.pkgPypi))?.key).toBe("acme-tools");
        expect((await store.getPackage(A, "acme-tools"))?.id).toBe(IDS.pkgPypi);
        expect((await store.getPackage(A, "acme-tools", "pypi"))?.id).toBe(IDS.pkgPypi);
        expect(await store.getPackage(A, "acme-tools", "tauri")).toBeNull();
        expect((await store.getPackage(A, IDS.pkgTauri, "tauri"))?.key).toBe("acme-app");
      });
      it("treats a UUID-shaped term that matches no id as a key, and finds nothing", async () => {
        expect(await store.getPackage(A, "00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps accounts apart", async () => {
        const other = await store.getPackage(IDS.otherAccount, "acme-tools");
        expect(other?.name).toBe("Impostor");
        expect(await store.getPackage(IDS.otherAccount, IDS.pkgPypi)).toBeNull();
      });
      it("keeps package metadata", async () => {
        expect((await store.getPackage(A, IDS.pkgPypi))?.metadata).toEqual({ homepage: "https://acme.test" });
      });
      it("lists an engine's packages newest first, filtered by scope", async () => {
        const ids = async (scope: Scope) => (await store.listPackages(A, "pypi", scope)).map((p) => p.id);
        expect(await ids(ADMIN_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgClosed, IDS.pkgPypi]);
        expect(await ids(ANONYMOUS_SCOPE)).toEqual([IDS.pkgOpenPypi]);
        expect(await ids(LICENSE_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        expect(await ids(BLOCKED_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        expect(await ids(PRODUCT_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        expect(await store.listPackages(A, "rubygems", ADMIN_SCOPE)).toEqual([]);
      });
    });

    describe("engines", () => {
      it("lists engines that have a visible package, in (created, id) order", async () => {
        const asc = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 10 });
        expect(asc.map((e) => e.key)).toEqual(["pypi", "tauri"]);
        const desc = await store.listEngines(A, ADMIN_SCOPE, { order: "desc", limit: 10 });
        expect(desc.map((e) => e.key)).toEqual(["tauri", "pypi"]);
        expect(desc[0]?.name).toBe("Tauri");
        expect(await store.countEngines(A, ADMIN_SCOPE)).toBe(2);
      });
      it("pages by offset and by keyset cursor", async () => {
        expect((await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1, offset: 1 })).map((e) => e.key)).toEqual(["tauri"]);
        expect(await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1, offset: 2 })).toEqual([]);
        const first = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1 });
        const next = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 5, after: first[0]?.id as string });
        expect(next.map((e) => e.key)).toEqual(["tauri"]);
        const none = await store.listEngines(A, ADMIN_SCOPE, { order: "desc", limit: 5, after: first[0]?.id as string });
        expect(none).toEqual([]);
      });
      it("filters engines by package visibility", async () => {
        expect((await store.listEngines(A, ANONYMOUS_SCOPE, { order: "asc", limit: 10 })).map((e) => e.key)).toEqual(["pypi", "tauri"]);
        const other = await store.listEngines(IDS.otherAccount, ANONYMOUS_SCOPE, { order: "asc", limit: 10 });
        expect(other.map((e) => e.key)).toEqual(["pypi"]);
        expect(await store.countEngines(IDS.otherAccount, ANONYMOUS_SCOPE)).toBe(1);
      });
      it("retrieves an engine by key or id; one without packages only for admins", async () => {
        const pypi = await store.getEngine(A, "pypi", ANONYMOUS_SCOPE);
        expect(pypi?.key).toBe("pypi");
        expect((await store.getEngine(A, pypi?.id as string, ANONYMOUS_SCOPE))?.key).toBe("pypi");
        expect((await store.getEngine(A, IDS.engineUnused, ADMIN_SCOPE))?.key).toBe("npm");
        expect((await store.getEngine(A, "npm", ADMIN_SCOPE))?.id).toBe(IDS.engineUnused);
        expect(await store.getEngine(A, "npm", ANONYMOUS_SCOPE)).toBeNull();
        expect(await store.getEngine(A, "invalid", ADMIN_SCOPE)).toBeNull();
        expect(await store.getEngine(IDS.otherAccount, IDS.engineUnused, ADMIN_SCOPE)).toBeNull();
      });
    });

    describe("releases", () => {
      it("gets a release by id within its account", async () => {
        expect((await store.getRelease(A, IDS.relPypi110))?.version).toBe("1.1.0");
        expect(await store.getRelease(IDS.otherAccount, IDS.relPypi110)).toBeNull();
      });
      it("keeps every release field", async () => {
        const r = await store.getRelease(A, IDS.relPypi200);
        expect(r).toMatchObject({ productId: IDS.productLicensed, packageId: IDS.pkgPypi, channel: "stable", status: "PUBLISHED", entitlements: ["PRO"], created: "2026-01-10T00:00:00.000Z", backdated: null, versionKey: key("2.0.0") });
        const t = await store.getRelease(A, IDS.relTauri120);
        expect(t?.description).toBe("notes 1.2.0");
        const y = await store.getRelease(A, IDS.relPypiYanked);
        expect(y?.status).toBe("YANKED");
        expect(y?.yanked).not.toBeNull();
      });
      it("gets a release by exact version, build metadata included, within scope", async () => {
        expect((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0+build.7", ADMIN_SCOPE))?.id).toBe(IDS.relPypi200build);
        expect((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", ADMIN_SCOPE))?.id).toBe(IDS.relPypi200);
        expect(await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", LICENSE_SCOPE)).toBeNull();
        expect((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", PRO_SCOPE))?.id).toBe(IDS.relPypi200);
        expect(await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "3.0.0", LICENSE_SCOPE)).toBeNull();
        expect((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "3.0.0", PRODUCT_SCOPE))?.id).toBe(IDS.relPypiDraft);
        expect((await store.getReleaseByVersion(A, IDS.productLicensed, null, "1.0.0", LICENSE_SCOPE))?.id).toBe(IDS.relCli100);
        expect(await store.getReleaseByVersion(A, IDS.productLicensed, null, "1.0", ADMIN_SCOPE)).toBeNull();
      });
      it("finds a release by id, version or tag, narrowed by product and package", async () => {
        expect((await store.findRelease(A, "latest", ADMIN_SCOPE))?.id).toBe(IDS.relPypi110);
        expect((await store.findRelease(A, "stable-tag", LICENSE_SCOPE))?.id).toBe(IDS.relCli110);
        expect((await store.findRelease(A, IDS.relCli100, LICENSE_SCOPE))?.id).toBe(IDS.relCli100);
        // 1.0.0 exists in four slots; the oldest wins, and the filters narrow it.
        expect((await store.findRelease(A, "1.0.0", ADMIN_SCOPE, { productId: IDS.productLicensed, packageId: null }))?.id).toBe(IDS.relCli100);
        expect((await store.findRelease(A, "1.0.0", ADMIN_SCOPE, { packageId: IDS.pkgTauri }))?.id).toBe(IDS.relTauri100);
        expect(await store.findRelease(A, "1.0.0", ANONYMOUS_SCOPE, { productId: IDS.productLicensed })).toBeNull();
        expect(await store.findRelease(A, "9.9.9", ADMIN_SCOPE)).toBeNull();
        expect(await store.findRelease(A, "3.0.0", LICENSE_SCOPE)).toBeNull();
      });
    });

    describe("upgrades", () => {
      const base = { accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi } as const;
      it("answers the newest published release above the current one, per channel", async () => {
        const up = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE });
        expect(up?.id).toBe(IDS.relPypi200);
        const beta = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable", "rc", "beta"], scope: LICENSE_SCOPE });
        expect(beta?.id).toBe(IDS.relPypi200build);
        const betaOnly = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["beta"], scope: LICENSE_SCOPE });
        expect(betaOnly?.id).toBe(IDS.relPypi200b2);
      });
      it("orders numeric pre-release identifiers numerically and never offers equal precedence", async () => {
        const fromB1 = await store.findUpgrade({ ...base, afterKey: key("2.0.0-beta.1"), channels: ["beta"], scope: ADMIN_SCOPE });
        expect(fromB1?.id).toBe(IDS.relPypi200b2);
        expect(await store.findUpgrade({ ...base, afterKey: key("2.0.0"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
        expect(await store.findUpgrade({ ...base, afterKey: key("2.0.0+anything"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
      });
      it("never offers drafts or yanked releases, even to admins", async () => {
        expect(await store.findUpgrade({ ...base, afterKey: key("2.0.0"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
        const fromOld = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(0), maxKey: keyPrefix(1) } });
        expect(fromOld).toBeNull();
      });
      it("filters by version range and pre-release word", async () => {
        const one = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(1), maxKey: keyPrefix(2) } });
        expect(one?.id).toBe(IDS.relPypi110);
        const oneZero = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(1, 0), maxKey: keyPrefix(1, 1) } });
        expect(oneZero?.id).toBe(IDS.relPypi100);
        const word = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable", "beta"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(2), maxKey: keyPrefix(3), preWord: "beta", preNum: 1 } });
        expect(word?.id).toBe(IDS.relPypi200b1);
      });
      it("applies entitlements and the access window", async () => {
        const pro = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: PRO_SCOPE });
        expect(pro?.id).toBe(IDS.relPypi200);
        const windowed = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: WINDOW_SCOPE });
        expect(windowed?.id).toBe(IDS.relPypi100);
        expect(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE })).toBeNull();
      });
      it("keeps to the product and package, or to package-less releases", async () => {
        const cli = await store.findUpgrade({ ...base, packageId: null, afterKey: key("1.0.0"), channels: ["stable"], scope: LICENSE_SCOPE });
        expect(cli?.id).toBe(IDS.relCli110);
        const cliPro = await store.findUpgrade({ ...base, packageId: null, afterKey: key("1.0.0"), channels: ["stable"], scope: PRO_SCOPE });
        expect(cliPro?.id).toBe(IDS.relCliPro);
        expect(await store.findUpgrade({ ...base, productId: IDS.productOpen, afterKey: key("0.0.1"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
      });
      it("requires a visible, signed artifact for the platform and arch when asked", async () => {
        const tauri = { accountId: A, productId: IDS.productOpen, packageId: IDS.pkgTauri } as const;
        const linux = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "linux", arch: "x86_64" } });
        expect(linux?.id).toBe(IDS.relTauri120);
        const mac = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "darwin", arch: "aarch64" } });
        expect(mac?.id).toBe(IDS.relTauri120);
        const beta = await store.findUpgrade({ ...tauri, afterKey: key("1.2.0"), channels: ["stable", "rc", "beta"], scope: ANONYMOUS_SCOPE, artifact: { platform: "linux", arch: "x86_64" } });
        expect(beta?.id).toBe(IDS.relTauri130b);
        const unsigned = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "windows", arch: "x86_64" } });
        expect(unsigned).toBeNull();
        const skipsMissing = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable", "rc", "beta"], scope: ANONYMOUS_SCOPE, artifact: { platform: "darwin", arch: "aarch64" } });
        expect(skipsMissing?.id).toBe(IDS.relTauri120);
        expect(await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "Linux", arch: "x86_64" } })).toBeNull();
      });
    });

    describe("artifacts", () => {
      it("gets an artifact with its release by id", async () => {
        const got = await store.getArtifact(A, IDS.artWhl110);
        expect(got?.artifact.filename).toBe("acme_tools-1.1.0-py3-none-any.whl");
        expect(got?.artifact.metadata).toEqual({ requiresPython: ">=3.8" });
        expect(got?.release.id).toBe(IDS.relPypi110);
        expect(await store.getArtifact(IDS.otherAccount, IDS.artWhl110)).toBeNull();
        expect(await store.getArtifact(A, "00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps every artifact field", async () => {
        const got = await store.getArtifact(A, IDS.artTauri120LinuxGz);
        expect(got?.artifact).toMatchObject({ filetype: "gz", platform: "linux", arch: "x86_64", filesize: 100, checksum: "a".repeat(64), signature: "sig-120-gz", status: "UPLOADED", blob: null });
      });
      it("lists a release's artifacts newest first, by platform and arch, within scope", async () => {
        const all = await store.listReleaseArtifacts(A, IDS.relTauri120, ANONYMOUS_SCOPE);
        expect(all.length).toBe(4);
        const linux = await store.listReleaseArtifacts(A, IDS.relTauri120, ANONYMOUS_SCOPE, { platform: "linux", arch: "x86_64" });
        expect(linux.map((a) => a.id).sort()).toEqual([IDS.artTauri120Linux, IDS.artTauri120LinuxGz].sort());
        expect((await store.listReleaseArtifacts(A, IDS.relPypi100, ADMIN_SCOPE)).map((a) => a.id)).toEqual([IDS.artWhlWaiting, IDS.artWhl100]);
        expect((await store.listReleaseArtifacts(A, IDS.relPypi100, LICENSE_SCOPE)).map((a) => a.id)).toEqual([IDS.artWhl100]);
        expect(await store.listReleaseArtifacts(A, IDS.relPypi100, ANONYMOUS_SCOPE)).toEqual([]);
      });
      it("lists a package's files by release precedence, then newest", async () => {
        const admin = (await store.listPackageArtifacts(A, IDS.pkgPypi, ADMIN_SCOPE)).map((x) => x.artifact.id);
        // Same created instant: the larger id first, so every store breaks ties alike.
        expect(admin).toEqual([
          IDS.artWhlDraft, IDS.artWhl200Sdist, IDS.artWhl200, IDS.artWhl200b1,
          IDS.artWhl110Meta, IDS.artWhl110, IDS.artWhlWaiting, IDS.artWhl100, IDS.artWhlYanked,
        ]);
        const license = (await store.listPackageArtifacts(A, IDS.pkgPypi, LICENSE_SCOPE)).map((x) => x.artifact.id);
        expect(license).toEqual([IDS.artWhl200b1, IDS.artWhl110Meta, IDS.artWhl110, IDS.artWhl100]);
        const pro = (await store.listPackageArtifacts(A, IDS.pkgPypi, PRO_SCOPE)).map((x) => x.release.version);
        expect(pro).toEqual(["2.0.0", "2.0.0", "2.0.0-beta.1", "1.1.0", "1.1.0", "1.0.0"]);
        expect(await store.listPackageArtifacts(A, IDS.pkgPypi, ANONYMOUS_SCOPE)).toEqual([]);
        expect(await store.listPackageArtifacts(IDS.otherAccount, IDS.pkgPypi, ADMIN_SCOPE)).toEqual([]);
      });
      it("resolves raw links: by version, tag, id, and latest", async () => {
        const raw = (release: string, artifact: string, scope: Scope, packageId: string | null = null) =>
          store.findRawArtifact({ accountId: A, productId: IDS.productLicensed, packageId, release, artifact, scope });
        expect((await raw("1.0.0", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli100);
        expect((await raw("stable-tag", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        expect((await raw(IDS.relCli110, IDS.artCli110, LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        expect((await raw("latest", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        expect((await raw("latest", "tool_linux_amd64", PRO_SCOPE))?.artifact.id).toBe(IDS.artCliPro);
        expect(await raw("latest", "tool_linux_amd64", ANONYMOUS_SCOPE)).toBeNull();
        expect(await raw("1.0.0", "missing", ADMIN_SCOPE)).toBeNull();
        // A tagged `latest` wins over the newest release.
        expect((await raw("latest", "acme_tools-1.1.0-py3-none-any.whl", LICENSE_SCOPE, IDS.pkgPypi))?.artifact.id).toBe(IDS.artWhl110);
        expect(await raw("latest", "acme_tools-2.0.0-py3-none-any.whl", PRO_SCOPE, IDS.pkgPypi)).toBeNull();
        // Whether a release is tagged `latest` is decided within the scope: a hidden DRAFT tag is no tag.
        const sdk = (scope: Scope) => store.findRawArtifact({ accountId: A, productId: IDS.productOpen, packageId: IDS.pkgOpenPypi, release: "latest", artifact: "acme_sdk-0.1.0-py3-none-any.whl", scope });
        expect((await sdk(ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artOpen);
        expect((await sdk(LICENSE_SCOPE))?.artifact.id).toBe(IDS.artOpen);
        expect(await sdk(ADMIN_SCOPE)).toBeNull();
        // Package-less links never reach a package's releases.
        expect(await raw("1.1.0", "acme_tools-1.1.0-py3-none-any.whl", ADMIN_SCOPE)).toBeNull();
      });
      it("finds an artifact by id or filename: highest release wins", async () => {
        expect((await store.findArtifact(A, "tool_linux_amd64", ADMIN_SCOPE))?.artifact.id).toBe(IDS.artCliPro);
        expect((await store.findArtifact(A, "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        expect((await store.findArtifact(A, IDS.artCli100, LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli100);
        expect(await store.findArtifact(A, "tool_linux_amd64", ANONYMOUS_SCOPE)).toBeNull();
        expect((await store.findArtifact(A, "app.AppImage", ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artTauri130Linux);
      });
      it("hides drafts, yanked releases and files not uploaded from licenses, not from products", async () => {
        expect((await store.listPackageArtifacts(A, IDS.pkgPypi, PRODUCT_SCOPE)).length).toBe(9);
        expect(await store.findArtifact(A, IDS.artWhlYanked, LICENSE_SCOPE)).toBeNull();
        expect((await store.findArtifact(A, IDS.artWhlYanked, PRODUCT_SCOPE))?.artifact.id).toBe(IDS.artWhlYanked);
        expect(await store.findArtifact(A, IDS.artClosed, LICENSE_SCOPE)).toBeNull();
        expect((await store.findArtifact(A, IDS.artOpen, ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artOpen);
      });
    });

    describe("revisions", () => {
      it("gives stable opaque revisions per package and account", async () => {
        const r1 = await store.getPackageRevision(A, IDS.pkgPypi);
        expect(typeof r1).toBe("string");
        expect(await store.getPackageRevision(A, IDS.pkgPypi)).toBe(r1);
        expect(await store.getPackageRevision(A, IDS.pkgTauri)).not.toBe(r1);
        const a1 = await store.getAccountRevision(A);
        expect(await store.getAccountRevision(A)).toBe(a1);
      });
    });

    describe("licenses, users and tokens", () => {
      it("finds a license by exact key, a UUID-shaped key included", async () => {
        expect((await store.getLicenseByKey(A, UUID_SHAPED_KEY))?.id).toBe(IDS.licenseA);
        expect((await store.getLicenseByKey(A, "PRO-KEY"))?.entitlements).toEqual(["PRO"]);
        expect(await store.getLicenseByKey(A, "pro-key")).toBeNull();
        expect(await store.getLicenseByKey(IDS.otherAccount, "PRO-KEY")).toBeNull();
      });
      it("finds licenses, policies and users by id", async () => {
        const l = await store.getLicense(A, IDS.licenseA);
        expect(l).toMatchObject({ policyId: IDS.policyLicensed, productId: IDS.productLicensed, ownerId: IDS.userAlice, suspended: false, expiry: null });
        expect(await store.getLicense(IDS.otherAccount, IDS.licenseA)).toBeNull();
        expect((await store.getPolicy(A, IDS.policyLicensed))?.authenticationStrategy).toBe("MIXED");
        expect((await store.getUser(A, IDS.userAdmin))?.role).toBe("admin");
        expect(await store.getUser(IDS.otherAccount, IDS.userAdmin)).toBeNull();
      });
      it("lists the licenses a user owns or uses", async () => {
        const ids = (await store.listUserLicenses(A, IDS.userAlice)).map((l) => l.id).sort();
        expect(ids).toEqual([IDS.licenseA, IDS.licensePro].sort());
        expect(await store.listUserLicenses(A, IDS.userAdmin)).toEqual([]);
      });
      it("finds a token by digest only, never by raw value", async () => {
        const account = await store.getAccount(A);
        const digest = await digestToken(account?.secretKey as string, TOKENS.product);
        const token = await store.getTokenByDigest(A, digest);
        expect(token).toMatchObject({ id: IDS.tokenProduct, bearerType: "product", bearerId: IDS.productLicensed, digest });
        expect(await store.getTokenByDigest(A, TOKENS.product)).toBeNull();
        expect(await store.getTokenByDigest(IDS.otherAccount, digest)).toBeNull();
      });
    });

    describe("scope: product tokens (ownOnly) and lookup windows (window: either)", () => {
      const OWN_ONLY: Scope = { ...PRODUCT_SCOPE, ownOnly: true };
      it("an ownOnly scope sees its own products' records and nothing of other products, OPEN ones included", async () => {
        expect((await store.listPackages(A, "pypi", OWN_ONLY)).map((p) => p.id)).toEqual([IDS.pkgPypi]);
        expect(await store.listPackages(A, "tauri", OWN_ONLY)).toEqual([]);
        expect((await store.listEngines(A, OWN_ONLY, { order: "asc", limit: 10 })).map((e) => e.key)).toEqual(["pypi"]);
        expect(await store.getEngine(A, "tauri", OWN_ONLY)).toBeNull();
        expect(await store.findArtifact(A, IDS.artOpen, OWN_ONLY)).toBeNull();
        expect((await store.findArtifact(A, IDS.artWhlDraft, OWN_ONLY))?.artifact.id).toBe(IDS.artWhlDraft);
        expect(await store.findRelease(A, IDS.relOpen, OWN_ONLY)).toBeNull();
        expect(await store.listPackageArtifacts(A, IDS.pkgOpenPypi, OWN_ONLY)).toEqual([]);
      });

      it("a grant's window is judged on backdated-else-created by default, and on created-or-backdated with window: either", async () => {
        const dataset = await loadDataset({
          accounts: [{
            id: A, slug: "win", name: "Win", secretKey: "window-secret-key-0123456789",
            products: [{ id: IDS.productLicensed, code: "cli", name: "CLI", distributionStrategy: "LICENSED" }],
            releases: [
              { id: IDS.relCli100, product: "cli", version: "1.0.0", status: "PUBLISHED", created: "2026-01-01T00:00:00Z" },
              { id: IDS.relCli110, product: "cli", version: "1.1.0", status: "PUBLISHED", created: "2026-01-02T00:00:00Z", backdated: "2026-01-20T00:00:00Z" },
              { id: IDS.relCliPro, product: "cli", version: "1.2.0", status: "PUBLISHED", created: "2026-01-20T00:00:00Z", backdated: "2026-01-03T00:00:00Z" },
              { product: "cli", version: "1.3.0", status: "PUBLISHED", created: "2026-01-20T00:00:00Z" },
            ],
          }],
        });
        const windowed = await options.create(dataset);
        try {
          const grant = { productId: IDS.productLicensed, entitlements: [], cutoff: "2026-01-10T00:00:00.000Z" };
          const effective: Scope = { ...LICENSE_SCOPE, grants: [grant] };
          const either: Scope = { ...LICENSE_SCOPE, grants: [{ ...grant, window: "either" }] };
          const visible = async (scope: Scope) => {
            const out: string[] = [];
            for (const v of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) if (await windowed.getReleaseByVersion(A, IDS.productLicensed, null, v, scope)) out.push(v);
            return out;
          };
          expect(await visible(effective)).toEqual(["1.0.0", "1.2.0"]);
          expect(await visible(either)).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
          expect((await windowed.findRelease(A, IDS.relCli110, either))?.id).toBe(IDS.relCli110);
          expect(await windowed.findRelease(A, IDS.relCli110, effective)).toBeNull();
        } finally {
          await options.cleanup?.(windowed);
        }
      });
    });

    describe("upgrades: build word and number (VersionRange.buildWord/buildNum)", () => {
      const base = { accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi } as const;
      it("keeps only candidates whose build metadata has the word and number asked for", async () => {
        const range = { minKey: keyPrefix(2), maxKey: keyPrefix(3) };
        const any = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range });
        expect(any?.id).toBe(IDS.relPypi200);
        const build = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build", buildNum: 7 } });
        expect(build?.id).toBe(IDS.relPypi200build);
        const wordOnly = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build" } });
        expect(wordOnly?.id).toBe(IDS.relPypi200build);
        expect(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build", buildNum: 8 } })).toBeNull();
        expect(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "other" } })).toBeNull();
      });
    });

    describe("scope: YANKED releases as if PUBLISHED (yankedAsPublished, SPEC 19)", () => {
      const Y = YANK_IDS;
      const grant = (entitlements: string[], cutoff: string | null = null): Scope =>
        ({ all: false, products: [], grants: [{ productId: Y.productLicensed, entitlements, cutoff }], licensedProducts: [Y.productLicensed] });
      const LIC = grant([]);
      const PRO = grant(["PRO"]);
      const WINDOW = grant([], "2026-01-10T00:00:00.000Z");
      const CLOSED: Scope = { all: false, products: [], grants: [{ productId: Y.productClosed, entitlements: [], cutoff: null }], licensedProducts: [Y.productClosed] };
      const OWN_LIC: Scope = { all: false, products: [Y.productLicensed], grants: [], licensedProducts: [], ownOnly: true };
      let yanked: Store;
      beforeAll(async () => {
        yanked = await options.create(await loadDataset(yankedDatasetFile()));
      });
      afterAll(async () => {
        if (yanked !== undefined) await options.cleanup?.(yanked);
      });
      const byVersion = async (productId: string, packageId: string | null, version: string, scope: Scope) =>
        (await yanked.getReleaseByVersion(Y.account, productId, packageId, version, scope))?.id ?? null;

      it("finds a YANKED release for whoever would see it PUBLISHED, and only with the flag", async () => {
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", LIC)).toBeNull();
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(LIC))).toBe(Y.rel110);
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.2.0", withYanked(LIC))).toBeNull();
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.2.0", withYanked(PRO))).toBe(Y.rel120);
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(WINDOW))).toBe(Y.rel110);
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.3.0", withYanked(WINDOW))).toBeNull();
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "0.5.0", withYanked(PRO))).toBeNull();
        expect(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(ANONYMOUS_SCOPE))).toBeNull();
        expect(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", ANONYMOUS_SCOPE)).toBeNull();
        expect(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", withYanked(ANONYMOUS_SCOPE))).toBe(Y.relOpen200);
        expect(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", withYanked(OWN_LIC))).toBeNull();
        expect(await byVersion(Y.productClosed, Y.pkgClosed, "1.0.0", withYanked(CLOSED))).toBeNull();
        expect((await yanked.findRelease(Y.account, "1.1.0", withYanked(LIC), { packageId: Y.pkgLicensed }))?.id).toBe(Y.rel110);
        expect(await yanked.findRelease(Y.account, "1.1.0", LIC, { packageId: Y.pkgLicensed })).toBeNull();
      });

      it("lists a YANKED release's uploaded files on the package's page, by precedence", async () => {
        const files = async (packageId: string, scope: Scope) => (await yanked.listPackageArtifacts(Y.account, packageId, scope)).map((x) => x.artifact.id);
        expect(await files(Y.pkgLicensed, LIC)).toEqual([Y.art100]);
        expect(await files(Y.pkgLicensed, withYanked(LIC))).toEqual([Y.art130, Y.art110, Y.art100]);
        expect(await files(Y.pkgLicensed, withYanked(PRO))).toEqual([Y.art130, Y.art120, Y.art110, Y.art100]);
        expect(await files(Y.pkgLicensed, withYanked(WINDOW))).toEqual([Y.art110, Y.art100]);
        expect(await files(Y.pkgLicensed, withYanked(ANONYMOUS_SCOPE))).toEqual([]);
        expect(await files(Y.pkgOpen, withYanked(ANONYMOUS_SCOPE))).toEqual([Y.artOpen200, Y.artOpen100]);
        expect(await files(Y.pkgOpen, withYanked(OWN_LIC))).toEqual([]);
        expect(await files(Y.pkgClosed, withYanked(CLOSED))).toEqual([]);
        // A product token already sees everything of its own product.
        expect(await files(Y.pkgLicensed, withYanked(OWN_LIC))).toEqual(await files(Y.pkgLicensed, OWN_LIC));
      });

      it("finds a YANKED release's files by id and filename, never one not uploaded", async () => {
        expect((await yanked.listReleaseArtifacts(Y.account, Y.rel110, withYanked(LIC))).map((a) => a.id)).toEqual([Y.art110]);
        expect(await yanked.listReleaseArtifacts(Y.account, Y.rel110, LIC)).toEqual([]);
        expect((await yanked.findArtifact(Y.account, Y.art110, withYanked(LIC)))?.artifact.id).toBe(Y.art110);
        expect(await yanked.findArtifact(Y.account, Y.art110, LIC)).toBeNull();
        expect(await yanked.findArtifact(Y.account, Y.art110Waiting, withYanked(LIC))).toBeNull();
        expect((await yanked.findArtifact(Y.account, "lic_py-1.1.0-py3-none-any.whl", withYanked(LIC)))?.artifact.id).toBe(Y.art110);
        expect(await yanked.findArtifact(Y.account, Y.art120, withYanked(LIC))).toBeNull();
        expect(await yanked.findArtifact(Y.account, Y.artClosed, withYanked(CLOSED))).toBeNull();
        // By filename, the highest release the scope sees wins: the YANKED 2.0.0 only with the flag.
        expect((await yanked.findArtifact(Y.account, "tool", LIC))?.artifact.id).toBe(Y.artTool100);
        expect((await yanked.findArtifact(Y.account, "tool", withYanked(LIC)))?.artifact.id).toBe(Y.artTool200);
      });

      it("never chooses a YANKED release as an upgrade or as raw latest, even with the flag", async () => {
        const up = { accountId: Y.account, productId: Y.productLicensed, packageId: Y.pkgLicensed, afterKey: key("1.0.0"), channels: ["stable"] } as const;
        for (const scope of [withYanked(LIC), withYanked(PRO), withYanked(ADMIN_SCOPE)]) expect(await yanked.findUpgrade({ ...up, scope })).toBeNull();
        const tauri = { accountId: Y.account, productId: Y.productOpen, packageId: Y.pkgTauri, afterKey: key("1.0.0"), channels: ["stable"], artifact: { platform: "linux", arch: "x86_64" } } as const;
        expect(await yanked.findUpgrade({ ...tauri, scope: withYanked(ANONYMOUS_SCOPE) })).toBeNull();
        for (const scope of [withYanked(LIC), withYanked(ADMIN_SCOPE)]) {
          const raw = await yanked.findRawArtifact({ accountId: Y.account, productId: Y.productLicensed, packageId: null, release: "latest", artifact: "tool", scope });
          expect(raw?.artifact.id).toBe(Y.artTool100);
        }
      });
    });

    options.extra?.(() => store);
  });
}
