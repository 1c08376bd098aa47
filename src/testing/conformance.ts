/**
 * @module testing/conformance — `runStoreConformance`: the one suite every store runs.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { digestToken } from "../auth/tokens.js";
import { keyPrefix, parseStrict } from "../core/version.js";
import { loadDataset, type Dataset } from "../dataset/load.js";
import { ADMIN_SCOPE, ANONYMOUS_SCOPE, withYanked, type Scope } from "../access/scope.js";
import type { Store } from "../store/types.js";
import { IDS, TOKENS, UUID_SHAPED_KEY, YANK_IDS, conformanceDataset, yankedDatasetFile } from "./fixture.js";
import { RecordNames } from "./names.js";
import { STORE_METHODS, learningStore, methodTests, namedCheck, type MethodFilter } from "./suite.js";

/** Options of {@link runStoreConformance}; `only`/`skip` pick tests by the store methods they use. */
export interface StoreConformanceOptions extends MethodFilter {
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
 * aliases and edge cases, against the conformance dataset. Each test's name ends with the methods it
 * uses (`only`/`skip` pick by them); a failure names records by natural key and says the rule broken.
 * @throws {TypeError} when `only` or `skip` names a method the suite does not test.
 * @example runStoreConformance({ name: "memory", create: (d) => createMemoryStore(d), only: ["findUpgrade"] })
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`store conformance: ${options.name}`, () => {
    const names = new RecordNames();
    const it = methodTests(options, STORE_METHODS);
    const check = namedCheck(names);
    let raw: Store | undefined;
    let store: Store;
    const A = IDS.account;
    beforeAll(async () => {
      const dataset = await conformanceDataset();
      names.learnDataset(dataset);
      raw = await options.create(dataset);
      store = learningStore(raw, names);
    });
    afterAll(async () => {
      if (raw !== undefined) await options.cleanup?.(raw);
    });

    describe("accounts and products", () => {
      it("finds an account by id and by slug, null otherwise", ["getAccount"], async () => {
        check((await store.getAccount(A))?.slug).toBe("acme");
        check((await store.getAccount("acme"))?.id).toBe(A);
        check((await store.getAccount("other"))?.id).toBe(IDS.otherAccount);
        check(await store.getAccount("nope")).toBeNull();
        check(await store.getAccount("00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps the account's secret key for token digests", ["getAccount"], async () => {
        check((await store.getAccount(A))?.secretKey).toBe("acme-secret-key-0123456789abcdef");
      });
      it("finds a product by id or code within its account only", ["getProduct"], async () => {
        check((await store.getProduct(A, IDS.productLicensed))?.code).toBe("cli");
        check((await store.getProduct(A, "cli"))?.id).toBe(IDS.productLicensed);
        check((await store.getProduct(IDS.otherAccount, "cli"))?.name).toBe("Other CLI");
        check(await store.getProduct(IDS.otherAccount, IDS.productLicensed)).toBeNull();
        check(await store.getProduct(A, "CLI")).toBeNull();
        check(await store.getProduct(A, "CLI Product")).toBeNull();
      });
      it("gets products by ids, skipping unknown and foreign ones", ["getProducts"], async () => {
        const got = await store.getProducts(A, [IDS.productOpen, IDS.productClosed, "00000000-0000-4000-8000-0000000000ff"]);
        check(got.map((p) => p.id).sort()).toEqual([IDS.productOpen, IDS.productClosed].sort());
        check(got.find((p) => p.id === IDS.productOpen)?.distributionStrategy).toBe("OPEN");
        check(await store.getProducts(IDS.otherAccount, [IDS.productOpen])).toEqual([]);
      });
    });

    describe("packages", () => {
      it("finds a package by id or key, with an optional engine filter", ["getPackage"], async () => {
        check((await store.getPackage(A, IDS.pkgPypi))?.key).toBe("acme-tools");
        check((await store.getPackage(A, "acme-tools"))?.id).toBe(IDS.pkgPypi);
        check((await store.getPackage(A, "acme-tools", "pypi"))?.id).toBe(IDS.pkgPypi);
        check(await store.getPackage(A, "acme-tools", "tauri")).toBeNull();
        check((await store.getPackage(A, IDS.pkgTauri, "tauri"))?.key).toBe("acme-app");
      });
      it("treats a UUID-shaped term that matches no id as a key, and finds nothing", ["getPackage"], async () => {
        check(await store.getPackage(A, "00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps accounts apart", ["getPackage"], async () => {
        const other = await store.getPackage(IDS.otherAccount, "acme-tools");
        check(other?.name).toBe("Impostor");
        check(await store.getPackage(IDS.otherAccount, IDS.pkgPypi)).toBeNull();
      });
      it("keeps package metadata", ["getPackage"], async () => {
        check((await store.getPackage(A, IDS.pkgPypi))?.metadata).toEqual({ homepage: "https://acme.test" });
      });
      it("lists an engine's packages newest first, filtered by scope", ["listPackages"], async () => {
        const ids = async (scope: Scope) => (await store.listPackages(A, "pypi", scope)).map((p) => p.id);
        check(await ids(ADMIN_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgClosed, IDS.pkgPypi]);
        check(await ids(ANONYMOUS_SCOPE)).toEqual([IDS.pkgOpenPypi]);
        check(await ids(LICENSE_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        check(await ids(BLOCKED_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        check(await ids(PRODUCT_SCOPE)).toEqual([IDS.pkgOpenPypi, IDS.pkgPypi]);
        check(await store.listPackages(A, "rubygems", ADMIN_SCOPE)).toEqual([]);
      });
    });

    describe("engines", () => {
      it("lists engines that have a visible package, in (created, id) order", ["listEngines", "countEngines"], async () => {
        const asc = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 10 });
        check(asc.map((e) => e.key)).toEqual(["pypi", "tauri"]);
        const desc = await store.listEngines(A, ADMIN_SCOPE, { order: "desc", limit: 10 });
        check(desc.map((e) => e.key)).toEqual(["tauri", "pypi"]);
        check(desc[0]?.name).toBe("Tauri");
        check(await store.countEngines(A, ADMIN_SCOPE)).toBe(2);
      });
      it("pages by offset and by keyset cursor", ["listEngines"], async () => {
        check((await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1, offset: 1 })).map((e) => e.key)).toEqual(["tauri"]);
        check(await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1, offset: 2 })).toEqual([]);
        const first = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 1 });
        const next = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 5, after: first[0]?.id as string });
        check(next.map((e) => e.key)).toEqual(["tauri"]);
        const none = await store.listEngines(A, ADMIN_SCOPE, { order: "desc", limit: 5, after: first[0]?.id as string });
        check(none).toEqual([]);
      });
      it("filters engines by package visibility", ["listEngines", "countEngines"], async () => {
        check((await store.listEngines(A, ANONYMOUS_SCOPE, { order: "asc", limit: 10 })).map((e) => e.key)).toEqual(["pypi", "tauri"]);
        const other = await store.listEngines(IDS.otherAccount, ANONYMOUS_SCOPE, { order: "asc", limit: 10 });
        check(other.map((e) => e.key)).toEqual(["pypi"]);
        check(await store.countEngines(IDS.otherAccount, ANONYMOUS_SCOPE)).toBe(1);
      });
      it("retrieves an engine by key or id; one without packages only for admins", ["getEngine"], async () => {
        const pypi = await store.getEngine(A, "pypi", ANONYMOUS_SCOPE);
        check(pypi?.key).toBe("pypi");
        check((await store.getEngine(A, pypi?.id as string, ANONYMOUS_SCOPE))?.key).toBe("pypi");
        check((await store.getEngine(A, IDS.engineUnused, ADMIN_SCOPE))?.key).toBe("npm");
        check((await store.getEngine(A, "npm", ADMIN_SCOPE))?.id).toBe(IDS.engineUnused);
        check(await store.getEngine(A, "npm", ANONYMOUS_SCOPE)).toBeNull();
        check(await store.getEngine(A, "invalid", ADMIN_SCOPE)).toBeNull();
        check(await store.getEngine(IDS.otherAccount, IDS.engineUnused, ADMIN_SCOPE)).toBeNull();
      });
    });

    describe("releases", () => {
      it("gets a release by id within its account", ["getRelease"], async () => {
        check((await store.getRelease(A, IDS.relPypi110))?.version).toBe("1.1.0");
        check(await store.getRelease(IDS.otherAccount, IDS.relPypi110)).toBeNull();
      });
      it("keeps every release field", ["getRelease"], async () => {
        const r = await store.getRelease(A, IDS.relPypi200);
        check(r).toMatchObject({ productId: IDS.productLicensed, packageId: IDS.pkgPypi, channel: "stable", status: "PUBLISHED", entitlements: ["PRO"], created: "2026-01-10T00:00:00.000Z", backdated: null, versionKey: key("2.0.0") });
        const t = await store.getRelease(A, IDS.relTauri120);
        check(t?.description).toBe("notes 1.2.0");
        const y = await store.getRelease(A, IDS.relPypiYanked);
        check(y?.status).toBe("YANKED");
        check(y?.yanked).not.toBeNull();
      });
      it("gets a release by exact version, build metadata included, within scope", ["getReleaseByVersion"], async () => {
        check((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0+build.7", ADMIN_SCOPE))?.id).toBe(IDS.relPypi200build);
        check((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", ADMIN_SCOPE))?.id).toBe(IDS.relPypi200);
        check(await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", LICENSE_SCOPE)).toBeNull();
        check((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "2.0.0", PRO_SCOPE))?.id).toBe(IDS.relPypi200);
        check(await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "3.0.0", LICENSE_SCOPE)).toBeNull();
        check((await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "3.0.0", PRODUCT_SCOPE))?.id).toBe(IDS.relPypiDraft);
        check((await store.getReleaseByVersion(A, IDS.productLicensed, null, "1.0.0", LICENSE_SCOPE))?.id).toBe(IDS.relCli100);
        check(await store.getReleaseByVersion(A, IDS.productLicensed, null, "1.0", ADMIN_SCOPE)).toBeNull();
      });
      it("finds a release by id, version or tag, narrowed by product and package", ["findRelease"], async () => {
        check((await store.findRelease(A, "latest", ADMIN_SCOPE))?.id).toBe(IDS.relPypi110);
        check((await store.findRelease(A, "stable-tag", LICENSE_SCOPE))?.id).toBe(IDS.relCli110);
        check((await store.findRelease(A, IDS.relCli100, LICENSE_SCOPE))?.id).toBe(IDS.relCli100);
        // 1.0.0 exists in four slots; the oldest wins, and the filters narrow it.
        check((await store.findRelease(A, "1.0.0", ADMIN_SCOPE, { productId: IDS.productLicensed, packageId: null }))?.id).toBe(IDS.relCli100);
        check((await store.findRelease(A, "1.0.0", ADMIN_SCOPE, { packageId: IDS.pkgTauri }))?.id).toBe(IDS.relTauri100);
        check(await store.findRelease(A, "1.0.0", ANONYMOUS_SCOPE, { productId: IDS.productLicensed })).toBeNull();
        check(await store.findRelease(A, "9.9.9", ADMIN_SCOPE)).toBeNull();
        check(await store.findRelease(A, "3.0.0", LICENSE_SCOPE)).toBeNull();
      });
    });

    describe("upgrades", () => {
      const base = { accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi } as const;
      it("answers the newest published release above the current one, per channel", ["findUpgrade"], async () => {
        const up = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE });
        check(up?.id).toBe(IDS.relPypi200);
        const beta = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable", "rc", "beta"], scope: LICENSE_SCOPE });
        check(beta?.id).toBe(IDS.relPypi200build);
        const betaOnly = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["beta"], scope: LICENSE_SCOPE });
        check(betaOnly?.id).toBe(IDS.relPypi200b2);
      });
      it("orders numeric pre-release identifiers numerically and never offers equal precedence", ["findUpgrade"], async () => {
        const fromB1 = await store.findUpgrade({ ...base, afterKey: key("2.0.0-beta.1"), channels: ["beta"], scope: ADMIN_SCOPE });
        check(fromB1?.id).toBe(IDS.relPypi200b2);
        check(await store.findUpgrade({ ...base, afterKey: key("2.0.0"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
        check(await store.findUpgrade({ ...base, afterKey: key("2.0.0+anything"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
      });
      it("never offers drafts or yanked releases, even to admins", ["findUpgrade"], async () => {
        check(await store.findUpgrade({ ...base, afterKey: key("2.0.0"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
        const fromOld = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(0), maxKey: keyPrefix(1) } });
        check(fromOld).toBeNull();
      });
      it("filters by version range and pre-release word", ["findUpgrade"], async () => {
        const one = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(1), maxKey: keyPrefix(2) } });
        check(one?.id).toBe(IDS.relPypi110);
        const oneZero = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(1, 0), maxKey: keyPrefix(1, 1) } });
        check(oneZero?.id).toBe(IDS.relPypi100);
        const word = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable", "beta"], scope: ADMIN_SCOPE, range: { minKey: keyPrefix(2), maxKey: keyPrefix(3), preWord: "beta", preNum: 1 } });
        check(word?.id).toBe(IDS.relPypi200b1);
      });
      it("applies entitlements and the access window", ["findUpgrade"], async () => {
        const pro = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: PRO_SCOPE });
        check(pro?.id).toBe(IDS.relPypi200);
        const windowed = await store.findUpgrade({ ...base, afterKey: key("0.1.0"), channels: ["stable"], scope: WINDOW_SCOPE });
        check(windowed?.id).toBe(IDS.relPypi100);
        check(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE })).toBeNull();
      });
      it("keeps to the product and package, or to package-less releases", ["findUpgrade"], async () => {
        const cli = await store.findUpgrade({ ...base, packageId: null, afterKey: key("1.0.0"), channels: ["stable"], scope: LICENSE_SCOPE });
        check(cli?.id).toBe(IDS.relCli110);
        const cliPro = await store.findUpgrade({ ...base, packageId: null, afterKey: key("1.0.0"), channels: ["stable"], scope: PRO_SCOPE });
        check(cliPro?.id).toBe(IDS.relCliPro);
        check(await store.findUpgrade({ ...base, productId: IDS.productOpen, afterKey: key("0.0.1"), channels: ["stable"], scope: ADMIN_SCOPE })).toBeNull();
      });
      it("requires a visible, signed artifact for the platform and arch when asked", ["findUpgrade"], async () => {
        const tauri = { accountId: A, productId: IDS.productOpen, packageId: IDS.pkgTauri } as const;
        const linux = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "linux", arch: "x86_64" } });
        check(linux?.id).toBe(IDS.relTauri120);
        const mac = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "darwin", arch: "aarch64" } });
        check(mac?.id).toBe(IDS.relTauri120);
        const beta = await store.findUpgrade({ ...tauri, afterKey: key("1.2.0"), channels: ["stable", "rc", "beta"], scope: ANONYMOUS_SCOPE, artifact: { platform: "linux", arch: "x86_64" } });
        check(beta?.id).toBe(IDS.relTauri130b);
        const unsigned = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "windows", arch: "x86_64" } });
        check(unsigned).toBeNull();
        const skipsMissing = await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable", "rc", "beta"], scope: ANONYMOUS_SCOPE, artifact: { platform: "darwin", arch: "aarch64" } });
        check(skipsMissing?.id).toBe(IDS.relTauri120);
        check(await store.findUpgrade({ ...tauri, afterKey: key("1.0.0"), channels: ["stable"], scope: ANONYMOUS_SCOPE, artifact: { platform: "Linux", arch: "x86_64" } })).toBeNull();
      });
    });

    describe("artifacts", () => {
      it("gets an artifact with its release by id", ["getArtifact"], async () => {
        const got = await store.getArtifact(A, IDS.artWhl110);
        check(got?.artifact.filename).toBe("acme_tools-1.1.0-py3-none-any.whl");
        check(got?.artifact.metadata).toEqual({ requiresPython: ">=3.8" });
        check(got?.release.id).toBe(IDS.relPypi110);
        check(await store.getArtifact(IDS.otherAccount, IDS.artWhl110)).toBeNull();
        check(await store.getArtifact(A, "00000000-0000-4000-8000-0000000000ff")).toBeNull();
      });
      it("keeps every artifact field", ["getArtifact"], async () => {
        const got = await store.getArtifact(A, IDS.artTauri120LinuxGz);
        check(got?.artifact).toMatchObject({ filetype: "gz", platform: "linux", arch: "x86_64", filesize: 100, checksum: "a".repeat(64), signature: "sig-120-gz", status: "UPLOADED", blob: null });
      });
      it("lists a release's artifacts newest first, by platform and arch, within scope", ["listReleaseArtifacts"], async () => {
        const all = await store.listReleaseArtifacts(A, IDS.relTauri120, ANONYMOUS_SCOPE);
        check(all.length).toBe(4);
        const linux = await store.listReleaseArtifacts(A, IDS.relTauri120, ANONYMOUS_SCOPE, { platform: "linux", arch: "x86_64" });
        check(linux.map((a) => a.id).sort()).toEqual([IDS.artTauri120Linux, IDS.artTauri120LinuxGz].sort());
        check((await store.listReleaseArtifacts(A, IDS.relPypi100, ADMIN_SCOPE)).map((a) => a.id)).toEqual([IDS.artWhlWaiting, IDS.artWhl100]);
        check((await store.listReleaseArtifacts(A, IDS.relPypi100, LICENSE_SCOPE)).map((a) => a.id)).toEqual([IDS.artWhl100]);
        check(await store.listReleaseArtifacts(A, IDS.relPypi100, ANONYMOUS_SCOPE)).toEqual([]);
      });
      it("lists a package's files by release precedence, then newest", ["listPackageArtifacts"], async () => {
        const admin = (await store.listPackageArtifacts(A, IDS.pkgPypi, ADMIN_SCOPE)).map((x) => x.artifact.id);
        // Same created instant: the larger id first, so every store breaks ties alike.
        check(admin).toEqual([
          IDS.artWhlDraft, IDS.artWhl200Sdist, IDS.artWhl200, IDS.artWhl200b1,
          IDS.artWhl110Meta, IDS.artWhl110, IDS.artWhlWaiting, IDS.artWhl100, IDS.artWhlYanked,
        ]);
        const license = (await store.listPackageArtifacts(A, IDS.pkgPypi, LICENSE_SCOPE)).map((x) => x.artifact.id);
        check(license).toEqual([IDS.artWhl200b1, IDS.artWhl110Meta, IDS.artWhl110, IDS.artWhl100]);
        const pro = (await store.listPackageArtifacts(A, IDS.pkgPypi, PRO_SCOPE)).map((x) => x.release.version);
        check(pro).toEqual(["2.0.0", "2.0.0", "2.0.0-beta.1", "1.1.0", "1.1.0", "1.0.0"]);
        check(await store.listPackageArtifacts(A, IDS.pkgPypi, ANONYMOUS_SCOPE)).toEqual([]);
        check(await store.listPackageArtifacts(IDS.otherAccount, IDS.pkgPypi, ADMIN_SCOPE)).toEqual([]);
      });
      it("resolves raw links: by version, tag, id, and latest", ["findRawArtifact"], async () => {
        const raw = (release: string, artifact: string, scope: Scope, packageId: string | null = null) =>
          store.findRawArtifact({ accountId: A, productId: IDS.productLicensed, packageId, release, artifact, scope });
        check((await raw("1.0.0", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli100);
        check((await raw("stable-tag", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        check((await raw(IDS.relCli110, IDS.artCli110, LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        check((await raw("latest", "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        check((await raw("latest", "tool_linux_amd64", PRO_SCOPE))?.artifact.id).toBe(IDS.artCliPro);
        check(await raw("latest", "tool_linux_amd64", ANONYMOUS_SCOPE)).toBeNull();
        check(await raw("1.0.0", "missing", ADMIN_SCOPE)).toBeNull();
        // A tagged `latest` wins over the newest release.
        check((await raw("latest", "acme_tools-1.1.0-py3-none-any.whl", LICENSE_SCOPE, IDS.pkgPypi))?.artifact.id).toBe(IDS.artWhl110);
        check(await raw("latest", "acme_tools-2.0.0-py3-none-any.whl", PRO_SCOPE, IDS.pkgPypi)).toBeNull();
        // Whether a release is tagged `latest` is decided within the scope: a hidden DRAFT tag is no tag.
        const sdk = (scope: Scope) => store.findRawArtifact({ accountId: A, productId: IDS.productOpen, packageId: IDS.pkgOpenPypi, release: "latest", artifact: "acme_sdk-0.1.0-py3-none-any.whl", scope });
        check((await sdk(ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artOpen);
        check((await sdk(LICENSE_SCOPE))?.artifact.id).toBe(IDS.artOpen);
        check(await sdk(ADMIN_SCOPE)).toBeNull();
        // Package-less links never reach a package's releases.
        check(await raw("1.1.0", "acme_tools-1.1.0-py3-none-any.whl", ADMIN_SCOPE)).toBeNull();
      });
      it("finds an artifact by id or filename: highest release wins", ["findArtifact"], async () => {
        check((await store.findArtifact(A, "tool_linux_amd64", ADMIN_SCOPE))?.artifact.id).toBe(IDS.artCliPro);
        check((await store.findArtifact(A, "tool_linux_amd64", LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli110);
        check((await store.findArtifact(A, IDS.artCli100, LICENSE_SCOPE))?.artifact.id).toBe(IDS.artCli100);
        check(await store.findArtifact(A, "tool_linux_amd64", ANONYMOUS_SCOPE)).toBeNull();
        check((await store.findArtifact(A, "app.AppImage", ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artTauri130Linux);
      });
      it("hides drafts, yanked releases and files not uploaded from licenses, not from products", ["listPackageArtifacts", "findArtifact"], async () => {
        check((await store.listPackageArtifacts(A, IDS.pkgPypi, PRODUCT_SCOPE)).length).toBe(9);
        check(await store.findArtifact(A, IDS.artWhlYanked, LICENSE_SCOPE)).toBeNull();
        check((await store.findArtifact(A, IDS.artWhlYanked, PRODUCT_SCOPE))?.artifact.id).toBe(IDS.artWhlYanked);
        check(await store.findArtifact(A, IDS.artClosed, LICENSE_SCOPE)).toBeNull();
        check((await store.findArtifact(A, IDS.artOpen, ANONYMOUS_SCOPE))?.artifact.id).toBe(IDS.artOpen);
      });
    });

    describe("revisions", () => {
      it("gives stable opaque revisions per package and account", ["getPackageRevision", "getAccountRevision"], async () => {
        const r1 = await store.getPackageRevision(A, IDS.pkgPypi);
        check(typeof r1).toBe("string");
        check(await store.getPackageRevision(A, IDS.pkgPypi)).toBe(r1);
        check(await store.getPackageRevision(A, IDS.pkgTauri)).not.toBe(r1);
        const a1 = await store.getAccountRevision(A);
        check(await store.getAccountRevision(A)).toBe(a1);
      });
    });

    describe("licenses, users and tokens", () => {
      it("finds a license by exact key, a UUID-shaped key included", ["getLicenseByKey"], async () => {
        check((await store.getLicenseByKey(A, UUID_SHAPED_KEY))?.id).toBe(IDS.licenseA);
        check((await store.getLicenseByKey(A, "PRO-KEY"))?.entitlements).toEqual(["PRO"]);
        check(await store.getLicenseByKey(A, "pro-key")).toBeNull();
        check(await store.getLicenseByKey(IDS.otherAccount, "PRO-KEY")).toBeNull();
      });
      it("finds licenses, policies and users by id", ["getLicense", "getPolicy", "getUser"], async () => {
        const l = await store.getLicense(A, IDS.licenseA);
        check(l).toMatchObject({ policyId: IDS.policyLicensed, productId: IDS.productLicensed, ownerId: IDS.userAlice, suspended: false, expiry: null });
        check(await store.getLicense(IDS.otherAccount, IDS.licenseA)).toBeNull();
        check((await store.getPolicy(A, IDS.policyLicensed))?.authenticationStrategy).toBe("MIXED");
        check((await store.getUser(A, IDS.userAdmin))?.role).toBe("admin");
        check(await store.getUser(IDS.otherAccount, IDS.userAdmin)).toBeNull();
      });
      it("lists the licenses a user owns or uses", ["listUserLicenses"], async () => {
        const ids = (await store.listUserLicenses(A, IDS.userAlice)).map((l) => l.id).sort();
        check(ids).toEqual([IDS.licenseA, IDS.licensePro].sort());
        check(await store.listUserLicenses(A, IDS.userAdmin)).toEqual([]);
      });
      it("finds a token by digest only, never by raw value", ["getAccount", "getTokenByDigest"], async () => {
        const account = await store.getAccount(A);
        const digest = await digestToken(account?.secretKey as string, TOKENS.product);
        const token = await store.getTokenByDigest(A, digest);
        check(token).toMatchObject({ id: IDS.tokenProduct, bearerType: "product", bearerId: IDS.productLicensed, digest });
        check(await store.getTokenByDigest(A, TOKENS.product)).toBeNull();
        check(await store.getTokenByDigest(IDS.otherAccount, digest)).toBeNull();
      });
    });

    describe("scope: product tokens (ownOnly) and lookup windows (window: either)", () => {
      const OWN_ONLY: Scope = { ...PRODUCT_SCOPE, ownOnly: true };
      it("an ownOnly scope sees its own products' records and nothing of other products, OPEN ones included", ["listPackages", "listEngines", "getEngine", "findArtifact", "findRelease", "listPackageArtifacts"], async () => {
        check((await store.listPackages(A, "pypi", OWN_ONLY)).map((p) => p.id)).toEqual([IDS.pkgPypi]);
        check(await store.listPackages(A, "tauri", OWN_ONLY)).toEqual([]);
        check((await store.listEngines(A, OWN_ONLY, { order: "asc", limit: 10 })).map((e) => e.key)).toEqual(["pypi"]);
        check(await store.getEngine(A, "tauri", OWN_ONLY)).toBeNull();
        check(await store.findArtifact(A, IDS.artOpen, OWN_ONLY)).toBeNull();
        check((await store.findArtifact(A, IDS.artWhlDraft, OWN_ONLY))?.artifact.id).toBe(IDS.artWhlDraft);
        check(await store.findRelease(A, IDS.relOpen, OWN_ONLY)).toBeNull();
        check(await store.listPackageArtifacts(A, IDS.pkgOpenPypi, OWN_ONLY)).toEqual([]);
      });

      it("a grant's window is judged on backdated-else-created by default, and on created-or-backdated with window: either", ["getReleaseByVersion", "findRelease"], async () => {
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
        const rawWindowed = await options.create(dataset);
        const windowed = learningStore(rawWindowed, names);
        try {
          const grant = { productId: IDS.productLicensed, entitlements: [], cutoff: "2026-01-10T00:00:00.000Z" };
          const effective: Scope = { ...LICENSE_SCOPE, grants: [grant] };
          const either: Scope = { ...LICENSE_SCOPE, grants: [{ ...grant, window: "either" }] };
          const visible = async (scope: Scope) => {
            const out: string[] = [];
            for (const v of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) if (await windowed.getReleaseByVersion(A, IDS.productLicensed, null, v, scope)) out.push(v);
            return out;
          };
          check(await visible(effective)).toEqual(["1.0.0", "1.2.0"]);
          check(await visible(either)).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
          check((await windowed.findRelease(A, IDS.relCli110, either))?.id).toBe(IDS.relCli110);
          check(await windowed.findRelease(A, IDS.relCli110, effective)).toBeNull();
        } finally {
          await options.cleanup?.(rawWindowed);
        }
      });
    });

    describe("upgrades: build word and number (VersionRange.buildWord/buildNum)", () => {
      const base = { accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi } as const;
      it("keeps only candidates whose build metadata has the word and number asked for", ["findUpgrade"], async () => {
        const range = { minKey: keyPrefix(2), maxKey: keyPrefix(3) };
        const any = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range });
        check(any?.id).toBe(IDS.relPypi200);
        const build = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build", buildNum: 7 } });
        check(build?.id).toBe(IDS.relPypi200build);
        const wordOnly = await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build" } });
        check(wordOnly?.id).toBe(IDS.relPypi200build);
        check(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "build", buildNum: 8 } })).toBeNull();
        check(await store.findUpgrade({ ...base, afterKey: key("1.0.0"), channels: ["stable"], scope: ADMIN_SCOPE, range: { ...range, buildWord: "other" } })).toBeNull();
      });
    });

    describe("scope: YANKED releases as if PUBLISHED (yankedAsPublished)", () => {
      const Y = YANK_IDS;
      const grant = (entitlements: string[], cutoff: string | null = null): Scope =>
        ({ all: false, products: [], grants: [{ productId: Y.productLicensed, entitlements, cutoff }], licensedProducts: [Y.productLicensed] });
      const LIC = grant([]);
      const PRO = grant(["PRO"]);
      const WINDOW = grant([], "2026-01-10T00:00:00.000Z");
      const CLOSED: Scope = { all: false, products: [], grants: [{ productId: Y.productClosed, entitlements: [], cutoff: null }], licensedProducts: [Y.productClosed] };
      const OWN_LIC: Scope = { all: false, products: [Y.productLicensed], grants: [], licensedProducts: [], ownOnly: true };
      let yanked: Store;
      let rawYanked: Store | undefined;
      beforeAll(async () => {
        const dataset = await loadDataset(yankedDatasetFile());
        names.learnDataset(dataset);
        rawYanked = await options.create(dataset);
        yanked = learningStore(rawYanked, names);
      });
      afterAll(async () => {
        if (rawYanked !== undefined) await options.cleanup?.(rawYanked);
      });
      const byVersion = async (productId: string, packageId: string | null, version: string, scope: Scope) =>
        (await yanked.getReleaseByVersion(Y.account, productId, packageId, version, scope))?.id ?? null;

      it("finds a YANKED release for whoever would see it PUBLISHED, and only with the flag", ["getReleaseByVersion", "findRelease"], async () => {
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", LIC)).toBeNull();
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(LIC))).toBe(Y.rel110);
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.2.0", withYanked(LIC))).toBeNull();
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.2.0", withYanked(PRO))).toBe(Y.rel120);
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(WINDOW))).toBe(Y.rel110);
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.3.0", withYanked(WINDOW))).toBeNull();
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "0.5.0", withYanked(PRO))).toBeNull();
        check(await byVersion(Y.productLicensed, Y.pkgLicensed, "1.1.0", withYanked(ANONYMOUS_SCOPE))).toBeNull();
        check(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", ANONYMOUS_SCOPE)).toBeNull();
        check(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", withYanked(ANONYMOUS_SCOPE))).toBe(Y.relOpen200);
        check(await byVersion(Y.productOpen, Y.pkgOpen, "2.0.0", withYanked(OWN_LIC))).toBeNull();
        check(await byVersion(Y.productClosed, Y.pkgClosed, "1.0.0", withYanked(CLOSED))).toBeNull();
        check((await yanked.findRelease(Y.account, "1.1.0", withYanked(LIC), { packageId: Y.pkgLicensed }))?.id).toBe(Y.rel110);
        check(await yanked.findRelease(Y.account, "1.1.0", LIC, { packageId: Y.pkgLicensed })).toBeNull();
      });

      it("lists a YANKED release's uploaded files on the package's page, by precedence", ["listPackageArtifacts"], async () => {
        const files = async (packageId: string, scope: Scope) => (await yanked.listPackageArtifacts(Y.account, packageId, scope)).map((x) => x.artifact.id);
        check(await files(Y.pkgLicensed, LIC)).toEqual([Y.art100]);
        check(await files(Y.pkgLicensed, withYanked(LIC))).toEqual([Y.art130, Y.art110, Y.art100]);
        check(await files(Y.pkgLicensed, withYanked(PRO))).toEqual([Y.art130, Y.art120, Y.art110, Y.art100]);
        check(await files(Y.pkgLicensed, withYanked(WINDOW))).toEqual([Y.art110, Y.art100]);
        check(await files(Y.pkgLicensed, withYanked(ANONYMOUS_SCOPE))).toEqual([]);
        check(await files(Y.pkgOpen, withYanked(ANONYMOUS_SCOPE))).toEqual([Y.artOpen200, Y.artOpen100]);
        check(await files(Y.pkgOpen, withYanked(OWN_LIC))).toEqual([]);
        check(await files(Y.pkgClosed, withYanked(CLOSED))).toEqual([]);
        // A product token already sees everything of its own product.
        check(await files(Y.pkgLicensed, withYanked(OWN_LIC))).toEqual(await files(Y.pkgLicensed, OWN_LIC));
      });

      it("finds a YANKED release's files by id and filename, never one not uploaded", ["listReleaseArtifacts", "findArtifact"], async () => {
        check((await yanked.listReleaseArtifacts(Y.account, Y.rel110, withYanked(LIC))).map((a) => a.id)).toEqual([Y.art110]);
        check(await yanked.listReleaseArtifacts(Y.account, Y.rel110, LIC)).toEqual([]);
        check((await yanked.findArtifact(Y.account, Y.art110, withYanked(LIC)))?.artifact.id).toBe(Y.art110);
        check(await yanked.findArtifact(Y.account, Y.art110, LIC)).toBeNull();
        check(await yanked.findArtifact(Y.account, Y.art110Waiting, withYanked(LIC))).toBeNull();
        check((await yanked.findArtifact(Y.account, "lic_py-1.1.0-py3-none-any.whl", withYanked(LIC)))?.artifact.id).toBe(Y.art110);
        check(await yanked.findArtifact(Y.account, Y.art120, withYanked(LIC))).toBeNull();
        check(await yanked.findArtifact(Y.account, Y.artClosed, withYanked(CLOSED))).toBeNull();
        // By filename, the highest release the scope sees wins: the YANKED 2.0.0 only with the flag.
        check((await yanked.findArtifact(Y.account, "tool", LIC))?.artifact.id).toBe(Y.artTool100);
        check((await yanked.findArtifact(Y.account, "tool", withYanked(LIC)))?.artifact.id).toBe(Y.artTool200);
      });

      it("never chooses a YANKED release as an upgrade or as raw latest, even with the flag", ["findUpgrade", "findRawArtifact"], async () => {
        const up = { accountId: Y.account, productId: Y.productLicensed, packageId: Y.pkgLicensed, afterKey: key("1.0.0"), channels: ["stable"] } as const;
        for (const scope of [withYanked(LIC), withYanked(PRO), withYanked(ADMIN_SCOPE)]) check(await yanked.findUpgrade({ ...up, scope })).toBeNull();
        const tauri = { accountId: Y.account, productId: Y.productOpen, packageId: Y.pkgTauri, afterKey: key("1.0.0"), channels: ["stable"], artifact: { platform: "linux", arch: "x86_64" } } as const;
        check(await yanked.findUpgrade({ ...tauri, scope: withYanked(ANONYMOUS_SCOPE) })).toBeNull();
        for (const scope of [withYanked(LIC), withYanked(ADMIN_SCOPE)]) {
          const raw = await yanked.findRawArtifact({ accountId: Y.account, productId: Y.productLicensed, packageId: null, release: "latest", artifact: "tool", scope });
          check(raw?.artifact.id).toBe(Y.artTool100);
        }
      });
    });

    options.extra?.(() => raw as Store);
  });
}
