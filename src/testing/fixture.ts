/**
 * @module testing/fixture — the conformance dataset: small, but with every edge the store contract names.
 */
import { loadDataset, type Dataset } from "../dataset/load.js";
import type { DatasetFile } from "../dataset/schema.js";

/** Fixed ids of the conformance dataset, so assertions name records directly. */
export const IDS = {
  account: "00000000-0000-4000-8000-000000000001",
  otherAccount: "00000000-0000-4000-8000-000000000002",
  productOpen: "00000000-0000-4000-8000-000000000011",
  productLicensed: "00000000-0000-4000-8000-000000000012",
  productClosed: "00000000-0000-4000-8000-000000000013",
  pkgPypi: "00000000-0000-4000-8000-000000000021",
  pkgTauri: "00000000-0000-4000-8000-000000000022",
  pkgClosed: "00000000-0000-4000-8000-000000000023",
  pkgOpenPypi: "00000000-0000-4000-8000-000000000024",
  relPypi100: "00000000-0000-4000-8000-000000000101",
  relPypi110: "00000000-0000-4000-8000-000000000102",
  relPypi200b1: "00000000-0000-4000-8000-000000000103",
  relPypi200b2: "00000000-0000-4000-8000-000000000104",
  relPypi200: "00000000-0000-4000-8000-000000000105",
  relPypi200build: "00000000-0000-4000-8000-000000000106",
  relPypiDraft: "00000000-0000-4000-8000-000000000107",
  relPypiYanked: "00000000-0000-4000-8000-000000000108",
  relTauri100: "00000000-0000-4000-8000-000000000111",
  relTauri110: "00000000-0000-4000-8000-000000000112",
  relTauri120: "00000000-0000-4000-8000-000000000113",
  relTauri130b: "00000000-0000-4000-8000-000000000114",
  relCli100: "00000000-0000-4000-8000-000000000121",
  relCli110: "00000000-0000-4000-8000-000000000122",
  relCliPro: "00000000-0000-4000-8000-000000000123",
  relClosed: "00000000-0000-4000-8000-000000000131",
  relOpen: "00000000-0000-4000-8000-000000000141",
  relOpenDraftLatest: "00000000-0000-4000-8000-000000000142",
  artWhl100: "00000000-0000-4000-8000-000000001001",
  artWhl110: "00000000-0000-4000-8000-000000001002",
  artWhl110Meta: "00000000-0000-4000-8000-000000001003",
  artWhl200b1: "00000000-0000-4000-8000-000000001004",
  artWhl200: "00000000-0000-4000-8000-000000001005",
  artWhl200Sdist: "00000000-0000-4000-8000-000000001006",
  artWhlDraft: "00000000-0000-4000-8000-000000001007",
  artWhlWaiting: "00000000-0000-4000-8000-000000001008",
  artWhlYanked: "00000000-0000-4000-8000-000000001009",
  artTauri110Linux: "00000000-0000-4000-8000-000000001011",
  artTauri120Linux: "00000000-0000-4000-8000-000000001012",
  artTauri120LinuxGz: "00000000-0000-4000-8000-000000001013",
  artTauri120Darwin: "00000000-0000-4000-8000-000000001014",
  artTauri130Linux: "00000000-0000-4000-8000-000000001015",
  artTauri120Unsigned: "00000000-0000-4000-8000-000000001016",
  artCli100: "00000000-0000-4000-8000-000000001021",
  artCli110: "00000000-0000-4000-8000-000000001022",
  artCliPro: "00000000-0000-4000-8000-000000001023",
  artClosed: "00000000-0000-4000-8000-000000001031",
  artOpen: "00000000-0000-4000-8000-000000001041",
  policyLicensed: "00000000-0000-4000-8000-000000002001",
  licenseA: "00000000-0000-4000-8000-000000003001",
  licensePro: "00000000-0000-4000-8000-000000003002",
  userAlice: "00000000-0000-4000-8000-000000004001",
  userAdmin: "00000000-0000-4000-8000-000000004002",
  tokenAdmin: "00000000-0000-4000-8000-000000005001",
  tokenProduct: "00000000-0000-4000-8000-000000005002",
  tokenLicense: "00000000-0000-4000-8000-000000005003",
  tokenUser: "00000000-0000-4000-8000-000000005004",
  engineUnused: "00000000-0000-4000-8000-000000006001",
} as const;

/** Raw tokens of the conformance dataset (stores only ever see their digests). */
export const TOKENS = {
  admin: "admin-1111111111111111111111111111111111111111111111111111111111111111v3",
  product: "prod-2222222222222222222222222222222222222222222222222222222222222222v3",
  license: "activ-33333333333333333333333333333333v3",
  user: "user-4444444444444444444444444444444444444444444444444444444444444444v3",
} as const;

/** A license key shaped like a UUID: lookups must treat it as a key, not an id. */
export const UUID_SHAPED_KEY = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f";

const t = (day: number) => `2026-01-${String(day).padStart(2, "0")}T00:00:00Z`;
const hex = (c: string) => c.repeat(64);

/** The conformance dataset file (no blob files: checksums and sizes are given). */
export function conformanceDatasetFile(): DatasetFile {
  const I = IDS;
  const art = (id: string, release: string, filename: string, day: number, extra: Record<string, unknown> = {}) => ({
    id, release, filename, created: t(day), filesize: 100, checksum: hex("a"), status: "UPLOADED" as const, ...extra,
  });
  return {
    accounts: [
      {
        id: I.account, slug: "acme", name: "Acme Inc", secretKey: "acme-secret-key-0123456789abcdef", created: t(1),
        products: [
          { id: I.productOpen, code: "app", name: "App", distributionStrategy: "OPEN", created: t(1) },
          { id: I.productLicensed, code: "cli", name: "CLI", distributionStrategy: "LICENSED", created: t(2) },
          { id: I.productClosed, code: "internal", name: "Internal", distributionStrategy: "CLOSED", created: t(3) },
        ],
        packages: [
          { id: I.pkgPypi, product: "cli", key: "Acme_Tools", name: "Acme Tools", engine: "pypi", created: t(2), metadata: { homepage: "https://acme.test" } },
          { id: I.pkgTauri, product: "app", key: "acme-app", name: "Acme App", engine: "tauri", created: t(3) },
          { id: I.pkgClosed, product: "internal", key: "internal-tools", name: "Internal", engine: "pypi", created: t(4) },
          { id: I.pkgOpenPypi, product: "app", key: "acme-sdk", name: "Acme SDK", engine: "pypi", created: t(5) },
        ],
        engines: [{ id: I.engineUnused, key: "npm", created: t(1) }],
        entitlements: [{ code: "PRO", name: "Pro" }, { code: "EXTRA", name: "Extra" }],
        releases: [
          { id: I.relPypi100, product: "cli", package: "acme-tools", version: "1.0.0", status: "PUBLISHED", created: t(5) },
          { id: I.relPypi110, product: "cli", package: "acme-tools", version: "1.1.0", status: "PUBLISHED", created: t(6), tag: "latest" },
          { id: I.relPypi200b1, product: "cli", package: "acme-tools", version: "2.0.0-beta.1", status: "PUBLISHED", created: t(7) },
          { id: I.relPypi200b2, product: "cli", package: "acme-tools", version: "2.0.0-beta.2", status: "PUBLISHED", created: t(8) },
          { id: I.relPypi200, product: "cli", package: "acme-tools", version: "2.0.0", status: "PUBLISHED", created: t(10), entitlements: ["PRO"] },
          { id: I.relPypi200build, product: "cli", package: "acme-tools", version: "2.0.0+build.7", status: "PUBLISHED", created: t(9) },
          { id: I.relPypiDraft, product: "cli", package: "acme-tools", version: "3.0.0", status: "DRAFT", created: t(11) },
          { id: I.relPypiYanked, product: "cli", package: "acme-tools", version: "0.9.0", status: "YANKED", created: t(4) },
          { id: I.relTauri100, product: "app", package: "acme-app", version: "1.0.0", status: "PUBLISHED", created: t(5) },
          { id: I.relTauri110, product: "app", package: "acme-app", version: "1.1.0", status: "PUBLISHED", created: t(6) },
          { id: I.relTauri120, product: "app", package: "acme-app", version: "1.2.0", status: "PUBLISHED", created: t(7), description: "notes 1.2.0" },
          { id: I.relTauri130b, product: "app", package: "acme-app", version: "1.3.0-beta.1", status: "PUBLISHED", created: t(8) },
          { id: I.relCli100, product: "cli", version: "1.0.0", status: "PUBLISHED", created: t(5) },
          { id: I.relCli110, product: "cli", version: "1.1.0", status: "PUBLISHED", created: t(6), tag: "stable-tag" },
          { id: I.relCliPro, product: "cli", version: "1.2.0", status: "PUBLISHED", created: t(7), entitlements: ["PRO", "EXTRA"] },
          { id: I.relClosed, product: "internal", package: "internal-tools", version: "1.0.0", status: "PUBLISHED", created: t(5) },
          { id: I.relOpen, product: "app", package: "acme-sdk", version: "0.1.0", status: "PUBLISHED", created: t(5) },
          // A hidden DRAFT tagged `latest`: callers who cannot see it resolve `latest` as if there were no tag.
          { id: I.relOpenDraftLatest, product: "app", package: "acme-sdk", version: "0.2.0", status: "DRAFT", created: t(6), tag: "latest" },
        ],
        artifacts: [
          art(I.artWhl100, I.relPypi100, "acme_tools-1.0.0-py3-none-any.whl", 5),
          art(I.artWhl110, I.relPypi110, "acme_tools-1.1.0-py3-none-any.whl", 6, { metadata: { requiresPython: ">=3.8" } }),
          art(I.artWhl110Meta, I.relPypi110, "acme_tools-1.1.0-py3-none-any.whl.metadata", 6),
          art(I.artWhl200b1, I.relPypi200b1, "acme_tools-2.0.0b1-py3-none-any.whl", 7),
          art(I.artWhl200, I.relPypi200, "acme_tools-2.0.0-py3-none-any.whl", 10),
          art(I.artWhl200Sdist, I.relPypi200, "acme_tools-2.0.0.tar.gz", 11),
          art(I.artWhlDraft, I.relPypiDraft, "acme_tools-3.0.0-py3-none-any.whl", 11),
          art(I.artWhlWaiting, I.relPypi100, "acme_tools-1.0.0.tar.gz", 12, { status: "WAITING" }),
          art(I.artWhlYanked, I.relPypiYanked, "acme_tools-0.9.0-py3-none-any.whl", 4),
          art(I.artTauri110Linux, I.relTauri110, "app.AppImage", 6, { platform: "linux", arch: "x86_64", signature: "sig-110" }),
          art(I.artTauri120Linux, I.relTauri120, "app.AppImage", 7, { platform: "linux", arch: "x86_64", signature: "sig-120" }),
          art(I.artTauri120LinuxGz, I.relTauri120, "app.AppImage.tar.gz", 7, { platform: "linux", arch: "x86_64", signature: "sig-120-gz" }),
          art(I.artTauri120Darwin, I.relTauri120, "app.app.tar.gz", 7, { platform: "darwin", arch: "aarch64", signature: "sig-120-mac" }),
          art(I.artTauri130Linux, I.relTauri130b, "app.AppImage", 8, { platform: "linux", arch: "x86_64", signature: "sig-130" }),
          art(I.artTauri120Unsigned, I.relTauri120, "app.msi", 7, { platform: "windows", arch: "x86_64" }),
          art(I.artCli100, I.relCli100, "tool_linux_amd64", 5, { platform: "linux", arch: "amd64" }),
          art(I.artCli110, I.relCli110, "tool_linux_amd64", 6, { platform: "linux", arch: "amd64" }),
          art(I.artCliPro, I.relCliPro, "tool_linux_amd64", 7, { platform: "linux", arch: "amd64" }),
          art(I.artClosed, I.relClosed, "internal_tools-1.0.0-py3-none-any.whl", 5),
          art(I.artOpen, I.relOpen, "acme_sdk-0.1.0-py3-none-any.whl", 5),
        ],
        policies: [
          { id: I.policyLicensed, product: "cli", name: "Standard", authenticationStrategy: "MIXED", expirationStrategy: "RESTRICT_ACCESS" },
        ],
        users: [
          { id: I.userAlice, email: "alice@acme.test" },
          { id: I.userAdmin, email: "admin@acme.test", role: "admin" },
        ],
        licenses: [
          { id: I.licenseA, policy: I.policyLicensed, key: UUID_SHAPED_KEY, owner: I.userAlice },
          { id: I.licensePro, policy: I.policyLicensed, key: "PRO-KEY", entitlements: ["PRO"], users: [I.userAlice] },
        ],
        tokens: [
          { id: I.tokenAdmin, bearer: { type: "user", id: I.userAdmin }, token: TOKENS.admin },
          { id: I.tokenProduct, bearer: { type: "product", id: I.productLicensed }, token: TOKENS.product },
          { id: I.tokenLicense, bearer: { type: "license", id: I.licenseA }, token: TOKENS.license },
          { id: I.tokenUser, bearer: { type: "user", id: I.userAlice }, token: TOKENS.user },
        ],
      },
      {
        id: I.otherAccount, slug: "other", name: "Other", secretKey: "other-secret-key-0123456789abcdef",
        products: [{ code: "cli", name: "Other CLI", distributionStrategy: "OPEN" }],
        packages: [{ product: "cli", key: "acme-tools", name: "Impostor", engine: "pypi" }],
        releases: [{ product: "cli", package: "acme-tools", version: "9.0.0", status: "PUBLISHED" }],
      },
    ],
  };
}

/** The conformance dataset, loaded. */
export function conformanceDataset(): Promise<Dataset> {
  return loadDataset(conformanceDatasetFile());
}

/** Fixed ids of the yanked-release dataset. */
export const YANK_IDS = {
  account: "00000000-0000-4000-8000-000000007001",
  productOpen: "00000000-0000-4000-8000-000000007011",
  productLicensed: "00000000-0000-4000-8000-000000007012",
  productClosed: "00000000-0000-4000-8000-000000007013",
  pkgLicensed: "00000000-0000-4000-8000-000000007021",
  pkgOpen: "00000000-0000-4000-8000-000000007022",
  pkgClosed: "00000000-0000-4000-8000-000000007023",
  pkgTauri: "00000000-0000-4000-8000-000000007024",
  rel100: "00000000-0000-4000-8000-000000007101",
  /** YANKED, newest stable of the licensed package without entitlements. */
  rel110: "00000000-0000-4000-8000-000000007102",
  /** YANKED, needs PRO. */
  rel120: "00000000-0000-4000-8000-000000007103",
  /** YANKED, created after the window scope's cutoff. */
  rel130: "00000000-0000-4000-8000-000000007104",
  relDraft: "00000000-0000-4000-8000-000000007105",
  relOpen100: "00000000-0000-4000-8000-000000007111",
  relOpen200: "00000000-0000-4000-8000-000000007112",
  relClosed: "00000000-0000-4000-8000-000000007121",
  relTauri100: "00000000-0000-4000-8000-000000007131",
  relTauri110: "00000000-0000-4000-8000-000000007132",
  relTool100: "00000000-0000-4000-8000-000000007141",
  relTool200: "00000000-0000-4000-8000-000000007142",
  art100: "00000000-0000-4000-8000-000000007201",
  art110: "00000000-0000-4000-8000-000000007202",
  art110Waiting: "00000000-0000-4000-8000-000000007203",
  art120: "00000000-0000-4000-8000-000000007204",
  art130: "00000000-0000-4000-8000-000000007205",
  artDraft: "00000000-0000-4000-8000-000000007206",
  artOpen100: "00000000-0000-4000-8000-000000007211",
  artOpen200: "00000000-0000-4000-8000-000000007212",
  artClosed: "00000000-0000-4000-8000-000000007221",
  artTauri100: "00000000-0000-4000-8000-000000007231",
  artTauri110: "00000000-0000-4000-8000-000000007232",
  artTool100: "00000000-0000-4000-8000-000000007241",
  artTool200: "00000000-0000-4000-8000-000000007242",
} as const;

/** License keys of the yanked-release dataset: no entitlements, PRO, and an access window ending on 2026-01-10. */
export const YANK_KEYS = { plain: "YANK-PLAIN-KEY", pro: "YANK-PRO-KEY", windowed: "YANK-WINDOW-KEY" } as const;

/**
 * A dataset of YANKED releases in every position a scope judges: LICENSED with and without
 * entitlements, inside and outside a window, OPEN, CLOSED, a Tauri upgrade and a raw `latest` file.
 */
export function yankedDatasetFile(): DatasetFile {
  const I = YANK_IDS;
  const art = (id: string, release: string, filename: string, day: number, extra: Record<string, unknown> = {}) => ({
    id, release, filename, created: t(day), filesize: 100, checksum: hex("b"), status: "UPLOADED" as const, ...extra,
  });
  const signed = { platform: "linux", arch: "x86_64", signature: "sig" };
  return {
    accounts: [{
      id: I.account, slug: "yank", name: "Yank", secretKey: "yank-secret-key-0123456789abcdef", created: t(1),
      products: [
        { id: I.productOpen, code: "open", name: "Open", distributionStrategy: "OPEN", created: t(1) },
        { id: I.productLicensed, code: "lic", name: "Licensed", distributionStrategy: "LICENSED", created: t(1) },
        { id: I.productClosed, code: "closed", name: "Closed", distributionStrategy: "CLOSED", created: t(1) },
      ],
      packages: [
        { id: I.pkgLicensed, product: "lic", key: "lic-py", name: "Lic", engine: "pypi", created: t(2) },
        { id: I.pkgOpen, product: "open", key: "open-py", name: "Open", engine: "pypi", created: t(2) },
        { id: I.pkgClosed, product: "closed", key: "closed-py", name: "Closed", engine: "pypi", created: t(2) },
        { id: I.pkgTauri, product: "open", key: "open-app", name: "App", engine: "tauri", created: t(2) },
      ],
      entitlements: [{ code: "PRO", name: "Pro" }],
      releases: [
        { id: I.rel100, product: "lic", package: "lic-py", version: "1.0.0", status: "PUBLISHED", created: t(5) },
        { id: I.rel110, product: "lic", package: "lic-py", version: "1.1.0", status: "YANKED", created: t(6), metadata: { yankReason: "broken" } },
        { id: I.rel120, product: "lic", package: "lic-py", version: "1.2.0", status: "YANKED", created: t(7), entitlements: ["PRO"] },
        { id: I.rel130, product: "lic", package: "lic-py", version: "1.3.0", status: "YANKED", created: t(20) },
        { id: I.relDraft, product: "lic", package: "lic-py", version: "0.5.0", status: "DRAFT", created: t(8) },
        { id: I.relOpen100, product: "open", package: "open-py", version: "1.0.0", status: "PUBLISHED", created: t(5) },
        { id: I.relOpen200, product: "open", package: "open-py", version: "2.0.0", status: "YANKED", created: t(6) },
        { id: I.relClosed, product: "closed", package: "closed-py", version: "1.0.0", status: "YANKED", created: t(5) },
        { id: I.relTauri100, product: "open", package: "open-app", version: "1.0.0", status: "PUBLISHED", created: t(5) },
        { id: I.relTauri110, product: "open", package: "open-app", version: "1.1.0", status: "YANKED", created: t(6) },
        { id: I.relTool100, product: "lic", version: "1.0.0", status: "PUBLISHED", created: t(5) },
        { id: I.relTool200, product: "lic", version: "2.0.0", status: "YANKED", created: t(6) },
      ],
      artifacts: [
        art(I.art100, I.rel100, "lic_py-1.0.0-py3-none-any.whl", 5),
        art(I.art110, I.rel110, "lic_py-1.1.0-py3-none-any.whl", 6),
        art(I.art110Waiting, I.rel110, "lic_py-1.1.0.tar.gz", 7, { status: "WAITING" }),
        art(I.art120, I.rel120, "lic_py-1.2.0-py3-none-any.whl", 7),
        art(I.art130, I.rel130, "lic_py-1.3.0-py3-none-any.whl", 20),
        art(I.artDraft, I.relDraft, "lic_py-0.5.0-py3-none-any.whl", 8),
        art(I.artOpen100, I.relOpen100, "open_py-1.0.0-py3-none-any.whl", 5),
        art(I.artOpen200, I.relOpen200, "open_py-2.0.0-py3-none-any.whl", 6),
        art(I.artClosed, I.relClosed, "closed_py-1.0.0-py3-none-any.whl", 5),
        art(I.artTauri100, I.relTauri100, "app.AppImage", 5, signed),
        art(I.artTauri110, I.relTauri110, "app.AppImage", 6, signed),
        art(I.artTool100, I.relTool100, "tool", 5),
        art(I.artTool200, I.relTool200, "tool", 6),
      ],
      policies: [{ product: "lic", name: "Standard", authenticationStrategy: "MIXED", expirationStrategy: "RESTRICT_ACCESS" }],
      licenses: [
        { policy: "Standard", key: YANK_KEYS.plain },
        { policy: "Standard", key: YANK_KEYS.pro, entitlements: ["PRO"] },
        { policy: "Standard", key: YANK_KEYS.windowed, expiry: "2026-01-10T00:00:00Z" },
      ],
    }],
  };
}
