/**
 * The npm registry through the fetch handler, in process: packuments (full and abbreviated) of what
 * each caller may see, dist-tags, deprecation of yanked versions, tarball redirects, auth as npm
 * sends it (Bearer token, license key as the token, Basic `license:<key>`), ETag/304, `%2f` names,
 * unknown packages, and the tarball facts read once at import (tarballs made by real `npm pack`).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readNpmTarball, tarballDigests } from "../../src/engines/npm/tarball.js";
import { negotiateNpmFormat } from "../../src/engines/npm/packument.js";
import { matchRoute } from "../../src/http/routes.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { NPM_SECRETS, npmDataset } from "../e2e/npm-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "re-npm-unit-"));
const ORIGIN = "http://registry.test";
const BASE = `${ORIGIN}/v1/accounts/acme/engines/npm`;
const ABBREVIATED = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
let handler: (request: Request) => Promise<Response>;
let tarballs: Record<string, string>;

interface Packument {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, { version: string; deprecated?: string; dependencies?: Record<string, string>; description?: string; dist: { tarball: string; integrity: string; shasum: string } }>;
  time?: Record<string, string>;
  modified?: string;
}

beforeAll(async () => {
  const made = npmDataset(dir);
  tarballs = made.tarballs;
  const { dataset } = await loadDatasetFile(made.file);
  handler = createFetchHandler({ store: createWritableMemoryStore(dataset), blobs: createFileBlobStorage({ root: dir }), account: "acme" });
}, 120_000);

const get = (path: string, headers: Record<string, string> = {}) => handler(new Request(`${path.startsWith("http") ? "" : BASE}${path}`, { headers }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(user).toString("base64")}` });

describe("routes", () => {
  it("reads a name from one %2f-decoded segment or two, tarballs and dist-tags", () => {
    const at = (...rest: string[]) => matchRoute(["v1", "accounts", "a", "engines", "npm", ...rest], false);
    expect(at("@acme/sdk")).toMatchObject({ name: "npm.package", params: { package: "@acme/sdk" } });
    expect(at("@acme", "sdk")).toMatchObject({ name: "npm.package", params: { package: "@acme/sdk" } });
    expect(at("left-pad")).toMatchObject({ name: "npm.package", params: { package: "left-pad" } });
    expect(at("@acme", "sdk", "-", "sdk-1.0.0.tgz")).toMatchObject({ name: "npm.tarball", params: { package: "@acme/sdk", filename: "sdk-1.0.0.tgz" } });
    expect(at("@acme/sdk", "-", "sdk-1.0.0.tgz")).toMatchObject({ name: "npm.tarball", params: { package: "@acme/sdk", filename: "sdk-1.0.0.tgz" } });
    expect(at("-", "package", "@acme/sdk", "dist-tags")).toMatchObject({ name: "npm.distTags", params: { package: "@acme/sdk" } });
    expect(at("-", "package", "@acme/sdk", "dist-tags", "beta")).toMatchObject({ name: "npm.distTags", params: { package: "@acme/sdk", tag: "beta" } });
    expect(at("@acme")).toBeNull();
    expect(at("@acme", "sdk", "x")).toBeNull();
    expect(at("-", "whoami")).toBeNull();
  });

  it("negotiates the abbreviated form only when npm's install type is preferred", () => {
    expect(negotiateNpmFormat(ABBREVIATED)).toBe("abbreviated");
    expect(negotiateNpmFormat("application/vnd.npm.install-v1+json")).toBe("abbreviated");
    expect(negotiateNpmFormat("application/json")).toBe("full");
    expect(negotiateNpmFormat(null)).toBe("full");
    expect(negotiateNpmFormat("application/vnd.npm.install-v1+json; q=0.5, application/json")).toBe("full");
    expect(negotiateNpmFormat("application/vnd.npm.install-v1+json; q=0")).toBe("full");
  });
});

describe("tarball facts", () => {
  it("reads package.json, sha512 integrity and sha1 shasum of a real npm pack tarball", async () => {
    const bytes = readFileSync(join(dir, "blobs", tarballs["@acme/sdk@1.0.0"] as string));
    const facts = await readNpmTarball(bytes);
    expect(facts?.integrity).toBe(`sha512-${createHash("sha512").update(bytes).digest("base64")}`);
    expect(facts?.shasum).toBe(createHash("sha1").update(bytes).digest("hex"));
    expect(facts?.manifest).toMatchObject({ name: "@acme/sdk", version: "1.0.0", dependencies: { "@acme/core": "^1.0.0" }, main: "index.js" });
    expect(facts?.manifest).not.toHaveProperty("scripts");
    // publish's attachment check hashes with the same function: both give npm's digests.
    expect(await tarballDigests(bytes)).toEqual({ integrity: facts?.integrity, shasum: facts?.shasum, sha512: createHash("sha512").update(bytes).digest("hex") });
    // A SHA-512 the caller already has is taken as it is (and one of another length ignored).
    expect(await tarballDigests(bytes, createHash("sha512").update(bytes).digest("hex"))).toEqual(await tarballDigests(bytes));
    expect(await tarballDigests(bytes, "ab")).toEqual(await tarballDigests(bytes));
    expect(await readNpmTarball(bytes, { sha512: createHash("sha512").update(bytes).digest("hex") })).toEqual(facts);
    expect(await tarballDigests(new Uint8Array(0))).toMatchObject({ integrity: `sha512-${createHash("sha512").digest("base64")}`, shasum: createHash("sha1").digest("hex") });
  });

  it("gives null for bytes that are not an npm tarball", async () => {
    expect(await readNpmTarball(new TextEncoder().encode("not gzip at all"))).toBeNull();
    const gz = new Uint8Array(await new Response(new Blob(["x".repeat(2048)]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    expect(await readNpmTarball(gz)).toBeNull();
  });
});

describe("packument", () => {
  it("answers 401 with a challenge npm shows to a caller without credentials", async () => {
    const res = await get("/@acme%2fsdk");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="acme"');
    expect(((await res.json()) as { error: string }).error).toBeTruthy();
  });

  it("shows a licensee every version it may have, with integrity, deprecation and dist-tags", async () => {
    const res = await get("/@acme%2fsdk", bearer(NPM_SECRETS.proToken));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const doc = (await res.json()) as Packument;
    expect(Object.keys(doc.versions)).toEqual(["0.9.0", "1.0.0", "1.1.0", "2.0.0-beta.1"]);
    expect(doc["dist-tags"]).toEqual({ latest: "1.1.0", beta: "2.0.0-beta.1" });
    expect(doc.versions["0.9.0"]?.deprecated).toBe("broken build, use 1.0.0");
    expect(doc.versions["1.0.0"]?.deprecated).toBeUndefined();
    expect(doc.versions["1.0.0"]?.dependencies).toEqual({ "@acme/core": "^1.0.0" });
    const bytes = readFileSync(join(dir, "blobs", tarballs["@acme/sdk@1.0.0"] as string));
    expect(doc.versions["1.0.0"]?.dist).toEqual({
      tarball: `${BASE}/@acme/sdk/-/sdk-1.0.0.tgz`,
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      shasum: createHash("sha1").update(bytes).digest("hex"),
    });
    expect(doc.time?.["1.0.0"]).toBe("2026-03-04T00:00:00.000Z");
  });

  it("hides entitled versions from a license without the entitlement, in every auth form npm sends", async () => {
    for (const headers of [bearer(NPM_SECRETS.basicToken), bearer(NPM_SECRETS.basicKey), basic(`license:${NPM_SECRETS.basicKey}`)]) {
      const res = await get("/@acme/sdk", { ...headers, accept: ABBREVIATED });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.npm.install-v1+json");
      const doc = (await res.json()) as Packument;
      expect(Object.keys(doc.versions)).toEqual(["0.9.0", "1.0.0", "2.0.0-beta.1"]);
      expect(doc["dist-tags"].latest).toBe("1.0.0");
      expect(doc.versions["1.0.0"]).not.toHaveProperty("description");
      expect(doc.modified).toBe("2026-03-06T00:00:00.000Z");
    }
    const tarball = await get("/@acme/sdk/-/sdk-1.1.0.tgz", bearer(NPM_SECRETS.basicKey));
    expect(tarball.status).toBe(404);
  });

  it("refuses a wrong token or key with 401 and the challenge", async () => {
    for (const headers of [bearer("activ-nope"), basic("license:NOPE")]) {
      const res = await get("/@acme/sdk", headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="acme"');
    }
  });

  it("redirects a tarball to its signed download, which serves the packed bytes", async () => {
    const res = await get("/@acme/sdk/-/sdk-1.0.0.tgz", bearer(NPM_SECRETS.proToken));
    expect(res.status).toBe(303);
    const blob = await handler(new Request(res.headers.get("location") as string));
    expect(blob.status).toBe(200);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array(readFileSync(join(dir, "blobs", tarballs["@acme/sdk@1.0.0"] as string))));
    expect((await get("/@acme/sdk/-/sdk-9.9.9.tgz", bearer(NPM_SECRETS.proToken))).status).toBe(404);
    expect((await get("/@acme/sdk/-/sdk-1.0.0.tgz")).status).toBe(401);
  });

  it("answers 304 to the ETag it gave, per caller and form", async () => {
    const first = await get("/@acme/sdk", bearer(NPM_SECRETS.proToken));
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^W\//);
    expect((await get("/@acme/sdk", { ...bearer(NPM_SECRETS.proToken), "if-none-match": etag })).status).toBe(304);
    expect((await get("/@acme/sdk", { ...bearer(NPM_SECRETS.basicToken), "if-none-match": etag })).status).toBe(200);
    expect((await get("/@acme/sdk", { ...bearer(NPM_SECRETS.proToken), accept: ABBREVIATED, "if-none-match": etag })).status).toBe(200);
  });

  it("links tarballs under the account-less form when the request used it", async () => {
    const doc = (await (await get(`${ORIGIN}/v1/engines/npm/@acme%2fcore`, bearer(NPM_SECRETS.basicToken))).json()) as Packument;
    expect(doc.versions["1.0.0"]?.dist.tarball).toBe(`${ORIGIN}/v1/engines/npm/@acme/core/-/core-1.0.0.tgz`);
    expect((await get(`${ORIGIN}/v1/engines/npm/@acme/core/-/core-1.0.0.tgz`, bearer(NPM_SECRETS.basicToken))).status).toBe(303);
  });

  it("lists dist-tags as the packument shows them", async () => {
    const res = await get("/-/package/@acme%2fsdk/dist-tags", bearer(NPM_SECRETS.basicToken));
    expect(await res.json()).toEqual({ latest: "1.0.0", beta: "2.0.0-beta.1" });
  });

  it("answers 404 for an unknown package by default, and redirects when an upstream is configured", async () => {
    expect((await get("/@acme/unknown", bearer(NPM_SECRETS.proToken))).status).toBe(404);
    expect((await get("/left-pad")).status).toBe(404);
    const { dataset } = await loadDatasetFile(join(dir, "dataset.json"));
    const open = createFetchHandler({ store: createWritableMemoryStore(dataset), npm: { upstream: "https://registry.npmjs.org/" } });
    const res = await open(new Request(`${BASE}/@types%2fnode`));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("https://registry.npmjs.org/@types%2fnode");
    expect((await open(new Request(`${BASE}/..%2f..%2fevil`))).status).toBe(404);
    expect((await open(new Request(`${BASE}/not%20valid`))).status).toBe(404);
  });

  it("lists the npm engine with its display name", async () => {
    const doc = (await (await get(`${ORIGIN}/v1/accounts/acme/engines`, bearer(NPM_SECRETS.admin))).json()) as { data: Array<{ attributes: { key: string; name: string } }> };
    expect(doc.data.map((e) => e.attributes)).toContainEqual(expect.objectContaining({ key: "npm", name: "npm" }));
  });
});
