/**
 * Remembered Tauri answers under writes: a caller who sees no drafts keeps its answer (and ETag)
 * while a draft is made and its files upload, gets the published release on the very next check,
 * and a 204's reason follows a file that is only waiting for its bytes; every answer is the one a
 * handler that never remembered anything gives.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { countingStore } from "../helpers/store-spies.js";
import { CALLERS, IDS, makeWorld, NOW, type Caller } from "../http/publish-world.js";

const LINUX = "platform=linux&arch=x86_64&version=1.0.0";
const DARWIN = "platform=darwin&arch=aarch64&version=1.2.0";

async function tauriWorld() {
  let clock = NOW.getTime();
  const now = () => new Date(clock);
  const w = await makeWorld({ now });
  const path = (query: string) => `/engines/tauri/acme-app?${query}`;
  /** A check as a caller, its status, ETag, reason and body — and the same check on a handler that remembers nothing, which must agree. */
  const check = async (caller: Caller, query: string, etag?: string) => {
    const headers: Record<string, string> = { accept: "application/json", ...(etag === undefined ? {} : { "if-none-match": etag }) };
    const res = await w.call("GET", path(query), caller, undefined, headers);
    const got = { status: res.status, etag: res.headers.get("etag"), reason: res.headers.get("release-engines-reason"), body: await res.text() };
    const auth = CALLERS[caller];
    const fresh = createFetchHandler({ store: w.store, blobs: w.blobs, now });
    const truthRes = await fresh(new Request(`http://localhost:8080/v1/accounts/acme${path(query)}`, { headers: { ...headers, ...(auth === null ? {} : { authorization: auth }) } }));
    const truth = { status: truthRes.status, etag: truthRes.headers.get("etag"), reason: truthRes.headers.get("release-engines-reason"), body: await truthRes.text() };
    expect(got, `${caller} ${query}`).toEqual(truth);
    return got;
  };
  const admin = async (method: string, route: string, body?: unknown) => {
    const res = await w.call(method, route, "admin", body);
    expect(res.status, `${method} ${route}: ${await res.clone().text()}`).toBeLessThan(400);
    return res.status === 204 ? null : ((await res.json()) as { data: { id: string } }).data;
  };
  const artifact = (release: string, filename: string, platform: string, arch: string) =>
    admin("POST", "/artifacts", { data: { type: "artifacts", attributes: { filename, filetype: filename.endsWith(".tar.gz") ? "tar.gz" : "appimage", platform, arch, signature: `sig-${filename}` }, relationships: { release: { data: { type: "releases", id: release } } } } });
  return { w, check, admin, artifact, now, tick: () => { clock += 1000; } };
}

describe("remembered Tauri answers under writes", () => {
  it.each(["licenseKey", "anonymous"] as const)("%s: a draft and its upload leave the answer and ETag as they were; the publish is offered on the very next check", async (caller) => {
    const { w, check, admin, artifact, now, tick } = await tauriWorld();
    const before = await check(caller, LINUX);
    expect(before.status).toBe(200);
    expect(JSON.parse(before.body)).toMatchObject({ version: "1.2.0" });
    const revision = await w.store.getPackageRevision(IDS.account, IDS.pkgTauri);
    tick();
    const draft = await admin("POST", "/releases", { data: { type: "releases", attributes: { version: "1.4.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productOpen } }, package: { data: { type: "packages", id: IDS.pkgTauri } } } } });
    const file = await artifact(draft!.id, "app-1.4.0.AppImage", "linux", "x86_64");
    await w.store.completeArtifact(IDS.account, file!.id, { filesize: 3, sha256: "e".repeat(64), blob: `${file!.id}.bin` }, now());
    // The full revision moved with each write; the caller's answer did not.
    expect(await w.store.getPackageRevision(IDS.account, IDS.pkgTauri)).not.toBe(revision);
    expect(await check(caller, LINUX, before.etag!)).toMatchObject({ status: 304, etag: before.etag });
    expect(await check(caller, LINUX)).toEqual(before);
    tick();
    await admin("POST", `/releases/${draft!.id}/actions/publish`);
    const after = await check(caller, LINUX, before.etag!);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(JSON.parse(after.body)).toMatchObject({ version: "1.4.0", signature: "sig-app-1.4.0.AppImage" });
  });

  it("the remembered answer is what answers after a draft and its upload: the store is asked for no release or file again", async () => {
    const { w, admin, artifact, now } = await tauriWorld();
    const asked: string[] = [];
    const counted = countingStore(w.store, /^(getReleaseByVersion|listReleaseArtifacts|listReleases|findRelease)/, asked);
    const handler = createFetchHandler({ store: counted, blobs: w.blobs, now });
    const ask = () => handler(new Request(`http://localhost:8080/v1/accounts/acme/engines/tauri/acme-app?${LINUX}`, { headers: { authorization: CALLERS.licenseKey, accept: "application/json" } }));
    expect((await ask()).status).toBe(200);
    expect(asked.length).toBeGreaterThan(0);
    const draft = await admin("POST", "/releases", { data: { type: "releases", attributes: { version: "1.4.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productOpen } }, package: { data: { type: "packages", id: IDS.pkgTauri } } } } });
    const file = await artifact(draft!.id, "app-1.4.0.AppImage", "linux", "x86_64");
    await w.store.completeArtifact(IDS.account, file!.id, { filesize: 3, sha256: "e".repeat(64), blob: `${file!.id}.bin` }, now());
    asked.length = 0;
    expect((await ask()).status).toBe(200);
    expect(asked).toEqual([]);
    await admin("POST", `/releases/${draft!.id}/actions/publish`);
    expect(JSON.parse(await (await ask()).text())).toMatchObject({ version: "1.4.0" });
    expect(asked.length).toBeGreaterThan(0);
  });

  it("a 204's reason follows a file that waits for its bytes in a published release, though the listed revision does not move", async () => {
    const { w, check, admin, artifact, now, tick } = await tauriWorld();
    expect(await check("licenseKey", DARWIN)).toMatchObject({ status: 204, reason: "up-to-date" });
    tick();
    const release = await admin("POST", "/releases", { data: { type: "releases", attributes: { version: "1.5.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productOpen } }, package: { data: { type: "packages", id: IDS.pkgTauri } } } } });
    await admin("POST", `/releases/${release!.id}/actions/publish`);
    expect(await check("licenseKey", DARWIN)).toMatchObject({ status: 204, reason: "no-signed-artifact-for-platform" });
    const listed = await w.store.getPackageRevision(IDS.account, IDS.pkgTauri, "listed");
    tick();
    const file = await artifact(release!.id, "app-1.5.0.app.tar.gz", "darwin", "aarch64");
    expect(await w.store.getPackageRevision(IDS.account, IDS.pkgTauri, "listed")).toBe(listed);
    expect(await check("licenseKey", DARWIN)).toMatchObject({ status: 204, reason: "no-uploaded-artifact-for-platform" });
    // Remembered now, and still right on a second ask.
    expect(await check("licenseKey", DARWIN)).toMatchObject({ status: 204, reason: "no-uploaded-artifact-for-platform" });
    tick();
    await w.store.completeArtifact(IDS.account, file!.id, { filesize: 3, sha256: "f".repeat(64), blob: `${file!.id}.bin` }, now());
    const offered = await check("licenseKey", DARWIN);
    expect(offered.status).toBe(200);
    expect(JSON.parse(offered.body)).toMatchObject({ version: "1.5.0", signature: "sig-app-1.5.0.app.tar.gz" });
    await admin("DELETE", `/artifacts/${file!.id}`);
    expect(await check("licenseKey", DARWIN)).toMatchObject({ status: 204, reason: "no-signed-artifact-for-platform" });
  });

  it("an admin, who sees drafts, is answered from the full revision: a draft's version is known to it on the very next check", async () => {
    const { check, admin } = await tauriWorld();
    const asDraft = "platform=darwin&arch=aarch64&version=1.6.0";
    expect(await check("admin", asDraft)).toMatchObject({ status: 204, reason: "unknown-current-version" });
    expect(await check("licenseKey", asDraft)).toMatchObject({ status: 204, reason: "unknown-current-version" });
    await admin("POST", "/releases", { data: { type: "releases", attributes: { version: "1.6.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productOpen } }, package: { data: { type: "packages", id: IDS.pkgTauri } } } } });
    expect(await check("admin", asDraft)).toMatchObject({ status: 204, reason: "up-to-date" });
    expect(await check("licenseKey", asDraft)).toMatchObject({ status: 204, reason: "unknown-current-version" });
  });
});
