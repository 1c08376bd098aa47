/**
 * The npm engine on S3-only blob storage (a real s3rver; every server-side request's SigV4 signature,
 * payload hash and checksum checked independently by test/s3/sigv4-header.ts, as S3 would): real
 * `npm publish` stores the inline tarball by the server's own PutObject and `npm install` resolves the
 * published package's dependency; a tarball uploaded by presigned PUT and confirmed has its
 * package.json read back (dependencies in the packument) and installs, its object read once (one GET,
 * whether or not a declared SHA-512 made the confirmation hash it); a tarball naming another
 * package or version, or one past the npm publish limit, is refused and deleted; a publish the bucket
 * refuses, or whose artifact goes during the PUT, leaves no object, no artifact, no release.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3BlobStorage } from "../../src/blobs/s3/storage.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { toNodeListener } from "../../src/node/http.js";
import type { WritableStore } from "../../src/store/write.js";
import { NPM_SECRETS, clientHome, npmDataset, npmPack, project, runClient } from "../e2e/npm-helpers.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { makeWritableStore } from "../helpers/store.js";
import { checkingFetch, type SeenRequest } from "./sigv4-header.js";
import { verifies } from "./sigv4.js";

const work = mkdtempSync(join(tmpdir(), "re-s3-npm-"));
const out = join(work, "out");
let s3: S3Server;
let store: WritableStore;
let accountId: string;
let server: Server;
let origin: string;
let registry: string;
const seen: SeenRequest[] = [];
/** Runs after each PUT the bucket stored (set by a test to race a store write against it). */
let afterPut: ((url: URL) => Promise<void>) | undefined;
/** The same store and bucket with a small npm publish limit (400-byte bodies: 300-byte tarballs). */
let small: (request: Request) => Promise<Response>;

const storage = (secretAccessKey: string) =>
  createS3BlobStorage({
    endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey, forcePathStyle: true,
    fetch: checkingFetch(s3.secretAccessKey, seen, (url) => afterPut?.(url) ?? Promise.resolve()),
  });

/**
 * The registry on another host name than the bucket (127.0.0.2; s3rver is on 127.0.0.1): npm keeps its
 * Authorization header on a redirect that changes only the port, and S3 refuses a presigned URL that
 * also carries one (400, only one auth mechanism allowed).
 */
async function listen(handler: Parameters<typeof toNodeListener>[0]): Promise<Server> {
  const s = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.2", resolve));
  return s;
}

beforeAll(async () => {
  s3 = await startS3();
  const made = npmDataset(work);
  const { dataset } = await loadDatasetFile(made.file);
  store = await makeWritableStore(dataset);
  accountId = (dataset.accounts[0] as { id: string }).id;
  server = await listen(createFetchHandler({ store, blobs: storage(s3.secretAccessKey) }));
  small = createFetchHandler({ store, blobs: storage(s3.secretAccessKey), npm: { maxPublishBytes: 400 } });
  origin = `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
  registry = `${origin}/v1/accounts/acme/engines/npm/`;
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await s3?.stop();
});

const admin = { authorization: `Bearer ${NPM_SECRETS.admin}` };
const api = (path: string, init: RequestInit = {}) => fetch(`${origin}/v1/accounts/acme${path}`, init);
const jsonApi = { ...admin, "content-type": "application/vnd.api+json" };
const sri = (bytes: Buffer) => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
const pack = (manifest: Record<string, unknown>) => readFileSync(join(out, npmPack(work, out, manifest)));
const pkgDir = (name: string, version: string) => join(work, "src", `${name.replace("/", "+")}-${version}`);

/** Every object key in the bucket. */
async function bucketKeys(): Promise<string[]> {
  const client = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: "s3", region: "us-east-1" });
  const text = await (await client.fetch(`${s3.endpoint}/${s3.bucket}?prefix=artifacts/`)).text();
  return [...text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1] as string).sort();
}

/** Every release and artifact (drafts, WAITING and FAILED ones too) with its status. */
async function records(): Promise<{ releases: string[]; artifacts: string[]; packages: string[] }> {
  const list = async (what: string) =>
    ((await (await api(`/${what}?limit=100`, { headers: admin })).json()) as { data: Array<{ id: string; attributes: { status?: string } }> }).data.map((r) => `${r.id}:${r.attributes.status ?? ""}`).sort();
  return { releases: await list("releases"), artifacts: await list("artifacts"), packages: await list("packages") };
}

type Packument = { versions: Record<string, { dependencies?: Record<string, string>; dist: { integrity?: string; shasum?: string } }> };
const packument = async (name: string) => (await (await fetch(`${registry}${name}`, { headers: { authorization: `Bearer ${NPM_SECRETS.proToken}` } })).json()) as Packument;

/** A new release of a package through the API, and a WAITING tarball artifact of it: its id and presigned upload URL. */
async function waitingTarball(pkg: string, version: string, bytes: Buffer, handler?: (r: Request) => Promise<Response>, checksum = createHash("sha256").update(bytes).digest("hex")) {
  const call = (path: string, init: RequestInit) => (handler === undefined ? api(path, init) : handler(new Request(`${origin}/v1/accounts/acme${path}`, init)));
  const pkgs = (await (await api("/packages?engine=npm", { headers: admin })).json()) as { data: Array<{ id: string; attributes: { key: string }; relationships: { product: { data: { id: string } } } }> };
  const found = pkgs.data.find((p) => p.attributes.key === pkg);
  expect(found, pkg).toBeDefined();
  const rel = await call("/releases", {
    method: "POST", headers: jsonApi,
    body: JSON.stringify({ data: { type: "releases", attributes: { version, channel: "stable", status: "PUBLISHED" }, relationships: { product: { data: { type: "products", id: found?.relationships.product.data.id } }, package: { data: { type: "packages", id: found?.id } } } } }),
  });
  expect(rel.status, await rel.clone().text()).toBe(201);
  const release = ((await rel.json()) as { data: { id: string } }).data.id;
  const art = await call("/artifacts", {
    method: "POST", headers: { ...jsonApi, prefer: "no-redirect" },
    body: JSON.stringify({ data: { type: "artifacts", attributes: { filename: `${pkg.split("/").pop() as string}-${version}.tgz`, filetype: "tgz", filesize: bytes.byteLength, checksum }, relationships: { release: { data: { type: "releases", id: release } } } } }),
  });
  expect(art.status, await art.clone().text()).toBe(200);
  return { id: ((await art.json()) as { data: { id: string } }).data.id, upload: art.headers.get("location") as string, release };
}

/** PUT bytes to a presigned upload URL as an uploader does, after checking its signature independently. */
async function upload(url: string, bytes: Buffer): Promise<void> {
  const headers = { "content-length": String(bytes.byteLength), "x-amz-checksum-sha256": createHash("sha256").update(bytes).digest("base64") };
  expect(verifies({ method: "PUT", url, headers, secretAccessKey: s3.secretAccessKey })).toBe(true);
  const res = await fetch(url, { method: "PUT", body: bytes as BodyInit, headers: { "x-amz-checksum-sha256": headers["x-amz-checksum-sha256"] } });
  expect(res.status).toBe(200);
}

const confirm = (id: string, handler?: (r: Request) => Promise<Response>) => {
  const init = { method: "POST", headers: admin };
  return handler === undefined ? api(`/artifacts/${id}/actions/confirm`, init) : handler(new Request(`${origin}/v1/accounts/acme/artifacts/${id}/actions/confirm`, init));
};

describe("npm on S3-only blob storage", { timeout: 300_000 }, () => {
  it("npm publish stores the inline tarball by a signed server-side PUT; npm install resolves the published package's dependency", async () => {
    const base = pack({ name: "@acme/base", version: "1.0.0" });
    const app = pack({ name: "@acme/app", version: "1.0.0", dependencies: { "@acme/base": "^1.0.0" } });
    const product = clientHome(registry, { token: NPM_SECRETS.product });
    for (const [name, version] of [["@acme/base", "1.0.0"], ["@acme/app", "1.0.0"]] as const) {
      const published = await runClient("npm", product, pkgDir(name, version), ["publish"]);
      expect(published.code, published.out).toBe(0);
    }
    const puts = seen.filter((r) => r.method === "PUT");
    expect(puts.length).toBe(2);
    expect(puts.every((r) => r.verified)).toBe(true);
    expect(seen.every((r) => r.verified)).toBe(true);
    const keys = await bucketKeys();
    expect(keys.filter((k) => k.endsWith("/base-1.0.0.tgz") || k.endsWith("/app-1.0.0.tgz")).length).toBe(2);

    const doc = await packument("@acme/app");
    expect(doc.versions["1.0.0"]?.dependencies).toEqual({ "@acme/base": "^1.0.0" });
    expect(doc.versions["1.0.0"]?.dist.integrity).toBe(sri(app));
    expect(doc.versions["1.0.0"]?.dist.shasum).toBe(createHash("sha1").update(app).digest("hex"));

    const dir = project({ "@acme/app": "1.0.0" });
    const install = await runClient("npm", clientHome(registry, { token: NPM_SECRETS.proToken }), dir, ["install"]);
    expect(install.code, install.out).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "node_modules", "@acme", "base", "package.json"), "utf8")).version).toBe("1.0.0");
    const lock = readFileSync(join(dir, "package-lock.json"), "utf8");
    expect(lock).toContain(sri(app));
    expect(lock).toContain(sri(base));
  });

  it("a tarball uploaded by presigned PUT and confirmed has its package.json read: dependencies in the packument, and it installs", async () => {
    const bytes = pack({ name: "@acme/app", version: "2.0.0", dependencies: { "@acme/base": "^1.0.0" }, engines: { node: ">=18" } });
    const { id, upload: url } = await waitingTarball("@acme/app", "2.0.0", bytes);
    await upload(url, bytes);
    const res = await confirm(id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { data: { attributes: { status: string } } }).data.attributes.status).toBe("UPLOADED");
    const version = (await packument("@acme/app")).versions["2.0.0"];
    expect(version?.dependencies).toEqual({ "@acme/base": "^1.0.0" });
    expect(version?.dist).toMatchObject({ integrity: sri(bytes), shasum: createHash("sha1").update(bytes).digest("hex") });

    const dir = project({ "@acme/app": "2.0.0" });
    const install = await runClient("npm", clientHome(registry, { token: NPM_SECRETS.proToken }), dir, ["install"]);
    expect(install.code, install.out).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "node_modules", "@acme", "app", "package.json"), "utf8")).version).toBe("2.0.0");
    expect(JSON.parse(readFileSync(join(dir, "node_modules", "@acme", "base", "package.json"), "utf8")).version).toBe("1.0.0");
  });

  it("confirming a tarball reads its object once, whether the confirmation hashes it (a declared SHA-512) or not (SHA-256)", async () => {
    const cases: Array<[string, (b: Buffer) => string]> = [
      ["2.1.0", (b) => createHash("sha512").update(b).digest("hex")],
      ["2.1.1", (b) => createHash("sha512").update(b).digest("base64")],
      ["2.1.2", (b) => createHash("sha256").update(b).digest("hex")],
    ];
    for (const [version, checksum] of cases) {
      const bytes = pack({ name: "@acme/app", version, dependencies: { "@acme/base": "^1.0.0" } });
      const { id, upload: url } = await waitingTarball("@acme/app", version, bytes, undefined, checksum(bytes));
      await upload(url, bytes);
      const from = s3.requests.length;
      const res = await confirm(id);
      expect(res.status, await res.clone().text()).toBe(200);
      // GETs of the tarball's own object (the confirmation also looks for a multipart marker beside it).
      const gets = s3.requests.slice(from).filter((r) => r.method === "GET" && r.url.includes(`/${id}/`) && new URL(r.url, s3.endpoint).pathname.endsWith(`/app-${version}.tgz`));
      expect(gets, version).toHaveLength(1);
      const shown = (await packument("@acme/app")).versions[version];
      expect(shown?.dependencies, version).toEqual({ "@acme/base": "^1.0.0" });
      expect(shown?.dist, version).toMatchObject({ integrity: sri(bytes), shasum: createHash("sha1").update(bytes).digest("hex") });
    }
  });

  it("refuses a confirmed tarball naming another package or version, not an npm tarball, or past the publish limit: FAILED, object deleted", async () => {
    const other = pack({ name: "@acme/base", version: "3.0.0" });
    const cases: Array<[string, Buffer, string, RegExp, ((r: Request) => Promise<Response>)?]> = [
      ["3.0.0", other, "NPM_MANIFEST_MISMATCH", /^The tarball's package\.json is @acme\/base@3\.0\.0, not @acme\/app@3\.0\.0$/],
      ["3.0.1", Buffer.from("not a tarball at all"), "NPM_TARBALL_INVALID", /not an npm tarball/],
      ["3.0.2", pack({ name: "@acme/app", version: "3.0.2", description: randomBytes(1000).toString("hex") }), "NPM_TARBALL_TOO_LARGE", /at most 300 bytes \(the npm publish limit\)/, small],
    ];
    for (const [version, bytes, code, detail, handler] of cases) {
      const { id, upload: url } = await waitingTarball("@acme/app", version, bytes, handler);
      await upload(url, bytes);
      const key = (await bucketKeys()).find((k) => k.includes(`/${id}/`));
      expect(key, version).toBeDefined();
      const res = await confirm(id, handler);
      expect(res.status, version).toBe(422);
      const error = ((await res.json()) as { errors: Array<{ code: string; detail: string }> }).errors[0];
      expect(error?.code, version).toBe(code);
      expect(error?.detail, version).toMatch(detail);
      const shown = (await (await api(`/artifacts/${id}`, { headers: admin })).json()) as { data: { attributes: { status: string } } };
      expect(shown.data.attributes.status, version).toBe("FAILED");
      expect((await bucketKeys()).some((k) => k.includes(`/${id}/`)), version).toBe(false);
      expect(Object.keys((await packument("@acme/app")).versions), version).not.toContain(version);
    }
  });

  it("a publish the bucket refuses, or whose artifact is deleted while the PUT runs, leaves no object, artifact or release", async () => {
    const bytes = pack({ name: "@acme/app", version: "4.0.0" });
    const body = JSON.stringify({
      name: "@acme/app", "dist-tags": { latest: "4.0.0" },
      versions: { "4.0.0": { name: "@acme/app", version: "4.0.0", dist: { integrity: sri(bytes) } } },
      _attachments: { "@acme/app-4.0.0.tgz": { content_type: "application/octet-stream", data: bytes.toString("base64"), length: bytes.byteLength } },
    });
    const before = { records: await records(), keys: await bucketKeys() };
    const putBody = (handler: (r: Request) => Promise<Response>) =>
      handler(new Request(`${registry}@acme%2fapp`, { method: "PUT", headers: { ...admin, "content-type": "application/json" }, body }));

    // Wrong credentials: the bucket answers 403 SignatureDoesNotMatch, npm gets a 503 naming the storage.
    const refusing = createFetchHandler({ store, blobs: storage("not-the-secret") });
    const refused = await putBody(refusing);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toMatch(/blob storage is unavailable: S3 PUT answered 403: SignatureDoesNotMatch/);
    expect(await records()).toEqual(before.records);
    expect(await bucketKeys()).toEqual(before.keys);

    // The artifact is deleted (another writer) after the bucket stored the bytes: the object goes too.
    let raced: string | null = null;
    afterPut = async (url) => {
      raced = url.pathname;
      const artifactId = url.pathname.split("/").at(-2) as string;
      await store.deleteArtifact(accountId, artifactId);
    };
    try {
      const lost = await fetch(`${registry}@acme%2fapp`, { method: "PUT", headers: { ...admin, "content-type": "application/json" }, body });
      expect(lost.status).toBe(404);
      expect(((await lost.json()) as { error: string }).error).toMatch(/deleted during the publish/);
    } finally {
      afterPut = undefined;
    }
    expect(raced).toMatch(/\/app-4\.0\.0\.tgz$/);
    expect(await records()).toEqual(before.records);
    expect(await bucketKeys()).toEqual(before.keys);
    expect(Object.keys((await packument("@acme/app")).versions)).not.toContain("4.0.0");

    // And then the same publish goes through.
    expect((await fetch(`${registry}@acme%2fapp`, { method: "PUT", headers: { ...admin, "content-type": "application/json" }, body })).status).toBe(200);
    expect(Object.keys((await packument("@acme/app")).versions)).toContain("4.0.0");
  });
});
