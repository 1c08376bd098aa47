/**
 * Remembered npm packuments under writes: a caller who sees no drafts keeps its packument (and ETag)
 * while a draft is made and its tarball uploads, and sees the published version on the very next
 * request; the store is asked for no release or file again meanwhile; a tarball uploaded into a
 * published release shows at once (the packument lists only what the listed revision follows: UPLOADED
 * tarballs of published or yanked releases); an admin, who sees drafts,
 * sees the draft's tarball at once; and every answer is the one a handler that never remembered
 * anything gives (memory, or RE_TEST_STORE=sqlite|postgres).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import type { WritableStore } from "../../src/store/write.js";
import { NPM_SECRETS, npmDataset } from "../e2e/npm-helpers.js";
import { makeWritableStore } from "../helpers/store.js";

const ORIGIN = "http://registry.test";
const ACCOUNT = `${ORIGIN}/v1/accounts/acme`;
const PACKUMENT = `${ACCOUNT}/engines/npm/@acme/sdk`;
const ABBREVIATED = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
const CALLERS = {
  licenseToken: `Bearer ${NPM_SECRETS.proToken}`,
  licenseKey: `Basic ${Buffer.from(`license:${NPM_SECRETS.proKey}`).toString("base64")}`,
  admin: `Bearer ${NPM_SECRETS.admin}`,
};
type Caller = keyof typeof CALLERS;
type Answer = { status: number; etag: string | null; body: string };

const made = (() => {
  const dir = mkdtempSync(join(tmpdir(), "re-npm-answers-"));
  return { dir, ...npmDataset(dir) };
})();

async function npmWorld(wrap: (store: WritableStore) => WritableStore = (s) => s) {
  let clock = Date.parse("2026-04-01T12:00:00.000Z");
  const now = () => new Date(clock);
  const { dataset } = await loadDatasetFile(made.file);
  const store = await makeWritableStore(dataset);
  const accountId = (dataset.accounts[0] as { id: string }).id;
  const blobs = createFileBlobStorage({ root: made.dir });
  const handler = createFetchHandler({ store: wrap(store), blobs, now });
  const request = (caller: Caller, accept: string, etag?: string) =>
    new Request(PACKUMENT, { headers: { authorization: CALLERS[caller], accept, ...(etag === undefined ? {} : { "if-none-match": etag }) } });
  const answer = async (res: Response): Promise<Answer> => ({ status: res.status, etag: res.headers.get("etag"), body: await res.text() });
  /** The packument as a caller — and from a handler that remembers nothing, which must agree. */
  const get = async (caller: Caller, etag?: string, accept = ABBREVIATED) => {
    const got = await answer(await handler(request(caller, accept, etag)));
    const truth = await answer(await createFetchHandler({ store, blobs, now })(request(caller, accept, etag)));
    expect(got, `${caller} ${accept}`).toEqual(truth);
    return got;
  };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await handler(new Request(`${ACCOUNT}${path}`, { method, headers: { authorization: CALLERS.admin, accept: "application/vnd.api+json", "content-type": "application/vnd.api+json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(400);
    return res.status === 204 ? null : ((await res.json()) as { data: { id: string } }).data;
  };
  const pkg = await store.getPackage(accountId, "@acme/sdk");
  if (pkg === null) throw new Error("no @acme/sdk");
  const release = async (version: string, status?: "PUBLISHED") =>
    (await admin("POST", "/releases", { data: { type: "releases", attributes: { version, channel: "stable", ...(status === undefined ? {} : { status }) }, relationships: { product: { data: { type: "products", id: pkg.productId } }, package: { data: { type: "packages", id: pkg.id } } } } }))!.id;
  /** A WAITING tarball artifact of a release. */
  const tarball = async (releaseId: string, version: string) =>
    (await admin("POST", "/artifacts", { data: { type: "artifacts", attributes: { filename: `sdk-${version}.tgz`, filetype: "tgz" }, relationships: { release: { data: { type: "releases", id: releaseId } } } } }))!.id;
  const upload = async (artifactId: string) => {
    clock += 1000;
    await store.completeArtifact(accountId, artifactId, { filesize: 3, sha256: "e".repeat(64), blob: `${artifactId}.tgz` }, now());
  };
  /** A draft 3.0.0 of @acme/sdk with a tarball artifact, WAITING, then UPLOADED. */
  const draftWithTarball = async () => {
    const draft = await release("3.0.0");
    await upload(await tarball(draft, "3.0.0"));
    return draft;
  };
  const revision = () => store.getPackageRevision(accountId, pkg.id);
  return { get, admin, release, tarball, upload, draftWithTarball, revision, tick: () => void (clock += 1000) };
}

const versions = (a: Answer) => Object.keys((JSON.parse(a.body) as { versions: Record<string, unknown> }).versions);

describe("remembered npm packuments under writes", () => {
  it.each(["licenseToken", "licenseKey"] as const)("%s: a draft and its tarball's upload leave the packument and ETag as they were; the publish shows on the very next request", async (caller) => {
    const { get, admin, draftWithTarball, revision, tick } = await npmWorld();
    const before = await get(caller);
    const full = await get(caller, undefined, "application/json");
    expect(before.status).toBe(200);
    expect(versions(before)).not.toContain("3.0.0");
    const revisionBefore = await revision();
    tick();
    const draft = await draftWithTarball();
    // The full revision moved with each write; the caller's packument did not.
    expect(await revision()).not.toBe(revisionBefore);
    expect(await get(caller, before.etag!)).toMatchObject({ status: 304, etag: before.etag });
    expect(await get(caller)).toEqual(before);
    expect(await get(caller, undefined, "application/json")).toEqual(full);
    tick();
    await admin("POST", `/releases/${draft}/actions/publish`);
    const after = await get(caller, before.etag!);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(versions(after)).toContain("3.0.0");
    expect(versions(await get(caller, undefined, "application/json"))).toContain("3.0.0");
  });

  it("the remembered packument is what answers after a draft and its upload: the store is asked for no release or file again", async () => {
    const asked: string[] = [];
    const { get, admin, draftWithTarball } = await npmWorld((store) =>
      new Proxy(store, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (typeof name === "string" && /^(listPackageArtifacts|listReleaseArtifacts|listReleases|findRelease|getReleaseByVersion)/.test(name)) asked.push(name);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
    );
    expect((await get("licenseToken")).status).toBe(200);
    expect(asked.length).toBeGreaterThan(0);
    const draft = await draftWithTarball();
    asked.length = 0;
    expect((await get("licenseToken")).status).toBe(200);
    expect(asked).toEqual([]);
    await admin("POST", `/releases/${draft}/actions/publish`);
    asked.length = 0;
    expect(versions(await get("licenseToken"))).toContain("3.0.0");
    expect(asked.length).toBeGreaterThan(0);
  });

  it("a tarball uploaded into a published release shows on the very next request; while it waits for its bytes the packument stays as it was", async () => {
    const { get, release, tarball, upload, tick } = await npmWorld();
    const published = await release("3.1.0", "PUBLISHED");
    const before = await get("licenseToken");
    expect(versions(before)).not.toContain("3.1.0");
    tick();
    const file = await tarball(published, "3.1.0");
    expect(await get("licenseToken", before.etag!)).toMatchObject({ status: 304, etag: before.etag });
    await upload(file);
    const after = await get("licenseToken", before.etag!);
    expect(after.status).toBe(200);
    expect(versions(after)).toContain("3.1.0");
  });

  it("an admin, who sees drafts, is answered from the full revision: a draft's uploaded tarball is in its packument at once", async () => {
    const { get, draftWithTarball } = await npmWorld();
    const before = await get("admin");
    expect(versions(before)).not.toContain("3.0.0");
    await draftWithTarball();
    const after = await get("admin", before.etag!);
    expect(after.status).toBe(200);
    expect(versions(after)).toContain("3.0.0");
    expect(versions(await get("licenseToken"))).not.toContain("3.0.0");
  });
});
