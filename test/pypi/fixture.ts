/**
 * Shared setup of the PyPI HTTP tests: the conformance dataset plus a small "demo" account with
 * every checksum shape, metadata, yanked files and PEP 658 metadata artifacts.
 */
import { createSignedBlobStorage } from "../../src/blobs/signed.js";
import { sha256Hex } from "../../src/core/crypto.js";
import { utf8 } from "../../src/core/encoding.js";
import { loadDataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler, type FetchHandlerOptions } from "../../src/http/fetch.js";
import { makeStore as storeFor } from "../helpers/store.js";
import type { Store } from "../../src/store/types.js";
import { conformanceDatasetFile, TOKENS } from "../../src/testing/fixture.js";

export { IDS, TOKENS } from "../../src/testing/fixture.js";

/** pip's exact Accept header (clients.md B.2). */
export const PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

/** Blob bytes of the demo account, by blob key. */
export const BLOBS: Record<string, Uint8Array> = {
  "demo_pkg-1.0.0-py3-none-any.whl": utf8("wheel 1.0.0 bytes"),
  "demo_pkg-1.0.0-py3-none-any.whl.metadata": utf8("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0.0\n"),
  "demo_pkg-0.9.0-py3-none-any.whl": utf8("wheel 0.9.0 bytes"),
  "lic_pkg-1.0.0-py3-none-any.whl": utf8("licensed wheel bytes"),
};

/** Raw tokens of the demo account. */
export const DEMO_TOKENS = {
  suspended: "activ-55555555555555555555555555555555v3",
  admin: "admin-9999999999999999999999999999999999999999999999999999999999999999v3",
};

const hex = (c: string, n: number) => c.repeat(n);
const t = (day: number) => `2026-02-${String(day).padStart(2, "0")}T00:00:00Z`;

/** The demo account: checksums of every shape, metadata, yanked and PEP 658 files. */
export function demoAccount(): DatasetFile["accounts"][number] {
  const a = (release: string, filename: string, day: number, extra: Record<string, unknown> = {}) => ({
    release, filename, created: t(day), filesize: 10, status: "UPLOADED" as const, ...extra,
  });
  return {
    slug: "demo", name: "Demo & <Sons>", secretKey: "demo-secret-key-0123456789abcdef",
    products: [
      { code: "open", name: "Open", distributionStrategy: "OPEN" },
      { code: "lic", name: "Licensed", distributionStrategy: "LICENSED" },
      { code: "closed", name: "Closed", distributionStrategy: "CLOSED" },
    ],
    packages: [
      { product: "open", key: "Demo.Pkg", name: "Demo <Pkg> \"q\"", engine: "pypi", created: t(1), metadata: { homepageUrl: "https://x.test/?a=1&b=\"2\"", stars: 5, yanked: "sneaky" } },
      { product: "open", key: "hashes", name: "Hashes", engine: "pypi", created: t(2) },
      { product: "closed", key: "secret-pkg", name: "Secret", engine: "pypi", created: t(3) },
      { product: "lic", key: "lic-pkg", name: "Lic", engine: "pypi", created: t(4) },
      { product: "open", key: "npm-thing", name: "Npm", engine: "npm", created: t(5) },
    ],
    releases: [
      { product: "open", package: "demo-pkg", version: "1.0.0", status: "PUBLISHED", created: t(10) },
      { product: "open", package: "demo-pkg", version: "0.9.0", status: "YANKED", created: t(9), metadata: { yankedReason: "broken \"build\"" } },
      { product: "open", package: "demo-pkg", version: "0.8.0", status: "YANKED", created: t(8) },
      { product: "open", package: "hashes", version: "1.0.0", status: "PUBLISHED", created: t(10) },
      { product: "closed", package: "secret-pkg", version: "1.0.0", status: "PUBLISHED", created: t(10) },
      { product: "lic", package: "lic-pkg", version: "1.0.0", status: "PUBLISHED", created: t(10) },
    ],
    artifacts: [
      a("1.0.0", "demo_pkg-1.0.0-py3-none-any.whl", 10, { file: "demo_pkg-1.0.0-py3-none-any.whl", filesize: undefined, metadata: { requiresPython: ">=3.8,<4", buildTag: "x\"<y>" } }),
      a("1.0.0", "demo_pkg-1.0.0-py3-none-any.whl.metadata", 10, { file: "demo_pkg-1.0.0-py3-none-any.whl.metadata", filesize: undefined }),
      a("1.0.0", "demo_pkg-1.0.0.tar.gz", 11, { checksum: hex("b", 64), metadata: { requires_python: ">=3.0.0" } }),
      // A PEP 658 sibling that is not uploaded: never advertised.
      a("1.0.0", "demo_pkg-1.0.0.tar.gz.metadata", 11, { checksum: hex("c", 64), status: "WAITING" }),
      a("0.9.0", "demo_pkg-0.9.0-py3-none-any.whl", 9, { file: "demo_pkg-0.9.0-py3-none-any.whl", filesize: undefined }),
      a("0.8.0", "demo_pkg-0.8.0-py3-none-any.whl", 8, { checksum: hex("d", 64) }),
      a("hashes@1.0.0", "h_md5.whl", 1, { checksum: hex("1", 32) }),
      a("hashes@1.0.0", "h_sha1.whl", 2, { checksum: hex("2", 40) }),
      a("hashes@1.0.0", "h_sha224.whl", 3, { checksum: hex("3", 56) }),
      a("hashes@1.0.0", "h_sha256.whl", 4, { checksum: "ABCDEF" + hex("0", 58) }),
      a("hashes@1.0.0", "h_sha384.whl", 5, { checksum: hex("5", 96) }),
      a("hashes@1.0.0", "h_sha512.whl", 6, { checksum: hex("6", 128) }),
      a("hashes@1.0.0", "h_short.whl", 7, { checksum: "deadbeef" }),
      a("hashes@1.0.0", "h_b64.whl", 8, { checksum: btoa(String.fromCharCode(...new Uint8Array(64).fill(255))) }),
      a("hashes@1.0.0", "h_junk.whl", 9, { checksum: "asdasdasdasd" }),
      a("hashes@1.0.0", "h_null.whl", 10, { checksum: null }),
      a("secret@1.0.0", "secret_pkg-1.0.0-py3-none-any.whl", 10, { checksum: hex("e", 64) }),
      a("lic@1.0.0", "lic_pkg-1.0.0-py3-none-any.whl", 10, { file: "lic_pkg-1.0.0-py3-none-any.whl", filesize: undefined }),
    ],
    policies: [{ product: "closed", name: "ClosedPolicy", authenticationStrategy: "LICENSE" }, { product: "lic", name: "LicPolicy", authenticationStrategy: "MIXED" }],
    licenses: [
      { policy: "ClosedPolicy", key: "CLOSED-KEY" },
      { policy: "LicPolicy", key: "LIC-KEY" },
      { policy: "LicPolicy", key: "SUSPENDED-KEY", suspended: true },
    ],
    users: [{ email: "root@demo.test", role: "admin" }],
    tokens: [
      { bearer: { type: "license", id: "SUSPENDED-KEY" }, token: DEMO_TOKENS.suspended },
      { bearer: { type: "user", id: "root@demo.test" }, token: DEMO_TOKENS.admin },
    ],
  };
}

/** The conformance dataset file with the demo account added. Release refs `pkg@ver` are resolved to ids. */
export async function datasetFile(): Promise<DatasetFile> {
  const file = conformanceDatasetFile();
  const demo = demoAccount();
  // Artifacts name releases by version; versions repeat across packages, so give those releases ids.
  const ids: Record<string, string> = { "hashes@1.0.0": "", "secret@1.0.0": "", "lic@1.0.0": "" };
  const pkgOf: Record<string, string> = { hashes: "hashes", secret: "secret-pkg", lic: "lic-pkg" };
  let n = 0;
  for (const key of Object.keys(ids)) ids[key] = `00000000-0000-4000-8000-0000000a000${++n}`;
  for (const r of demo.releases ?? []) {
    for (const [ref, id] of Object.entries(ids)) if (r.package === pkgOf[ref.split("@")[0] as string]) r.id = id;
    if (r.package === "demo-pkg") r.id = `00000000-0000-4000-8000-0000000b${r.version.replace(/\./g, "").padStart(4, "0")}`;
  }
  for (const a of demo.artifacts ?? []) {
    if (ids[a.release] !== undefined) a.release = ids[a.release] as string;
    else a.release = `00000000-0000-4000-8000-0000000b${a.release.replace(/\./g, "").padStart(4, "0")}`;
  }
  file.accounts.push(demo);
  return file;
}

/** A store over the dataset, with blob bytes from {@link BLOBS}. */
export async function makeStore(): Promise<Store> {
  const dataset = await loadDataset(await datasetFile(), { readFile: async (rel) => BLOBS[rel] ?? null });
  return storeFor(dataset);
}

/** A fetch handler over {@link makeStore} with in-memory signed blobs. */
export async function makeHandler(options: Partial<FetchHandlerOptions> = {}, store?: Store) {
  const blobs = createSignedBlobStorage({
    open: async (key) => {
      const bytes = BLOBS[key];
      return bytes === undefined ? null : { body: new Blob([bytes as BlobPart]).stream(), size: bytes.length };
    },
  });
  return createFetchHandler({ store: store ?? (await makeStore()), blobs, ...options });
}

/** `Authorization` headers for the fixture's credentials. */
export const AUTH = {
  admin: `Bearer ${TOKENS.admin}`,
  demoAdmin: `Bearer ${DEMO_TOKENS.admin}`,
  product: `Bearer ${TOKENS.product}`,
  licenseToken: `Bearer ${TOKENS.license}`,
  basicLicense: (key: string) => `Basic ${btoa(`license:${key}`)}`,
};

/** sha256 hex of the metadata blob. */
export const metadataSha = () => sha256Hex(BLOBS["demo_pkg-1.0.0-py3-none-any.whl.metadata"] as Uint8Array);

/** GET a path under the account's simple index. */
export function simple(handler: (r: Request) => Promise<Response>, account: string, path: string, headers: Record<string, string> = {}, method = "GET") {
  return handler(new Request(`http://localhost/v1/accounts/${account}/engines/pypi/simple/${path}`, { headers, method }));
}
