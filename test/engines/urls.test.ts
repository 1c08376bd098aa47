/**
 * Mountable links (issue 15 items 1 and 2): every link an engine emits comes from one builder
 * (`ctx.urls`), and `createEngineContext` + `toWebResponse` give a custom route what the handler has.
 */
import { describe, expect, it } from "vitest";
import { createEngineContext } from "../../src/http/context.js";
import { accountlessNpmTarballPath, createUrls, keygenUrls, KEYGEN_LINKS, type LinkName } from "../../src/engines/urls.js";
import { matchAccountless } from "../../src/http/routes.js";
import { resolveTauriUpdate } from "../../src/engines/tauri/update.js";
import { resolveRawArtifact } from "../../src/engines/raw.js";
import { renderPep503Index } from "../../src/engines/pypi/render.js";
import { listEngines } from "../../src/engines/engines.js";
import { serializeRelease } from "../../src/engines/releases.js";
import { serializePackage } from "../../src/engines/publish/serialize.js";
import type { Package, Release } from "../../src/model/records.js";
import { downloadArtifact } from "../../src/engines/artifacts.js";
import { toWebResponse } from "../../src/http/respond.js";
import { DEMO_TAURI_CHECK as TAURI, loadDemoWorld } from "../helpers/demo-world.js";


const { store, blobs, accountId } = await loadDemoWorld();

const mounted = createUrls({
  links: {
    "pypi.index": () => "/downloads/pypi/simple/",
    "pypi.project": (p) => `/downloads/pypi/simple/${p.project}/`,
    "artifacts.file": (p) => `/downloads/files/${p.id}/${p.filename}`,
    "tauri.upgrade": (p) => `/updates/${p.package}`,
    blobs: () => "/downloads/",
  },
});

describe("createUrls", () => {
  it("defaults to Keygen's layout, puts a base path before it, and replaces links by name", () => {
    const p = { account: "a", id: "i", filename: "f", project: "pr", package: "pk", product: "p", release: "1.0.0", artifact: "x/y" };
    expect(keygenUrls("artifacts.file", p)).toBe("/v1/accounts/a/artifacts/i/f");
    expect(keygenUrls("pypi.project", p)).toBe("/v1/accounts/a/engines/pypi/simple/pr/");
    expect(keygenUrls("raw.artifact", p)).toBe("/v1/accounts/a/engines/raw/p/@pk/1.0.0/x/y");
    expect(keygenUrls("raw.artifact", { ...p, package: undefined })).toBe("/v1/accounts/a/engines/raw/p/1.0.0/x/y");
    const base = createUrls({ basePath: "/api/" });
    for (const name of Object.keys(KEYGEN_LINKS) as LinkName[]) if (name !== "blobs") expect(base(name, p)).toBe(`/api${keygenUrls(name, p)}`);
    expect(base("blobs", p)).toBe("/api/");
    expect(mounted("pypi.project", p)).toBe("/downloads/pypi/simple/pr/");
    expect(mounted("releases.one", p)).toBe("/v1/accounts/a/releases/i");
    expect(() => createUrls({ basePath: "api" })).toThrow(TypeError);
    expect(() => keygenUrls("nope" as LinkName, p)).toThrow(/Unknown link/);
  });

  it("gives npm's tarball path in the account-less form, the one the route table serves on a single-account host", () => {
    const path = accountlessNpmTarballPath({ package: "@acme/sdk", filename: "sdk-1.2.0.tgz" });
    expect(path).toBe("/v1/engines/npm/@acme/sdk/-/sdk-1.2.0.tgz");
    expect(keygenUrls("npm.tarball", { account: "a", package: "@acme/sdk", filename: "sdk-1.2.0.tgz" })).toBe("/v1/accounts/a/engines/npm/@acme/sdk/-/sdk-1.2.0.tgz");
    expect(matchAccountless(path.slice(1).split("/"), false, "a")).toMatchObject({ name: "npm.tarball", params: { package: "@acme/sdk", filename: "sdk-1.2.0.tgz" } });
  });
});

describe("the pure engines take their links from ctx.urls", () => {
  const request = (path: string, headers: Record<string, string> = {}) => new Request(`http://dl.test${path}`, { headers });

  it("Tauri url, raw Location, PyPI hrefs, file links and 301, JSON:API links and blob URLs", async () => {
    const ctx = await createEngineContext({ store, account: "demo", urls: mounted }, request("/updates/demo-app"));
    expect(ctx.origin).toBe("http://dl.test");
    const tauri = JSON.parse((await resolveTauriUpdate(ctx, { package: "demo-app", query: new URLSearchParams(TAURI) })).body as string) as { url: string };
    expect(tauri.url).toMatch(/^http:\/\/dl\.test\/downloads\/files\/[0-9a-f-]{36}\/DemoApp_1\.1\.0_amd64\.AppImage\.tar\.gz$/);

    const licensed = await createEngineContext({ store, account: "demo", urls: mounted }, request("/get/cli/latest/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY"));
    const raw = await resolveRawArtifact(licensed, { product: "cli", release: "latest", artifact: "demo-tool_linux_amd64", query: new URLSearchParams("auth=license:DEMO-CLI-KEY") });
    expect(raw.status).toBe(303);
    expect(raw.headers.Location).toMatch(/^http:\/\/dl\.test\/downloads\/files\/[0-9a-f-]{36}\/demo-tool_linux_amd64\?auth=license%3ADEMO-CLI-KEY$/);

    const headers = new Headers({ accept: "text/html" });
    const index = new TextDecoder().decode((await renderPep503Index(ctx, { trailingSlash: true, search: "", headers })).body as Uint8Array);
    expect(index).toMatch(/href="http:\/\/dl\.test\/downloads\/pypi\/simple\/[0-9a-f-]{36}\/"/);
    expect(index).not.toContain("/v1/");
    const page = new TextDecoder().decode((await renderPep503Index(ctx, { project: "demo-sdk", trailingSlash: true, search: "", headers })).body as Uint8Array);
    expect(page).toMatch(/href="http:\/\/dl\.test\/downloads\/files\/[0-9a-f-]{36}\/demo_sdk-1\.0\.0-py3-none-any\.whl#sha256=/);
    expect(page).not.toContain("/v1/");
    const json = JSON.parse(new TextDecoder().decode((await renderPep503Index(ctx, { project: "demo-sdk", trailingSlash: true, search: "", headers: new Headers({ accept: "application/vnd.pypi.simple.v1+json" }) })).body as Uint8Array)) as { files: Array<{ url: string }> };
    expect(json.files.every((f) => f.url.startsWith("http://dl.test/downloads/files/"))).toBe(true);
    const redirect = await renderPep503Index(ctx, { project: "Demo_SDK", trailingSlash: false, search: "?x=1", headers });
    expect([redirect.status, redirect.headers.Location]).toEqual([301, "http://dl.test/downloads/pypi/simple/demo-sdk/?x=1"]);
    const redirectIndex = await renderPep503Index(ctx, { trailingSlash: false, search: "", headers });
    expect(redirectIndex.headers.Location).toBe("http://dl.test/downloads/pypi/simple/");

    const download = await downloadArtifact(ctx, { id: "demo_sdk-1.0.0-py3-none-any.whl", query: new URLSearchParams(), headers: new Headers(), blobs });
    expect(download.headers.Location).toMatch(/^http:\/\/dl\.test\/downloads\/v1\/blobs\//);
    const doc = JSON.parse(download.body as string) as { data: { links: { related: string; self: string } } };
    expect(doc.data.links.related).toMatch(/^\/downloads\/files\/[0-9a-f-]{36}\/demo_sdk-1\.0\.0-py3-none-any\.whl$/);

    const base = createUrls({ basePath: "/api" });
    const baseCtx = { ...ctx, urls: base };
    const engines = JSON.parse((await listEngines(baseCtx, { path: "/api/x", query: new URLSearchParams() })).body as string) as { data: Array<{ links: { related: string }; relationships: { account: { links: { related: string } } } }> };
    expect(engines.data[0]?.links.related).toMatch(new RegExp(`^/api/v1/accounts/${accountId}/engines/[0-9a-f-]{36}$`));
    expect(engines.data[0]?.relationships.account.links.related).toBe(`/api/v1/accounts/${accountId}`);
    const release = serializeRelease({ id: "r1", accountId, productId: "p1", packageId: null } as unknown as Release, { accountId, urls: base });
    expect(release.links.self).toBe(`/api/v1/accounts/${accountId}/releases/r1`);
    expect(release.relationships.upgrade?.links.related).toBe(`/api/v1/accounts/${accountId}/releases/r1/upgrade`);
    expect(release.relationships.constraints?.links.related).toBe(`/api/v1/accounts/${accountId}/releases/r1/constraints`);
    expect(release.relationships.account?.links.related).toBe(`/api/v1/accounts/${accountId}`);
    const pkg = serializePackage({ id: "k1", accountId, productId: "p1" } as unknown as Package, { accountId, urls: base });
    expect(pkg.links.related).toBe(`/api/v1/accounts/${accountId}/packages/k1`);
  });

  it("an absolute URL from the builder is kept as it is", async () => {
    const cdn = createUrls({ links: { "artifacts.file": (p) => `https://cdn.example/${p.id}/${p.filename}` } });
    const ctx = await createEngineContext({ store, account: "demo", urls: cdn }, request("/x"));
    const tauri = JSON.parse((await resolveTauriUpdate(ctx, { package: "demo-app", query: new URLSearchParams(TAURI) })).body as string) as { url: string };
    expect(tauri.url).toMatch(/^https:\/\/cdn\.example\/[0-9a-f-]{36}\/DemoApp_1\.1\.0_amd64\.AppImage\.tar\.gz$/);
  });

  it("createEngineContext authenticates the caller, and refuses bad credentials and unknown accounts as the handler does", async () => {
    const lic = await createEngineContext({ store, account: "demo" }, request("/x", { authorization: "License DEMO-PRO-KEY" }));
    expect(lic.principal.kind).toBe("license");
    const anon = await createEngineContext({ store, account: "demo" }, request("/x"));
    expect(anon.principal.kind).toBe("anonymous");
    await expect(createEngineContext({ store, account: "demo" }, request("/x", { authorization: "License NOPE" }))).rejects.toMatchObject({ status: 401 });
    await expect(createEngineContext({ store, account: "nobody" }, request("/x"))).rejects.toMatchObject({ status: 404 });
    const res = toWebResponse(await resolveTauriUpdate(anon, { package: "demo-app", query: new URLSearchParams(TAURI) }), "HEAD");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-transform, no-store, max-age=0");
    expect(await res.text()).toBe("");
  });
});

