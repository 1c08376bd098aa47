/**
 * A small dataset with one record for every authentication and authorization case, loaded through
 * `loadDataset`, and helpers to send real requests to `createFetchHandler` with a fixed clock.
 */
import { loadDataset, type Dataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { makeStore } from "../helpers/store.js";
import type { Store } from "../../src/store/types.js";

/** The instant every request is judged at. */
export const NOW = new Date("2026-03-01T00:00:00.000Z");
/** The expiry of the "expired" licenses: a month before NOW. */
export const EXPIRED = "2026-02-01T00:00:00.000Z";

/** Raw tokens (stores see only their digests). */
export const TOK = {
  admin: "admin-a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1v3",
  developer: "dev-d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1v3",
  readOnly: "read-e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1v3",
  sales: "sales-f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1v3",
  support: "spprt-c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1v3",
  productLic: "prod-b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2v3",
  productOpen: "prod-b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3v3",
  productClosed: "prod-b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4v3",
  userAlice: "user-c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2v3",
  userCarol: "user-c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3v3",
  userBanned: "user-c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4v3",
  userExpired: "user-c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5v3",
  licGood: "activ-d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2v3",
  licTokenOnly: "activ-d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3v3",
  licLicenseOnly: "activ-d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4v3",
  licSuspended: "activ-d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5v3",
  licBannedOwner: "activ-d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6v3",
  licRevokedExpired: "activ-d7d7d7d7d7d7d7d7d7d7d7d7d7d7d7d7v3",
} as const;

/** License keys. */
export const KEY = {
  good: "GOOD-0000-KEY",
  tokenOnly: "TOKEN-ONLY-KEY",
  licenseOnly: "LICENSE-ONLY-KEY",
  suspended: "SUSPENDED-KEY",
  bannedOwner: "BANNED-OWNER-KEY",
  revokeExpired: "REVOKE-EXPIRED-KEY",
  revokeValid: "REVOKE-VALID-KEY",
  restrictExpired: "RESTRICT-EXPIRED-KEY",
  maintainExpired: "MAINTAIN-EXPIRED-KEY",
  allowExpired: "ALLOW-EXPIRED-KEY",
  entA: "ENT-A-KEY",
  entAB: "ENT-AB-KEY",
  entABC: "ENT-ABC-KEY",
  openA: "OPEN-A-KEY",
  openNone: "OPEN-NONE-KEY",
  closed: "CLOSED-KEY",
  otherA: "OTHER-A-KEY",
} as const;

const day = (d: string) => `${d}T00:00:00Z`;

/** An artifact of a release, UPLOADED unless told otherwise. */
function art(release: string, filename: string, extra: Record<string, unknown> = {}) {
  return { release, filename, filesize: 10, checksum: "ab".repeat(32), status: "UPLOADED" as const, created: day("2026-01-01"), ...extra };
}

/** The dataset file of the auth tests. */
export function worldFile(): DatasetFile {
  const rel = (product: string, pkg: string | null, version: string, created: string, extra: Record<string, unknown> = {}) => ({
    product, package: pkg, version, status: "PUBLISHED" as const, created: day(created), ...extra,
  });
  const releases = [
    rel("lic", "lic-pkg", "1.0.0", "2026-01-01"),
    rel("lic", "lic-pkg", "1.1.0", "2026-02-15"),
    rel("lic", "lic-pkg", "1.2.0", "2026-02-15", { backdated: day("2026-01-10") }),
    rel("lic", "lic-pkg", "1.3.0", "2026-01-05", { backdated: day("2026-02-20") }),
    rel("lic", "lic-pkg", "2.0.0", "2026-01-02", { entitlements: ["A", "B"] }),
    rel("lic", "lic-pkg", "3.0.0", "2026-01-03", { status: "DRAFT" }),
    rel("lic", "lic-pkg", "0.9.0", "2026-01-01", { status: "YANKED" }),
    rel("lic", null, "5.0.0", "2026-01-01", { entitlements: ["A"] }),
    rel("open", "open-app", "1.0.0", "2026-01-01"),
    rel("open", "open-app", "1.1.0", "2026-01-01", { entitlements: ["A"] }),
    rel("open", "open-app", "2.0.0", "2026-01-01", { status: "DRAFT" }),
    rel("open", "open-app", "0.9.0", "2026-01-01", { status: "YANKED" }),
    rel("open", "open-app", "1.5.0", "2026-02-20"),
    rel("closed", "closed-pkg", "1.0.0", "2026-01-01"),
    rel("closed", "closed-pkg", "1.1.0", "2026-01-01", { entitlements: ["A"] }),
    rel("other", "other-pkg", "1.0.0", "2026-01-01"),
  ];
  const artifacts = [
    art("lic-pkg@1.0.0", "lic-1.0.0.bin"),
    art("lic-pkg@1.1.0", "lic-1.1.0.bin"),
    art("lic-pkg@1.2.0", "lic-1.2.0.bin"),
    art("lic-pkg@1.3.0", "lic-1.3.0.bin"),
    art("lic-pkg@2.0.0", "lic-2.0.0.bin"),
    art("lic-pkg@3.0.0", "lic-3.0.0-draft.bin"),
    art("lic-pkg@0.9.0", "lic-0.9.0-yanked.bin"),
    art("lic@5.0.0", "lic-5.0.0.bin"),
    art("open-app@1.0.0", "open-1.0.0.bin"),
    art("open-app@1.0.0", "open-1.0.0-waiting.bin", { status: "WAITING" }),
    art("open-app@1.0.0", "open-1.0.0-processing.bin", { status: "PROCESSING" }),
    art("open-app@1.0.0", "open-1.0.0-failed.bin", { status: "FAILED" }),
    art("open-app@1.0.0", "open-1.0.0-yanked-file.bin", { status: "YANKED" }),
    art("open-app@1.1.0", "open-1.1.0-a.bin"),
    art("open-app@2.0.0", "open-2.0.0-draft.bin"),
    art("open-app@0.9.0", "open-0.9.0-yanked.bin"),
    art("open-app@1.5.0", "open-1.5.0.bin"),
    art("closed-pkg@1.0.0", "closed-1.0.0.bin"),
    art("closed-pkg@1.1.0", "closed-1.1.0-a.bin"),
    art("other-pkg@1.0.0", "other-1.0.0.bin"),
  ];
  // Artifacts name their release by id; ids are derived, so name them by a placeholder resolved below.
  const mixed = (name: string, product: string, extra: Record<string, unknown> = {}) => ({
    product, name, authenticationStrategy: "MIXED" as const, expirationStrategy: "RESTRICT_ACCESS" as const, ...extra,
  });
  return {
    accounts: [
      {
        slug: "acme", name: "Acme", secretKey: "acme-secret-key-for-auth-tests-0001", created: day("2026-01-01"),
        products: [
          { code: "open", name: "Open", distributionStrategy: "OPEN", created: day("2026-01-01") },
          { code: "lic", name: "Licensed", distributionStrategy: "LICENSED", created: day("2026-01-02") },
          { code: "closed", name: "Closed", distributionStrategy: "CLOSED", created: day("2026-01-03") },
          { code: "other", name: "Other", distributionStrategy: "LICENSED", created: day("2026-01-04") },
        ],
        packages: [
          { product: "lic", key: "lic-pkg", name: "Lic", engine: "pypi", created: day("2026-01-01") },
          { product: "open", key: "open-app", name: "Open", engine: "tauri", created: day("2026-01-02") },
          { product: "closed", key: "closed-pkg", name: "Closed", engine: "raw", created: day("2026-01-03") },
          { product: "other", key: "other-pkg", name: "Other", engine: "npm", created: day("2026-01-04") },
        ],
        entitlements: [{ code: "A" }, { code: "B" }, { code: "C" }],
        releases,
        artifacts: artifacts as never,
        policies: [
          mixed("mixed", "lic"),
          mixed("token-only", "lic", { authenticationStrategy: "TOKEN" }),
          mixed("license-only", "lic", { authenticationStrategy: "LICENSE" }),
          mixed("revoke", "lic", { expirationStrategy: "REVOKE_ACCESS" }),
          mixed("maintain", "lic", { expirationStrategy: "MAINTAIN_ACCESS" }),
          mixed("allow", "lic", { expirationStrategy: "ALLOW_ACCESS" }),
          mixed("open", "open"),
          mixed("closed", "closed"),
          mixed("other", "other"),
        ],
        users: [
          { email: "alice@acme.test" },
          { email: "carol@acme.test" },
          { email: "bob@acme.test", banned: true },
          { email: "dave@acme.test" },
          { email: "admin@acme.test", role: "admin" },
          { email: "dev@acme.test", role: "developer" },
          { email: "ro@acme.test", role: "read-only" },
          { email: "sales@acme.test", role: "sales-agent" },
          { email: "support@acme.test", role: "support-agent" },
        ],
        licenses: [
          { policy: "mixed", key: KEY.good, owner: "alice@acme.test" },
          { policy: "token-only", key: KEY.tokenOnly },
          { policy: "license-only", key: KEY.licenseOnly },
          { policy: "mixed", key: KEY.suspended, suspended: true },
          { policy: "mixed", key: KEY.bannedOwner, owner: "bob@acme.test" },
          { policy: "revoke", key: KEY.revokeExpired, expiry: EXPIRED },
          { policy: "revoke", key: KEY.revokeValid, expiry: "2027-01-01T00:00:00Z" },
          { policy: "mixed", key: KEY.restrictExpired, expiry: EXPIRED },
          { policy: "maintain", key: KEY.maintainExpired, expiry: EXPIRED },
          { policy: "allow", key: KEY.allowExpired, expiry: EXPIRED },
          { policy: "mixed", key: KEY.entA, entitlements: ["A"] },
          { policy: "mixed", key: KEY.entAB, entitlements: ["A", "B"] },
          { policy: "mixed", key: KEY.entABC, entitlements: ["A", "B", "C"] },
          { policy: "open", key: KEY.openA, entitlements: ["A"], users: ["alice@acme.test"] },
          { policy: "open", key: KEY.openNone },
          { policy: "closed", key: KEY.closed, entitlements: ["A"], users: ["alice@acme.test"] },
          { policy: "other", key: KEY.otherA, entitlements: ["A"] },
        ],
        tokens: [
          { bearer: { type: "user", id: "admin@acme.test" }, token: TOK.admin },
          { bearer: { type: "user", id: "dev@acme.test" }, token: TOK.developer },
          { bearer: { type: "user", id: "ro@acme.test" }, token: TOK.readOnly },
          { bearer: { type: "user", id: "sales@acme.test" }, token: TOK.sales },
          { bearer: { type: "user", id: "support@acme.test" }, token: TOK.support },
          { bearer: { type: "product", id: "lic" }, token: TOK.productLic },
          { bearer: { type: "product", id: "open" }, token: TOK.productOpen },
          { bearer: { type: "product", id: "closed" }, token: TOK.productClosed },
          { bearer: { type: "user", id: "alice@acme.test" }, token: TOK.userAlice },
          { bearer: { type: "user", id: "carol@acme.test" }, token: TOK.userCarol },
          { bearer: { type: "user", id: "bob@acme.test" }, token: TOK.userBanned },
          { bearer: { type: "user", id: "dave@acme.test" }, token: TOK.userExpired, expiry: EXPIRED },
          { bearer: { type: "license", id: KEY.good }, token: TOK.licGood },
          { bearer: { type: "license", id: KEY.tokenOnly }, token: TOK.licTokenOnly },
          { bearer: { type: "license", id: KEY.licenseOnly }, token: TOK.licLicenseOnly },
          { bearer: { type: "license", id: KEY.suspended }, token: TOK.licSuspended },
          { bearer: { type: "license", id: KEY.bannedOwner }, token: TOK.licBannedOwner },
          { bearer: { type: "license", id: KEY.revokeExpired }, token: TOK.licRevokedExpired },
        ],
      },
      {
        slug: "elsewhere", name: "Elsewhere", secretKey: "elsewhere-secret-key-for-auth-0002",
        products: [{ code: "open", name: "Open", distributionStrategy: "OPEN" }],
        packages: [{ product: "open", key: "else-pkg", name: "Else", engine: "raw" }],
        releases: [{ product: "open", package: "else-pkg", version: "1.0.0", status: "PUBLISHED" }],
        artifacts: [art("1.0.0", "else-1.0.0.bin")],
      },
    ],
  };
}

/** Replace `<package>@<version>` artifact references by release ids (the loader takes ids or unique versions). */
async function resolveReleaseRefs(file: DatasetFile): Promise<DatasetFile> {
  const first = await loadDataset({ ...file, accounts: file.accounts.map((a) => ({ ...a, artifacts: [] })) });
  return {
    ...file,
    accounts: file.accounts.map((acc) => ({
      ...acc,
      artifacts: (acc.artifacts ?? []).map((a) => {
        const at = a.release.indexOf("@");
        if (at < 0) return a;
        const [ref, version] = [a.release.slice(0, at), a.release.slice(at + 1)];
        const pkg = first.packages.find((p) => p.key === ref);
        const product = first.products.find((p) => p.code === ref && p.accountId === first.accounts.find((x) => x.slug === acc.slug)?.id);
        const release = first.releases.find((r) => r.version === version &&
          (pkg ? r.packageId === pkg.id : r.productId === product?.id && r.packageId === null));
        if (!release) throw new Error(`no release ${a.release}`);
        return { ...a, release: release.id };
      }),
    })),
  };
}

/** The loaded world: dataset, store, handler and request helpers. */
export interface World {
  dataset: Dataset;
  store: Store;
  handler: (request: Request) => Promise<Response>;
  /** GET a path under `/v1/accounts/acme` with an optional Authorization header. */
  get(path: string, authorization?: string, account?: string): Promise<Response>;
  /** The id of the artifact with this filename. */
  artifactId(filename: string): string;
}

/** Load the world once per test file. */
export async function loadWorld(): Promise<World> {
  const dataset = await loadDataset(await resolveReleaseRefs(worldFile()));
  const store = await makeStore(dataset);
  const handler = createFetchHandler({ store, now: () => NOW });
  return {
    dataset,
    store,
    handler,
    get(path, authorization, account = "acme") {
      const headers = new Headers();
      if (authorization !== undefined) headers.set("Authorization", authorization);
      return handler(new Request(`http://localhost/v1/accounts/${account}${path}`, { headers }));
    },
    artifactId(filename) {
      const a = dataset.artifacts.find((x) => x.filename === filename);
      if (!a) throw new Error(`no artifact ${filename}`);
      return a.id;
    },
  };
}

/** Base64 of a UTF-8 string (Basic credentials). */
export function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** The first JSON:API error of a response. */
export async function firstError(res: Response): Promise<{ title: string; detail: string; code?: string; source?: Record<string, string>; links?: { about: string } }> {
  const body = (await res.json()) as { errors: Array<{ title: string; detail: string; code?: string; source?: Record<string, string>; links?: { about: string } }> };
  return body.errors[0] as never;
}
