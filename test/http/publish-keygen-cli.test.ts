/**
 * The exact HTTP exchanges keygen-cli makes (keygen-sh/keygen-cli cmd/{new,upload,publish,yank,tag,
 * untag,del}.go over keygen-go's client and jsonapi-go's encoder), replayed byte for byte against a
 * node:http server of a single-account handler, as `keygen … --host http://127.0.0.1:PORT` calls it:
 * `{host}/v1/<path>` without `/accounts/{account}`, Bearer token, `Keygen-Version`, JSON:API media
 * types, no redirects followed, and action POSTs with an empty body and no Content-Type. The upload's
 * `PUT` to the 307's Location is the upload helper's route; here the store records the bytes.
 */
import { createHash } from "node:crypto";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { serveFetchHandler } from "../../src/node/http.js";
import type { WritableStore } from "../../src/store/write.js";
import { makeWritableStore } from "../helpers/store.js";
import { IDS, NOW, TOKENS, publishDataset, recordingBlobs } from "./publish-world.js";

interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: Server;
let host: string;
let store: WritableStore;

beforeAll(async () => {
  store = await makeWritableStore(await publishDataset());
  const handler = createFetchHandler({ store, blobs: recordingBlobs(), account: "acme", now: () => NOW });
  server = await serveFetchHandler(handler, { port: 0, host: "127.0.0.1" });
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** One request as keygen-go's client builds it (`client.new`), with the encoder's trailing newline on bodies. */
function keygenGo(method: string, path: string, params?: unknown): Promise<Exchange> {
  const body = params === undefined ? "" : `${JSON.stringify(params)}\n`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${TOKENS.product}`,
    "Keygen-Version": "1.3",
    Accept: "application/vnd.api+json",
    "User-Agent": "keygen/1.3 sdk/2.9.0 go/go1.21 linux/amd64 keygen-cli/2.10.0",
    "Content-Length": String(Buffer.byteLength(body)),
  };
  if (body.length > 0) headers["Content-Type"] = "application/vnd.api+json";
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${host}/v1/${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const data = (x: Exchange) => (JSON.parse(x.body) as { data: { id: string; attributes: Record<string, unknown> } }).data;

describe("keygen-cli against a single-account server", () => {
  let releaseId = "";

  it("new: GET packages/{key}, then POST releases with tag null and embedded constraints (codes as ids)", async () => {
    const pkg = await keygenGo("GET", "packages/acme-tools");
    expect(pkg.status).toBe(200);
    // keygen-cli resolves --entitlements with GET entitlements/{code}; a 404 leaves the code as the id.
    const created = await keygenGo("POST", "releases", {
      data: {
        type: "releases",
        attributes: { name: "CLI 5", version: "5.0.0", tag: null, channel: "stable", metadata: { built: "ci" } },
        relationships: {
          constraints: { data: [{ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id: "PRO" } } } }] },
          product: { data: { type: "products", id: IDS.productLicensed } },
          package: { data: { type: "packages", id: data(pkg).id } },
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers["content-type"]).toBe("application/vnd.api+json; charset=utf-8");
    releaseId = data(created).id;
    expect(data(created).attributes).toMatchObject({ version: "5.0.0", status: "DRAFT", tag: null, name: "CLI 5" });
    expect((await store.getRelease(IDS.account, releaseId))?.entitlements).toEqual(["PRO"]);
  });

  it("upload: GET releases/{version}?package=…&product=…, then POST artifacts answers 307 with the upload URL", async () => {
    const found = await keygenGo("GET", `releases/5.0.0?package=acme-tools&product=${IDS.productLicensed}`);
    expect(found.status).toBe(200);
    expect(data(found).id).toBe(releaseId);
    const bytes = Buffer.from("wheel bytes");
    const checksum = createHash("sha512").update(bytes).digest("base64").replace(/=+$/, "");
    const created = await keygenGo("POST", "artifacts", {
      data: {
        type: "artifacts",
        attributes: { filename: "acme_tools-5.0.0-py3-none-any.whl", filetype: ".whl", filesize: bytes.byteLength, platform: "", arch: "", checksum },
        relationships: { release: { data: { type: "releases", id: releaseId } } },
      },
    });
    expect(created.status).toBe(307);
    const location = created.headers.location as string;
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/uploads\//);
    const artifact = data(created);
    expect(artifact.attributes).toMatchObject({ filetype: "whl", platform: null, arch: null, status: "WAITING", checksum, filesize: bytes.byteLength });
    await store.completeArtifact(IDS.account, artifact.id, { filesize: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex"), blob: `b/${artifact.id}` }, NOW);
  });

  it("publish and yank: GET the release, then POST actions/publish and actions/yank with no body", async () => {
    const found = await keygenGo("GET", `releases/5.0.0?product=${IDS.productLicensed}`);
    expect(data(found).id).toBe(releaseId);
    const published = await keygenGo("POST", `releases/${releaseId}/actions/publish`);
    expect(published.status).toBe(200);
    expect(data(published).attributes.status).toBe("PUBLISHED");
    // The published wheel is on the PyPI page of the same server at once.
    const page = await fetch(`${host}/v1/engines/pypi/simple/acme-tools/`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(await page.text()).toContain("acme_tools-5.0.0-py3-none-any.whl");
    const yanked = await keygenGo("POST", `releases/${releaseId}/actions/yank`);
    expect(yanked.status).toBe(200);
    expect(data(yanked).attributes.status).toBe("YANKED");
  });

  it("tag and untag: PATCH releases/{id} with data.id and the tag, or tag null", async () => {
    const tagged = await keygenGo("PATCH", `releases/${releaseId}`, { data: { type: "releases", id: releaseId, attributes: { tag: "five" } } });
    expect(tagged.status).toBe(200);
    expect(data(tagged).attributes.tag).toBe("five");
    expect(data(await keygenGo("GET", "releases/five")).id).toBe(releaseId);
    const untagged = await keygenGo("PATCH", `releases/${releaseId}`, { data: { type: "releases", id: releaseId, attributes: { tag: null } } });
    expect(data(untagged).attributes.tag).toBeNull();
  });

  it("del: DELETE artifacts/{filename}?release={version}, then DELETE releases/{id}", async () => {
    const art = await keygenGo("DELETE", "artifacts/acme_tools-5.0.0-py3-none-any.whl?release=5.0.0");
    expect(art.status).toBe(204);
    expect(art.body).toBe("");
    const rel = await keygenGo("DELETE", `releases/${releaseId}`);
    expect(rel.status).toBe(204);
    expect((await keygenGo("GET", `releases/${releaseId}`)).status).toBe(404);
  });

  it("an error reaches keygen-cli as Keygen's document: title, detail, code and source.pointer", async () => {
    const dup = await keygenGo("POST", "releases", {
      data: { type: "releases", attributes: { version: "1.0.0", tag: null, channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productLicensed } } } },
    });
    expect(dup.status).toBe(422);
    const error = (JSON.parse(dup.body) as { errors: Array<Record<string, unknown>> }).errors[0];
    expect(error).toMatchObject({ title: "Unprocessable resource", code: "VERSION_TAKEN", source: { pointer: "/data/attributes/version" } });
    // The account-ful form keeps working beside the account-less one.
    const full = await fetch(`${host}/v1/accounts/acme/releases/${IDS.relCli100}`, { headers: { authorization: `Bearer ${TOKENS.product}` } });
    expect(full.status).toBe(200);
  });
});
