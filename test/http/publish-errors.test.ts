/**
 * Bad input on the write routes: malformed JSON, wrong types, unknown members, wrong Content-Type,
 * oversized bodies, and a store that cannot write; each a clear JSON:API error, nothing written.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { CALLERS, IDS, artifactDoc, firstError, makeWorld, packageDoc, publishDataset, releaseDoc } from "./publish-world.js";

describe("request documents", () => {
  it("malformed JSON is 400 JSON_INVALID with a pointer at the document", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/releases", "admin", '{"data": {"type": "releases",');
    expect(res.status).toBe(400);
    expect(await firstError(res)).toEqual({
      title: "Bad request",
      detail: "The request could not be completed because it contains invalid JSON (check formatting/encoding)",
      code: "JSON_INVALID",
      source: { pointer: "" },
    });
  });

  it("bytes that are not UTF-8 are 400 ENCODING_INVALID", async () => {
    const w = await makeWorld();
    const res = await w.handler(new Request("http://localhost/v1/accounts/acme/releases", {
      method: "POST", headers: { authorization: CALLERS.admin, "content-type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    }));
    expect(res.status).toBe(400);
    expect((await firstError(res)).code).toBe("ENCODING_INVALID");
  });

  it("wrong types, missing and null members are 400 with the pointer at the member, as typed_params words them", async () => {
    const w = await makeWorld();
    const cases: Array<[unknown, string, string]> = [
      [releaseDoc({ version: 1 }), "type mismatch (received integer expected string)", "/data/attributes/version"],
      [releaseDoc({ version: "1.0.0", metadata: [1] }), "type mismatch (received array expected object)", "/data/attributes/metadata"],
      [releaseDoc({ version: "1.0.0", name: true }), "type mismatch (received boolean expected string)", "/data/attributes/name"],
      [releaseDoc({ channel: undefined, version: "1.0.0" }), "is missing", "/data/attributes/channel"],
      [releaseDoc({ version: null }), "cannot be null", "/data/attributes/version"],
      [releaseDoc({ version: "1.0.0", channel: "nightly" }), "is invalid", "/data/attributes/channel"],
      [{ data: { ...releaseDoc({ version: "1.0.0" }).data, type: "packages" } }, "is invalid", "/data/type"],
      [{}, "is missing", "/data"],
      [[], "type mismatch (received array expected object)", ""],
      [releaseDoc({ version: "1.0.0", metadata: { a: { b: { c: { d: 1 } } } } }), "maximum depth of 2 exceeded", "/data/attributes/metadata/a/b/c"],
    ];
    for (const [doc, detail, pointer] of cases) {
      const res = await w.call("POST", "/releases", "admin", doc);
      expect(res.status, detail).toBe(400);
      expect(await firstError(res)).toMatchObject({ title: "Bad request", detail, source: { pointer } });
    }
    expect(w.events).toEqual([]);
  });

  it("an unknown attribute, relationship or top-level member is refused, never ignored", async () => {
    const w = await makeWorld();
    const cases: Array<[string, unknown, string]> = [
      ["/releases", releaseDoc({ version: "8.0.0", colour: "red" }), "/data/attributes/colour"],
      ["/releases", releaseDoc({ version: "8.0.0" }, { owner: { data: { type: "users", id: IDS.userAdmin } } }), "/data/relationships/owner"],
      ["/releases", { ...releaseDoc({ version: "8.0.0" }), included: [] }, "/included"],
      ["/releases", { data: { ...releaseDoc({ version: "8.0.0" }).data, id: IDS.relCli100 } }, "/data/id"],
      ["/packages", packageDoc({ name: "n", key: "k", colour: 1 }), "/data/attributes/colour"],
      ["/artifacts", artifactDoc(IDS.relCli110, { filename: "a.zip", status: "UPLOADED" }), "/data/attributes/status"],
    ];
    for (const [path, doc, pointer] of cases) {
      const res = await w.call("POST", path, "admin", doc);
      expect(res.status, pointer).toBe(400);
      expect(await firstError(res)).toMatchObject({ detail: "unpermitted parameter", source: { pointer } });
    }
    expect((await w.store.listReleases(IDS.account, { all: true, products: [], grants: [], licensedProducts: [] }, { version: "8.0.0" }, { order: "desc", limit: 10 })).total).toBe(0);
  });

  it("a wrong Content-Type is 400 MIME_TYPE_INVALID; both JSON:API and plain JSON are taken", async () => {
    const w = await makeWorld();
    const doc = JSON.stringify(releaseDoc({ version: "8.1.0" }));
    const bad = await w.call("POST", "/releases", "admin", doc, { "content-type": "text/plain" });
    expect(bad.status).toBe(400);
    expect(await firstError(bad)).toMatchObject({ code: "MIME_TYPE_INVALID", source: { header: "Content-Type" } });
    const form = await w.call("POST", "/releases", "admin", doc, { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(400);
    expect((await w.call("POST", "/releases", "admin", doc, { "content-type": "application/json; charset=utf-8" })).status).toBe(201);
    expect((await w.call("POST", "/releases", "admin", JSON.stringify(releaseDoc({ version: "8.2.0" })), { "content-type": "application/vnd.api+json" })).status).toBe(201);
  });

  it("a body over 1 MiB is 413, by its declared length or as it streams, without reading it all", async () => {
    const w = await makeWorld();
    const big = JSON.stringify(releaseDoc({ version: "9.0.0", description: "x".repeat(1024 * 1024) }));
    const declared = await w.call("POST", "/releases", "admin", big);
    expect(declared.status).toBe(413);
    expect((await firstError(declared)).code).toBe("BODY_TOO_LARGE");
    // A stream without a length that would never end: the handler stops after the cap.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const streamed = await w.handler(new Request("http://localhost/v1/accounts/acme/releases", {
      method: "POST", headers: { authorization: CALLERS.admin, "content-type": "application/json" }, body: endless, duplex: "half",
    } as RequestInit));
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024);
    expect((await w.call("GET", "/releases?version=9.0.0", "admin")).status).toBe(200);
  });

  it("a store conflict passes through as 422 with Keygen's code and pointer", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/packages", "admin", packageDoc({ name: "dup", key: "Acme-Tools", engine: "pypi" }));
    expect(res.status).toBe(422);
    expect(await firstError(res)).toMatchObject({ title: "Unprocessable resource", code: "KEY_TAKEN", source: { pointer: "/data/attributes/key" } });
  });
});

describe("a store that cannot write", () => {
  const writes: Array<[string, string, unknown?]> = [
    ["POST", "/packages", packageDoc({ name: "n", key: "k" })],
    ["PATCH", `/packages/${IDS.pkgTauri}`, { data: { type: "packages", attributes: {} } }],
    ["DELETE", `/packages/${IDS.pkgTauri}`],
    ["POST", "/releases", releaseDoc({ version: "1.0.0" })],
    ["PATCH", `/releases/${IDS.relCli100}`, { data: { type: "releases", attributes: {} } }],
    ["DELETE", `/releases/${IDS.relCli100}`],
    ["POST", `/releases/${IDS.relCli100}/actions/publish`],
    ["POST", `/releases/${IDS.relCli100}/actions/yank`],
    ["POST", `/releases/${IDS.relCli100}/constraints`, { data: [] }],
    ["DELETE", `/releases/${IDS.relCli100}/constraints`, { data: [] }],
    ["PUT", `/releases/${IDS.relCli100}/package`, { data: null }],
    ["POST", "/artifacts", artifactDoc(IDS.relCli100, { filename: "a" })],
    ["PATCH", `/artifacts/${IDS.artCli100}`, { data: { type: "artifacts", attributes: {} } }],
    ["DELETE", `/artifacts/${IDS.artCli100}`],
  ];

  it("answers 405 STORE_READ_ONLY with a hint on every write route, for every caller", async () => {
    const handler = createFetchHandler({ store: createMemoryStore(await publishDataset()) });
    for (const auth of [CALLERS.admin, null]) {
      for (const [method, path, body] of writes) {
        const headers: Record<string, string> = { "content-type": "application/vnd.api+json" };
        if (auth !== null) headers.authorization = auth;
        const res = await handler(new Request(`http://localhost/v1/accounts/acme${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
        expect(res.status, `${method} ${path}`).toBe(405);
        const error = await firstError(res);
        expect(error.code).toBe("STORE_READ_ONLY");
        expect(error.detail).toMatch(/serve --db/);
      }
    }
  });

  it("still answers the single reads of packages and releases; the lists say why they cannot", async () => {
    const handler = createFetchHandler({ store: createMemoryStore(await publishDataset()) });
    for (const path of ["/packages", "/releases", "/artifacts"]) {
      const res = await handler(new Request(`http://localhost/v1/accounts/acme${path}`));
      expect(res.status).toBe(405);
      expect((await firstError(res)).detail).toMatch(/only the read contract/);
    }
    expect((await handler(new Request(`http://localhost/v1/accounts/acme/releases/${IDS.relTauri120}`))).status).toBe(200);
    expect((await handler(new Request("http://localhost/v1/accounts/acme/packages/acme-app"))).status).toBe(200);
  });
});

describe("over node:http", () => {
  it("an oversized body is answered 413 and the server goes on serving", async () => {
    const { serveFetchHandler } = await import("../../src/node/http.js");
    const w = await makeWorld();
    const server = await serveFetchHandler(w.handler, { port: 0, host: "127.0.0.1" });
    try {
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const big = await fetch(`${origin}/v1/accounts/acme/releases`, {
        method: "POST",
        headers: { authorization: CALLERS.admin, "content-type": "application/vnd.api+json" },
        body: JSON.stringify(releaseDoc({ version: "9.1.0", description: "x".repeat(2 * 1024 * 1024) })),
      }).catch((e: unknown) => e as Error);
      // Either the 413 arrives, or the server closed the upload early after answering; never a 2xx.
      if (big instanceof Response) expect(big.status).toBe(413);
      const ok = await fetch(`${origin}/v1/accounts/acme/releases`, {
        method: "POST",
        headers: { authorization: CALLERS.admin, "content-type": "application/vnd.api+json" },
        body: JSON.stringify(releaseDoc({ version: "9.2.0" })),
      });
      expect(ok.status).toBe(201);
      expect((await (await fetch(`${origin}/v1/accounts/acme/releases?version=9.1.0`, { headers: { authorization: CALLERS.admin } })).json()) as unknown).toEqual({ data: [] });
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
