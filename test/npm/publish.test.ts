/**
 * npm's write path through the fetch handler, in process: a tarball uploaded through the publishing
 * API (POST /artifacts + PUT) has its package.json read once and shows in the packument, and one
 * naming another package or version is refused as `npm publish` refuses it; `npm
 * publish` bodies that are wrong are refused with npm's `error` text and leave nothing behind;
 * deprecate and un-deprecate, dist-tag refusals, events, and a read-only store's 405.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { SdkEvent } from "../../src/engines/publish/events.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { NPM_SECRETS, npmDataset, npmPack } from "../e2e/npm-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "re-npm-publish-"));
const ORIGIN = "http://registry.test";
const ACCOUNT = `${ORIGIN}/v1/accounts/acme`;
const BASE = `${ACCOUNT}/engines/npm`;
const events: SdkEvent[] = [];
let handler: (request: Request) => Promise<Response>;
let readOnly: (request: Request) => Promise<Response>;
let tgz: Record<string, Buffer>;

beforeAll(async () => {
  const made = npmDataset(dir);
  const out = join(dir, "new");
  tgz = {};
  for (const v of ["3.0.0", "3.1.0", "3.4.0"]) tgz[v] = readFileSync(join(out, npmPack(join(dir, "w"), out, { name: "@acme/sdk", version: v, dependencies: { "@acme/core": "^1.0.0" }, engines: { node: ">=20" } })));
  tgz.other = readFileSync(join(out, npmPack(join(dir, "w"), out, { name: "@acme/other", version: "3.2.0" })));
  const { dataset } = await loadDatasetFile(made.file);
  handler = createFetchHandler({ store: createWritableMemoryStore(dataset), blobs: createFileBlobStorage({ root: dir }), onEvent: (e) => void events.push(e) });
  readOnly = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root: dir }) });
}, 120_000);

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { "content-type": "application/json" };
const sri = (bytes: Buffer) => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;

function publishBody(version: string, bytes: Buffer, extra: { name?: string; integrity?: string; tag?: string } = {}) {
  const name = extra.name ?? "@acme/sdk";
  return {
    _id: name, name, "dist-tags": { [extra.tag ?? "latest"]: version },
    versions: { [version]: { name, version, _id: `${name}@${version}`, dist: { integrity: extra.integrity ?? sri(bytes), shasum: createHash("sha1").update(bytes).digest("hex") } } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: "application/octet-stream", data: bytes.toString("base64"), length: bytes.byteLength } },
  };
}

const put = (body: unknown, headers: Record<string, string> = auth(NPM_SECRETS.admin), h = handler) =>
  h(new Request(`${BASE}/@acme%2fsdk`, { method: "PUT", headers: { ...json, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }));
const packument = async (token = NPM_SECRETS.proToken) =>
  (await (await handler(new Request(`${BASE}/@acme/sdk`, { headers: auth(token) }))).json()) as { "dist-tags": Record<string, string>; versions: Record<string, { deprecated?: string; engines?: unknown; dist: { integrity: string } }> };
/** Every release and artifact of the account (drafts and failed uploads too), and the packument's versions. */
const versions = async () => {
  const list = async (what: string) => ((await (await handler(new Request(`${ACCOUNT}/${what}?limit=100`, { headers: auth(NPM_SECRETS.admin) }))).json()) as { data: Array<{ id: string }> }).data.map((r) => r.id).sort();
  return { releases: await list("releases"), artifacts: await list("artifacts"), packages: await list("packages"), versions: Object.keys((await packument(NPM_SECRETS.admin)).versions) };
};

describe("npm write path", () => {
  it("reads a tarball uploaded through POST /artifacts + PUT once, and the packument shows it", async () => {
    const admin = { ...auth(NPM_SECRETS.admin), "content-type": "application/vnd.api+json" };
    const pkgs = (await (await handler(new Request(`${ACCOUNT}/packages?engine=npm`, { headers: admin }))).json()) as { data: Array<{ id: string; attributes: { key: string } }> };
    const pkg = pkgs.data.find((p) => p.attributes.key === "@acme/sdk")?.id as string;
    const rel = await handler(new Request(`${ACCOUNT}/releases`, { method: "POST", headers: admin, body: JSON.stringify({ data: { type: "releases", attributes: { version: "3.0.0", channel: "stable", status: "PUBLISHED" }, relationships: { product: { data: { type: "products", id: "a0000000-0000-4000-8000-000000000001" } }, package: { data: { type: "packages", id: pkg } } } } }) }));
    expect(rel.status).toBe(201);
    const release = ((await rel.json()) as { data: { id: string } }).data.id;
    const art = await handler(new Request(`${ACCOUNT}/artifacts`, { method: "POST", headers: admin, body: JSON.stringify({ data: { type: "artifacts", attributes: { filename: "acme-sdk-3.0.0.tgz", filetype: "tgz", filesize: tgz["3.0.0"]?.byteLength }, relationships: { release: { data: { type: "releases", id: release } } } } }) }));
    expect(art.status).toBe(307);
    const up = await handler(new Request(art.headers.get("location") as string, { method: "PUT", body: new Uint8Array(tgz["3.0.0"] as Buffer), headers: { "content-length": String(tgz["3.0.0"]?.byteLength) } }));
    expect(up.status).toBe(200);
    const doc = await packument();
    expect(doc.versions["3.0.0"]?.dist.integrity).toBe(sri(tgz["3.0.0"] as Buffer));
    expect(doc.versions["3.0.0"]?.engines).toEqual({ node: ">=20" });
    expect(doc["dist-tags"].latest).toBe("3.0.0");
  });

  it("refuses an uploaded tarball of an npm package that names another package or version, or is no npm tarball (as npm publish does)", async () => {
    const admin = { ...auth(NPM_SECRETS.admin), "content-type": "application/vnd.api+json" };
    const pkgs = (await (await handler(new Request(`${ACCOUNT}/packages?engine=npm`, { headers: admin }))).json()) as { data: Array<{ id: string; attributes: { key: string } }> };
    const pkg = pkgs.data.find((p) => p.attributes.key === "@acme/sdk")?.id as string;
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ["3.8.0", tgz.other as Buffer, "NPM_MANIFEST_MISMATCH", /^The tarball's package\.json is @acme\/other@3\.2\.0, not @acme\/sdk@3\.8\.0$/],
      ["3.8.1", Buffer.from("not a tarball"), "NPM_TARBALL_INVALID", /not an npm tarball/],
    ];
    for (const [version, bytes, code, detail] of cases) {
      const rel = await handler(new Request(`${ACCOUNT}/releases`, { method: "POST", headers: admin, body: JSON.stringify({ data: { type: "releases", attributes: { version, channel: "stable", status: "PUBLISHED" }, relationships: { product: { data: { type: "products", id: "a0000000-0000-4000-8000-000000000001" } }, package: { data: { type: "packages", id: pkg } } } } }) }));
      const release = ((await rel.json()) as { data: { id: string } }).data.id;
      const art = await handler(new Request(`${ACCOUNT}/artifacts`, { method: "POST", headers: admin, body: JSON.stringify({ data: { type: "artifacts", attributes: { filename: `sdk-${version}.tgz`, filetype: "tgz", filesize: bytes.byteLength }, relationships: { release: { data: { type: "releases", id: release } } } } }) }));
      expect(art.status).toBe(307);
      const up = await handler(new Request(art.headers.get("location") as string, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-length": String(bytes.byteLength) } }));
      expect(up.status, version).toBe(422);
      expect(((await up.json()) as { errors: Array<{ code: string; detail: string }> }).errors[0]).toMatchObject({ code, detail: expect.stringMatching(detail) });
      const files = (await (await handler(new Request(`${ACCOUNT}/artifacts?release=${release}`, { headers: admin }))).json()) as { data: Array<{ attributes: { status: string } }> };
      expect(files.data.map((a) => a.attributes.status), version).toEqual(["FAILED"]);
      expect(Object.keys((await packument(NPM_SECRETS.admin)).versions), version).not.toContain(version);
    }
  });

  it("refuses bad publishes with npm's error text and leaves nothing behind", async () => {
    const before = await versions();
    const bytes = tgz["3.1.0"] as Buffer;
    const cases: Array<[unknown, number, RegExp, Record<string, string>?]> = [
      [publishBody("3.1.0", bytes), 401, /logged in/, {}],
      [publishBody("3.1.0", bytes), 403, /may not publish/, auth(NPM_SECRETS.proToken)],
      ["{not json", 400, /not JSON/],
      [publishBody("3.1.0", bytes, { integrity: sri(Buffer.from("other")) }), 400, /dist\.integrity/],
      [publishBody("3.1.0", Buffer.from("not a tarball")), 400, /not an npm tarball/],
      [publishBody("3.1.0", tgz.other as Buffer), 400, /package\.json is @acme\/other@3\.2\.0/],
      [publishBody("3.0.0", tgz["3.0.0"] as Buffer), 403, /^You cannot publish over the previously published versions: 3\.0\.0\.$/],
      [{ ...publishBody("3.1.0", bytes), name: "@acme/core" }, 400, /URL names/],
      [publishBody("3.1.0", bytes, { tag: "actions" }), 400, /tag/],
    ];
    for (const [body, status, error, headers] of cases) {
      const res = await put(body, headers);
      expect(res.status, JSON.stringify(error.source)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(error);
      if (status === 401) expect(res.headers.get("www-authenticate")).toBe('Bearer realm="acme"');
    }
    expect(await versions()).toEqual(before);
    expect((await put(publishBody("3.1.0", bytes), auth(NPM_SECRETS.admin), readOnly)).status).toBe(405);
  });

  it("publishes with a tag, moves it with dist-tag add, and reports the release and its tarball", async () => {
    events.length = 0;
    const res = await put(publishBody("3.1.0", tgz["3.1.0"] as Buffer, { tag: "next" }));
    expect(res.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(["artifact.uploaded", "release.published"]);
    expect((await packument())["dist-tags"]).toMatchObject({ latest: "3.1.0", next: "3.1.0" });
    const tag = (method: string, tagName: string, body?: unknown) =>
      handler(new Request(`${BASE}/-/package/@acme%2fsdk/dist-tags/${tagName}`, { method, headers: { ...json, ...auth(NPM_SECRETS.admin) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
    expect((await tag("PUT", "next", "3.0.0")).status).toBe(200);
    expect((await packument())["dist-tags"].next).toBe("3.0.0");
    expect((await tag("PUT", "next", "9.9.9")).status).toBe(404);
    expect((await tag("PUT", "next", { version: "3.0.0" })).status).toBe(400);
    expect((await tag("DELETE", "next")).status).toBe(200);
    expect((await packument())["dist-tags"].next).toBeUndefined();
    expect((await tag("DELETE", "next")).status).toBe(404);
  });

  it("deprecates (a yank with the message) and un-deprecates with an empty message", async () => {
    const doc = await packument(NPM_SECRETS.admin);
    const body = (text: string) => ({ ...doc, versions: { ...doc.versions, "3.0.0": { ...doc.versions["3.0.0"], deprecated: text } } });
    expect((await put(body("use 3.1.0"))).status).toBe(200);
    expect((await packument()).versions["3.0.0"]?.deprecated).toBe("use 3.1.0");
    expect((await put(body(""))).status).toBe(200);
    expect((await packument()).versions["3.0.0"]?.deprecated).toBeUndefined();
    expect((await put(body("nope"), auth(NPM_SECRETS.basicToken))).status).toBe(403);
  });

  it("hashes a published tarball once for its dist checks and metadata.npm (counted Web Crypto digests of its bytes)", async () => {
    const bytes = tgz["3.4.0"] as Buffer;
    const digest = crypto.subtle.digest.bind(crypto.subtle);
    const seen: string[] = [];
    // Counts, then does the real digest: every SHA of exactly the tarball's bytes during one publish.
    const spy = vi.spyOn(crypto.subtle, "digest").mockImplementation((algorithm, data) => {
      const view = data as ArrayBufferView;
      if (view.byteLength === bytes.byteLength && Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(bytes)) seen.push(String(algorithm));
      return digest(algorithm, data);
    });
    try {
      const res = await put(publishBody("3.4.0", bytes));
      expect(res.status, await res.clone().text()).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect((await packument()).versions["3.4.0"]?.dist.integrity).toBe(sri(bytes));
    // One SHA-512 and one SHA-1 by the publish; the embedded storage reads the package.json of every
    // .tgz it receives (any upload, not only a publish) and takes its shasum itself, its SHA-512 from
    // the digest it made while writing the bytes (not Web Crypto's).
    expect(seen.sort()).toEqual(["SHA-1", "SHA-1", "SHA-512"]);
  });
});
