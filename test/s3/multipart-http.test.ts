/**
 * Multipart uploads through the API (issue 16 item 3) on s3rver with small parts: POST /artifacts over
 * the threshold answers the plan in `meta.multipart`; POST /artifacts/{id}/upload/parts presigns part
 * PUTs bound (SigV4, checked by the independent verifier) to part number, upload id, length and
 * SHA-256; GET …/upload/parts lists what is stored; confirm completes the upload and checks the whole
 * file; delete and a failed confirmation abort it. Writers only; hidden is missing; bad input is a 400/422.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3BlobStorage, type S3BlobStorage } from "../../src/blobs/s3/storage.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Account, Artifact } from "../../src/model/records.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { WritableStore } from "../../src/store/write.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { verifies } from "./sigv4.js";

const ADMIN = `Bearer admin-${"9".repeat(64)}v3`;
const OTHER = `Bearer prod-${"c".repeat(64)}v3`;
const PART = 64 * 1024;
let s3: S3Server;
let blobs: S3BlobStorage;
let store: WritableStore;
let account: Account;
let handler: (r: Request) => Promise<Response>;
let plain: (r: Request) => Promise<Response>;
let releaseId: string;

beforeAll(async () => {
  s3 = await startS3();
  const dataset = await loadDataset({
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef",
      products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }, { code: "other", name: "Other", distributionStrategy: "OPEN" }],
      releases: [{ product: "app", version: "1.0.0", status: "PUBLISHED" }],
      users: [{ email: "root@acme.test", role: "admin" }],
      tokens: [{ bearer: { type: "user", id: "root@acme.test" }, token: ADMIN.slice(7) }, { bearer: { type: "product", id: "other" }, token: OTHER.slice(7) }],
    }],
  });
  account = dataset.accounts[0] as Account;
  releaseId = (dataset.releases[0] as { id: string }).id;
  blobs = createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true, multipartThreshold: 100_000, partSize: PART });
  store = createWritableMemoryStore(dataset);
  handler = createFetchHandler({ store, blobs });
  plain = createFetchHandler({ store });
});
afterAll(async () => {
  await s3?.stop();
});

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const api = (p: string, init: RequestInit = {}, h = handler) => h(new Request(`http://api/v1/accounts/acme${p}`, init));
const json = (authorization: string, body: unknown): RequestInit => ({ method: "POST", headers: { authorization, "content-type": "application/vnd.api+json" }, body: JSON.stringify(body) });
const slice = (bytes: Uint8Array, n: number) => bytes.subarray((n - 1) * PART, n * PART);

interface PartDoc { id: string; attributes: { number: number; size: number; checksum: string | null }; links: { upload: string }; meta: { headers: Record<string, string> } }

async function create(bytes: Uint8Array, filename: string): Promise<{ id: string; res: Response; doc: { meta?: { multipart: { filesize: number; partSize: number; partCount: number } } } }> {
  const res = await api("/artifacts", json(ADMIN, { data: { type: "artifacts", attributes: { filename, filesize: bytes.length, checksum: sha256(bytes) }, relationships: { release: { data: { type: "releases", id: releaseId } } } } }));
  const doc = (await res.clone().json()) as { data: { id: string }; meta?: { multipart: { filesize: number; partSize: number; partCount: number } } };
  return { id: doc.data.id, res, doc };
}

async function presign(id: string, bytes: Uint8Array, numbers: number[]): Promise<PartDoc[]> {
  const res = await api(`/artifacts/${id}/upload/parts`, json(ADMIN, { data: numbers.map((n) => ({ type: "parts", attributes: { number: n, checksum: sha256(slice(bytes, n)) } })) }));
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { data: PartDoc[] }).data;
}

const put = (part: PartDoc, body: Uint8Array) => fetch(part.links.upload, { method: "PUT", body: body as BodyInit, headers: part.meta.headers });
const stored = async (id: string) => ((await (await api(`/artifacts/${id}/upload/parts`, { headers: { authorization: ADMIN } })).json()) as { data: PartDoc[] }).data;
const statusOf = async (id: string) => (await store.getArtifact(account.id, id))?.artifact.status;
const confirm = (id: string) => api(`/artifacts/${id}/actions/confirm`, { method: "POST", headers: { authorization: ADMIN } });
const uploadsFolder = () => path.join(s3.directory, s3.bucket, "._S3rver_uploads");
const openUploads = () => (fs.existsSync(uploadsFolder()) ? fs.readdirSync(uploadsFolder()) : []);

describe("multipart uploads through the API", () => {
  it("create → presign → PUT some parts → list → confirm refuses (incomplete) → the rest → confirm: UPLOADED, the bucket holds the bytes", async () => {
    const bytes = randomBytes(4 * PART - 5000);
    const { id, res, doc } = await create(bytes, "big-1.0.0.tar.gz");
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBeNull();
    expect(doc.meta?.multipart).toEqual({ filesize: bytes.length, partSize: PART, partCount: 4 });
    expect(await stored(id)).toEqual([]);

    const [p1, p2] = await presign(id, bytes, [1, 2]) as [PartDoc, PartDoc];
    expect(p1.attributes).toEqual({ number: 1, size: PART, checksum: sha256(slice(bytes, 1)) });
    const u = new URL(p1.links.upload);
    expect(u.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host;x-amz-checksum-sha256");
    const headers = { "content-length": String(PART), "x-amz-checksum-sha256": p1.meta.headers["x-amz-checksum-sha256"] as string };
    expect(headers["x-amz-checksum-sha256"]).toBe(createHash("sha256").update(slice(bytes, 1)).digest("base64"));
    const check = (url: string, h = headers) => verifies({ method: "PUT", url, headers: h, secretAccessKey: s3.secretAccessKey });
    expect(check(p1.links.upload)).toBe(true);
    // The signature binds the part number, the upload id, the length and the checksum.
    expect(check(p1.links.upload.replace("partNumber=1", "partNumber=3"))).toBe(false);
    expect(check(p1.links.upload.replace(/uploadId=([0-9a-f])/, (_m, c: string) => `uploadId=${c === "0" ? "1" : "0"}`))).toBe(false);
    expect(check(p1.links.upload, { ...headers, "content-length": String(PART - 1) })).toBe(false);
    expect(check(p1.links.upload, { ...headers, "x-amz-checksum-sha256": createHash("sha256").update("other").digest("base64") })).toBe(false);

    expect((await put(p1, slice(bytes, 1))).status).toBe(200);
    expect((await put(p2, slice(bytes, 2))).status).toBe(200);
    expect((await stored(id)).map((p) => [p.attributes.number, p.attributes.size, p.attributes.checksum])).toEqual([[1, PART, sha256(slice(bytes, 1))], [2, PART, sha256(slice(bytes, 2))]]);

    const early = await confirm(id);
    expect(early.status).toBe(422);
    expect(((await early.json()) as { errors: Array<{ code: string; detail: string }> }).errors[0]).toMatchObject({ code: "UPLOAD_INCOMPLETE", detail: expect.stringContaining("Parts 3, 4 of 4") });
    expect(await statusOf(id)).toBe("WAITING");

    for (const part of await presign(id, bytes, [4, 3])) expect((await put(part, slice(bytes, part.attributes.number))).status).toBe(200);
    const done = await confirm(id);
    expect(done.status, await done.clone().text()).toBe(200);
    expect(((await done.json()) as { data: { attributes: { status: string; filesize: number } } }).data.attributes).toMatchObject({ status: "UPLOADED", filesize: bytes.length });
    const artifact = (await store.getArtifact(account.id, id))?.artifact as Artifact;
    const back = await blobs.open(artifact.blob as string);
    expect(Buffer.from(await new Response(back).arrayBuffer()).equals(bytes)).toBe(true);
    expect(await blobs.head(`${(artifact.blob as string).replace(/\/[^/]+$/, "")}/:multipart`)).toBeNull();
    // The download 303s to the bucket and lands on the same bytes.
    const download = await api(`/artifacts/${id}`);
    expect(download.status).toBe(303);
    expect(Buffer.from(await (await fetch(download.headers.get("location") as string)).arrayBuffer()).equals(bytes)).toBe(true);
    // Done: no more parts.
    expect((await api(`/artifacts/${id}/upload/parts`, { headers: { authorization: ADMIN } })).status).toBe(422);
  });

  it("a declared size at or under the threshold still gets one presigned PUT", async () => {
    const { res } = await create(randomBytes(100), "small-1.0.0.tar.gz");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toContain("X-Amz-Signature=");
  });

  it("an expired part URL is refused by the S3 server", async () => {
    const bytes = randomBytes(2 * PART);
    const { id } = await create(bytes, "expired-1.0.0.tar.gz");
    const artifact = (await store.getArtifact(account.id, id))?.artifact as Artifact;
    const [old] = await blobs.multipart.presignParts(account, artifact, [{ number: 1, sha256: sha256(slice(bytes, 1)) }], new Date(Date.now() - 3 * 3600_000));
    const res = await fetch(old?.url as string, { method: "PUT", body: slice(bytes, 1) as BodyInit, headers: old?.headers });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/expired/i);
    expect(await stored(id)).toEqual([]);
  });

  it("bytes other than the signed checksums fail the confirmation: FAILED, and neither the object nor the upload is left", async () => {
    const bytes = randomBytes(2 * PART);
    const { id } = await create(bytes, "tampered-1.0.0.tar.gz");
    const before = openUploads().length;
    const parts = await presign(id, bytes, [1, 2]);
    // s3rver does not check x-amz-checksum-sha256 (S3 answers BadDigest); the whole-file check at confirmation still does.
    expect((await put(parts[0] as PartDoc, randomBytes(PART))).status).toBe(200);
    expect((await put(parts[1] as PartDoc, slice(bytes, 2))).status).toBe(200);
    const res = await confirm(id);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("CHECKSUM_MISMATCH");
    expect(await statusOf(id)).toBe("FAILED");
    const artifact = (await store.getArtifact(account.id, id))?.artifact as Artifact;
    expect(await blobs.head(blobs.uploadKey(account, artifact) as string)).toBeNull();
    expect(openUploads().length).toBe(before - 1);
  });

  it("deleting a WAITING multipart artifact aborts its upload", async () => {
    const bytes = randomBytes(2 * PART);
    const before = openUploads().length;
    const { id } = await create(bytes, "deleted-1.0.0.tar.gz");
    expect(openUploads().length).toBe(before + 1);
    const [p1] = await presign(id, bytes, [1]);
    expect((await put(p1 as PartDoc, slice(bytes, 1))).status).toBe(200);
    expect((await api(`/artifacts/${id}`, { method: "DELETE", headers: { authorization: ADMIN } })).status).toBe(204);
    expect(openUploads().length).toBe(before);
  });

  it("writers only, and a hidden artifact answers as a missing one", async () => {
    const { id } = await create(randomBytes(2 * PART), "perm-1.0.0.tar.gz");
    const missing = "00000000-0000-4000-8000-000000000000";
    const body = { data: [{ type: "parts", attributes: { number: 1, checksum: "0".repeat(64) } }] };
    expect((await api(`/artifacts/${id}/upload/parts`)).status).toBe(401);
    expect((await api(`/artifacts/${id}/upload/parts`, json("", body))).status).toBe(401);
    for (const init of [{ headers: { authorization: OTHER } }, json(OTHER, body)]) {
      const hidden = await api(`/artifacts/${id}/upload/parts`, init);
      const absent = await api(`/artifacts/${missing}/upload/parts`, init);
      expect(hidden.status).toBe(404);
      expect(absent.status).toBe(404);
      // The same error but for the id asked (meta.id is the request's id).
      const errors = async (r: Response) => JSON.stringify(((await r.json()) as { errors: unknown }).errors);
      expect((await errors(hidden)).replace(id, missing)).toBe(await errors(absent));
    }
    expect((await api(`/artifacts/${missing}/upload/parts`, { headers: { authorization: ADMIN } })).status).toBe(404);
  });

  it("bad input is a JSON:API error with its source, never a 500", async () => {
    const bytes = randomBytes(2 * PART);
    const { id } = await create(bytes, "bad-1.0.0.tar.gz");
    const part = (number: unknown, checksum: unknown = sha256(slice(bytes, 1))) => ({ type: "parts", attributes: { number, checksum } });
    const cases: Array<[unknown, number, string]> = [
      [{ data: [part(0)] }, 400, "/data/0/attributes/number"],
      [{ data: [part(3)] }, 400, "/data/0/attributes/number"],
      [{ data: [part(1), part(1)] }, 400, "/data/1/attributes/number"],
      [{ data: [part(1.5)] }, 400, "/data/0/attributes/number"],
      [{ data: [part(1, "abc")] }, 400, "/data/0/attributes/checksum"],
      [{ data: [part(1, 7)] }, 400, "/data/0/attributes/checksum"],
      [{ data: [{ ...part(1), attributes: { number: 1, checksum: "0".repeat(64), extra: 1 } }] }, 400, "/data/0/attributes"],
      [{ data: [] }, 400, "/data"],
      [{ data: Array.from({ length: 101 }, () => part(1)) }, 400, "/data"],
      [{ data: part(1) }, 400, "/data"],
    ];
    for (const [doc, status, pointer] of cases) {
      const res = await api(`/artifacts/${id}/upload/parts`, json(ADMIN, doc));
      const text = await res.text();
      expect(res.status, `${JSON.stringify(doc).slice(0, 80)} → ${text}`).toBe(status);
      expect((JSON.parse(text) as { errors: Array<{ source: { pointer: string } }> }).errors[0]?.source.pointer.startsWith(pointer), text).toBe(true);
    }
    const notJson = await api(`/artifacts/${id}/upload/parts`, { method: "POST", headers: { authorization: ADMIN, "content-type": "application/vnd.api+json" }, body: "{" });
    expect(notJson.status).toBe(400);
    // A single-PUT artifact, and a storage with no multipart side.
    const small = await create(randomBytes(10), "one-put-1.0.0.tar.gz");
    const single = await api(`/artifacts/${small.id}/upload/parts`, { headers: { authorization: ADMIN } });
    expect(single.status).toBe(422);
    expect(((await single.json()) as { errors: Array<{ code: string; source: unknown }> }).errors[0]).toMatchObject({ code: "MULTIPART_NOT_STARTED", source: { pointer: "/data/attributes/filesize" } });
    const none = await api(`/artifacts/${id}/upload/parts`, { headers: { authorization: ADMIN } }, plain);
    expect(none.status).toBe(422);
    expect(((await none.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("MULTIPART_UNSUPPORTED");
  });
});
