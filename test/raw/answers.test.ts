/**
 * Remembered raw redirects: a raw link that names a package answers its 303 from a memo kept per
 * (revisions, scopes, origin, link), and every change that can alter the answer is seen on the very
 * next request on the same handler — a publish, a yank, a draft and its upload (which a caller who
 * sees no drafts must not see), a license expiring to the millisecond, a token revoked, a key
 * suspended; every answer is the one a handler that never remembered anything gives.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { WritableStore } from "../../src/store/write.js";
import { conformanceDatasetFile, IDS, TOKENS, UUID_SHAPED_KEY } from "../../src/testing/fixture.js";
import { makeWritableStore } from "../helpers/store.js";
import { countingStore, credentialChangingStore, type CredentialChanges } from "../helpers/store-spies.js";
import { CALLERS, makeWorld, NOW, type Caller } from "../http/publish-world.js";

const APP_LATEST = "/engines/raw/app/@acme-app/latest/app.AppImage";
const PRO_FILE = "/engines/raw/cli/@acme-tools/2.0.0/acme_tools-2.0.0-py3-none-any.whl";
const EXPIRY = "2026-06-01T00:00:00.000Z";
const EXP_LICENSE = "00000000-0000-4000-8000-000000009301";
const EXP_TOKEN = `exp-${"e".repeat(64)}v3`;

/** The publishing world, with a check that asks as a caller and as a handler that remembers nothing, which must agree. */
async function rawWorld() {
  let clock = NOW.getTime();
  const now = () => new Date(clock);
  const w = await makeWorld({ now });
  const check = async (caller: Caller, path: string) => {
    const res = await w.call("GET", path, caller);
    const got = { status: res.status, location: res.headers.get("location") };
    const auth = CALLERS[caller];
    const fresh = createFetchHandler({ store: w.store, blobs: w.blobs, now });
    const truthRes = await fresh(new Request(`http://localhost:8080/v1/accounts/acme${path}`, { headers: auth === null ? {} : { authorization: auth }, redirect: "manual" }));
    expect(got, `${caller} ${path}`).toEqual({ status: truthRes.status, location: truthRes.headers.get("location") });
    return got;
  };
  const admin = async (method: string, route: string, body?: unknown) => {
    const res = await w.call(method, route, "admin", body);
    expect(res.status, `${method} ${route}: ${await res.clone().text()}`).toBeLessThan(400);
    return res.status === 204 ? null : ((await res.json()) as { data: { id: string } }).data;
  };
  return { w, check, admin, now, tick: () => void (clock += 1000) };
}

const fileOf = (id: string, name = "app.AppImage") => `http://localhost:8080/v1/accounts/${IDS.account}/artifacts/${id}/${name}`;

describe("remembered raw redirects under writes", () => {
  it.each(["licenseKey", "anonymous"] as const)("%s: a draft and its upload leave `latest` as it was; the publish moves it on the very next request, the yank moves it back", async (caller) => {
    const { w, check, admin, now, tick } = await rawWorld();
    const before = await check(caller, APP_LATEST);
    expect(before).toEqual({ status: 303, location: fileOf(IDS.artTauri120Linux) });
    expect(await check(caller, APP_LATEST)).toEqual(before);
    tick();
    const draft = await admin("POST", "/releases", { data: { type: "releases", attributes: { version: "1.4.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productOpen } }, package: { data: { type: "packages", id: IDS.pkgTauri } } } } });
    const file = await admin("POST", "/artifacts", { data: { type: "artifacts", attributes: { filename: "app.AppImage", filetype: "appimage", platform: "linux", arch: "x86_64" }, relationships: { release: { data: { type: "releases", id: draft!.id } } } } });
    await w.store.completeArtifact(IDS.account, file!.id, { filesize: 3, sha256: "e".repeat(64), blob: `${file!.id}.bin` }, now());
    expect(await check(caller, APP_LATEST)).toEqual(before);
    tick();
    await admin("POST", `/releases/${draft!.id}/actions/publish`);
    expect(await check(caller, APP_LATEST)).toEqual({ status: 303, location: fileOf(file!.id) });
    tick();
    await admin("POST", `/releases/${draft!.id}/actions/yank`);
    expect(await check(caller, APP_LATEST)).toEqual(before);
  });

  it("a package's key changed: its old link is a 404 on the very next request, its new one redirects", async () => {
    const { check, admin } = await rawWorld();
    expect((await check("licenseKey", APP_LATEST)).status).toBe(303);
    await admin("PATCH", `/packages/${IDS.pkgTauri}`, { data: { type: "packages", id: IDS.pkgTauri, attributes: { key: "acme-app-2" } } });
    expect((await check("licenseKey", APP_LATEST)).status).toBe(404);
    expect(await check("licenseKey", APP_LATEST.replace("@acme-app/", "@acme-app-2/"))).toEqual({ status: 303, location: fileOf(IDS.artTauri120Linux) });
  });

  it("each origin and each query gets its own redirect", async () => {
    const { w } = await rawWorld();
    const at = async (url: string) => (await w.call("GET", url, "licenseKey")).headers.get("location");
    for (let i = 0; i < 2; i++) {
      expect(await at(`http://a.test/v1/accounts/acme${APP_LATEST}`)).toBe(`http://a.test/v1/accounts/${IDS.account}/artifacts/${IDS.artTauri120Linux}/app.AppImage`);
      expect(await at(`http://b.test/v1/accounts/acme${APP_LATEST}`)).toBe(`http://b.test/v1/accounts/${IDS.account}/artifacts/${IDS.artTauri120Linux}/app.AppImage`);
      expect(await at(`http://a.test/v1/accounts/acme${APP_LATEST}?auth=x`)).toBe(`http://a.test/v1/accounts/${IDS.account}/artifacts/${IDS.artTauri120Linux}/app.AppImage?auth=x`);
    }
  });

  it("a remembered redirect asks the store for no release or file; a link without a package is worked out every time", async () => {
    const { w } = await rawWorld();
    const asked: string[] = [];
    const counted = countingStore(w.store, /^findRawArtifact$/, asked);
    const handler = createFetchHandler({ store: counted, now: () => NOW });
    const ask = async (path: string) => (await handler(new Request(`http://localhost/v1/accounts/acme${path}`, { headers: { authorization: CALLERS.licenseKey }, redirect: "manual" }))).status;
    expect(await ask(APP_LATEST)).toBe(303);
    expect(asked).toEqual(["findRawArtifact"]);
    expect(await ask(APP_LATEST)).toBe(303);
    expect(asked).toEqual(["findRawArtifact"]);
    // A miss is never remembered.
    expect(await ask("/engines/raw/app/@acme-app/latest/none.bin")).toBe(404);
    expect(await ask("/engines/raw/app/@acme-app/latest/none.bin")).toBe(404);
    expect(asked).toHaveLength(3);
    expect(await ask("/engines/raw/cli/latest/tool_linux_amd64")).toBe(303);
    expect(await ask("/engines/raw/cli/latest/tool_linux_amd64")).toBe(303);
    expect(asked).toHaveLength(5);
  });
});

describe("remembered raw redirects under credential changes", () => {
  let handler: (request: Request) => Promise<Response>;
  let clock: Date;
  let changes: CredentialChanges<WritableStore>;

  beforeEach(async () => {
    clock = new Date("2026-05-01T00:00:00Z");
    const file = conformanceDatasetFile();
    const acme = file.accounts[0] as unknown as Record<string, unknown[]>;
    acme.policies?.push({ id: "00000000-0000-4000-8000-000000009201", product: "cli", name: "Revoking", authenticationStrategy: "MIXED", expirationStrategy: "REVOKE_ACCESS" });
    acme.licenses?.push({ id: EXP_LICENSE, policy: "00000000-0000-4000-8000-000000009201", key: "EXP-KEY", entitlements: ["PRO"], expiry: EXPIRY });
    acme.tokens?.push({ bearer: { type: "license", id: EXP_LICENSE }, token: EXP_TOKEN });
    const inner: WritableStore = await makeWritableStore(await loadDataset(file));
    changes = credentialChangingStore(inner);
    handler = createFetchHandler({ store: changes.store, now: () => clock });
  });

  const ask = (authorization: string, path = PRO_FILE) => handler(new Request(`http://localhost/v1/accounts/acme${path}`, { headers: { authorization }, redirect: "manual" }));
  const code = async (res: Response) => ((JSON.parse(await res.text()) as { errors: { code?: string }[] }).errors[0] as { code?: string }).code;
  async function expectRedirect(authorization: string, path = PRO_FILE): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const res = await ask(authorization, path);
      expect(res.status, authorization).toBe(303);
      expect(res.headers.get("location")).toContain(`/artifacts/${IDS.artWhl200}/`);
    }
  }

  it("a license expiring: redirected at its expiry instant, refused one millisecond later, by key and by token", async () => {
    clock = new Date(EXPIRY);
    await expectRedirect("License EXP-KEY");
    await expectRedirect(`Bearer ${EXP_TOKEN}`);
    clock = new Date(Date.parse(EXPIRY) + 1);
    const byKey = await ask("License EXP-KEY");
    expect(byKey.status).toBe(403);
    expect(await code(byKey)).toBe("LICENSE_EXPIRED");
    expect([403, 404]).toContain((await ask(`Bearer ${EXP_TOKEN}`)).status);
  });

  it("a token revoked: the next request with it is 401", async () => {
    const path = "/engines/raw/cli/@acme-tools/1.1.0/acme_tools-1.1.0-py3-none-any.whl";
    for (let i = 0; i < 2; i++) expect((await ask(`Bearer ${TOKENS.license}`, path)).status).toBe(303);
    changes.revoke(IDS.licenseA);
    const res = await ask(`Bearer ${TOKENS.license}`, path);
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("TOKEN_INVALID");
  });

  it("a key suspended: the next request with it is 403", async () => {
    await expectRedirect("License PRO-KEY");
    changes.suspend("PRO-KEY");
    const res = await ask("License PRO-KEY");
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("LICENSE_SUSPENDED");
  });

  it("two callers with different entitlements never share a redirect", async () => {
    await expectRedirect("License PRO-KEY");
    // A license without PRO does not find the release that needs it.
    expect((await ask(`License ${UUID_SHAPED_KEY}`)).status).toBe(404);
    await expectRedirect("License PRO-KEY");
  });
});
