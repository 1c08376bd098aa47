/**
 * S3 blob storage against a real S3-compatible server (s3rver on loopback, issue 16 items 1–2): bytes
 * PUT to presignUpload's URL, confirmed by HEAD (UPLOADED, or FAILED with the reason), downloaded
 * through the handler's 303 to presign's URL, removed by DELETE; s3rver refuses expired URLs.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmUpload } from "../../src/blobs/s3/confirm.js";
import { createS3BlobStorage, s3UploadHeaders, type S3BlobStorage } from "../../src/blobs/s3/storage.js";
import { createSignedBlobStorage } from "../../src/blobs/signed.js";
import { isSdkError } from "../../src/core/errors.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Account, Artifact } from "../../src/model/records.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { NewArtifact, WritableStore } from "../../src/store/write.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { verifies } from "./sigv4.js";

let s3: S3Server;
let blobs: S3BlobStorage;
let store: WritableStore;
let account: Account;
let releaseId: string;

beforeAll(async () => {
  s3 = await startS3();
  blobs = createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, prefix: "re/", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  const dataset = await loadDataset({
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef",
      products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }],
      releases: [{ product: "app", version: "1.0.0", status: "PUBLISHED" }],
    }],
  });
  store = createWritableMemoryStore(dataset);
  account = dataset.accounts[0] as Account;
  releaseId = (dataset.releases[0] as { id: string }).id;
});
afterAll(async () => {
  await s3?.stop();
});

let n = 0;
async function waiting(bytes: Uint8Array, over: Partial<NewArtifact> = {}): Promise<Artifact> {
  n += 1;
  return store.createArtifact(account.id, {
    releaseId, filename: `app-${n}.tar.gz`, filetype: "tar.gz", filesize: bytes.length, platform: null, arch: null, signature: null,
    checksum: createHash("sha256").update(bytes).digest("hex"), metadata: {}, ...over,
  }, new Date());
}

/** PUT bytes to an artifact's presigned upload URL as an uploader would: the bytes and the headers the URL binds. */
async function put(artifact: Artifact, bytes: Uint8Array, headers = s3UploadHeaders(artifact)): Promise<Response> {
  const url = await blobs.presignUpload({ account, artifact, ttl: 0, now: new Date(), origin: "http://api" });
  return fetch(url, { method: "PUT", body: bytes as BodyInit, headers });
}

async function statusOf(id: string): Promise<Artifact> {
  return (await store.getArtifact(account.id, id))?.artifact as Artifact;
}

async function confirmError(id: string): Promise<{ status: number; code: string | undefined; pointer: string | undefined }> {
  try {
    await confirmUpload(store, blobs, account, id);
  } catch (error) {
    if (isSdkError(error)) return { status: error.status, code: error.code, pointer: error.source?.pointer };
    throw error;
  }
  throw new Error("confirmUpload did not refuse");
}

describe("upload, confirm and download through S3", () => {
  it("end to end: PUT to the upload URL, confirm by HEAD (UPLOADED, size and sha256 kept), 303 to S3, the same bytes", async () => {
    const bytes = randomBytes(70_000);
    const artifact = await waiting(bytes);
    const res = await put(artifact, bytes);
    expect(res.status).toBe(200);
    // Not listed to customers before the confirmation: WAITING is not downloadable.
    expect((await statusOf(artifact.id)).status).toBe("WAITING");
    const done = await confirmUpload(store, blobs, account, artifact.id);
    expect(done.status).toBe("UPLOADED");
    expect(done.filesize).toBe(bytes.length);
    expect(done.blob).toBe(`artifacts/${account.id}/${releaseId}/${artifact.id}/${artifact.filename}`);
    expect(await blobs.head(done.blob as string)).toMatchObject({ size: bytes.length });

    const handler = createFetchHandler({ store, blobs });
    const redirect = await handler(new Request(`http://api/v1/accounts/acme/artifacts/${artifact.id}`));
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get("location") as string;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/re/artifacts/${account.id}/`)).toBe(true);
    const again = await handler(new Request(`http://api/v1/accounts/acme/artifacts/${artifact.id}`));
    expect(again.headers.get("location")).toBe(location); // cacheable: the same URL within the bucket

    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="${artifact.filename}"`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("keeps the SHA-256 it computed when none was declared, and confirming twice is harmless", async () => {
    const bytes = randomBytes(1000);
    const artifact = await waiting(bytes, { checksum: null });
    expect(new URL(await blobs.presignUpload({ account, artifact, ttl: 0, now: new Date(), origin: "" })).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect((await put(artifact, bytes)).status).toBe(200);
    const done = await confirmUpload(store, blobs, account, artifact.id);
    expect(done.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect((await confirmUpload(store, blobs, account, artifact.id)).updated).toBe(done.updated);
  });

  it("marks the artifact FAILED with the reason and deletes the bytes when their size is not the declared one", async () => {
    const artifact = await waiting(randomBytes(100));
    // s3rver does not check signatures (S3 would refuse this PUT: content-length is signed), so the bytes land.
    expect((await put(artifact, randomBytes(99), {})).status).toBe(200);
    expect(await confirmError(artifact.id)).toEqual({ status: 422, code: "FILESIZE_MISMATCH", pointer: "/data/attributes/filesize" });
    const failed = await statusOf(artifact.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.metadata.failureReason).toBe("The upload has 99 bytes but the declared filesize is 100");
    expect(await blobs.head(blobs.uploadKey(account, artifact) as string)).toBeNull();
  });

  it("marks it FAILED on bytes of the right size that do not match the declared checksum", async () => {
    const artifact = await waiting(randomBytes(100));
    expect((await put(artifact, randomBytes(100), {})).status).toBe(200);
    expect(await confirmError(artifact.id)).toEqual({ status: 422, code: "CHECKSUM_MISMATCH", pointer: "/data/attributes/checksum" });
    expect((await statusOf(artifact.id)).status).toBe("FAILED");
    expect(await blobs.head(blobs.uploadKey(account, artifact) as string)).toBeNull();
  });

  it("checks a declared SHA-512 (which S3 cannot bind) by streaming the object: the right bytes complete, others fail", async () => {
    const bytes = randomBytes(5000);
    const good = await waiting(bytes, { checksum: createHash("sha512").update(bytes).digest("base64") });
    expect(new URL(await blobs.presignUpload({ account, artifact: good, ttl: 0, now: new Date(), origin: "" })).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect((await put(good, bytes)).status).toBe(200);
    const done = await confirmUpload(store, blobs, account, good.id);
    expect(done.status).toBe("UPLOADED");
    const bad = await waiting(bytes, { checksum: createHash("sha512").update(bytes).digest("hex") });
    expect((await put(bad, randomBytes(5000))).status).toBe(200);
    expect((await confirmError(bad.id)).code).toBe("CHECKSUM_MISMATCH");
    expect((await statusOf(bad.id)).status).toBe("FAILED");
  });

  it("marks it FAILED when the declared checksum is no SHA-256 or SHA-512 (nothing could check it)", async () => {
    const bytes = randomBytes(10);
    const artifact = await waiting(bytes, { checksum: createHash("md5").update(bytes).digest("hex") });
    expect((await put(artifact, bytes)).status).toBe(200);
    expect(await confirmError(artifact.id)).toEqual({ status: 422, code: "CHECKSUM_INVALID", pointer: "/data/attributes/checksum" });
    expect((await statusOf(artifact.id)).status).toBe("FAILED");
  });

  it("marks it FAILED when nothing was uploaded, and a later upload and confirmation still complete it", async () => {
    const bytes = randomBytes(10);
    const artifact = await waiting(bytes);
    expect((await confirmError(artifact.id)).code).toBe("UPLOAD_MISSING");
    expect((await statusOf(artifact.id)).metadata.failureReason).toBe("No bytes were uploaded to the artifact's upload URL");
    expect((await put(artifact, bytes)).status).toBe(200);
    expect((await confirmUpload(store, blobs, account, artifact.id)).status).toBe("UPLOADED");
  });

  it("answers 404 for an artifact of no such id, and refuses to confirm on a storage that takes its own uploads", async () => {
    expect((await confirmError("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const artifact = await waiting(randomBytes(5));
    const embedded = createSignedBlobStorage({ open: async () => null });
    await expect(confirmUpload(store, embedded, account, artifact.id)).rejects.toMatchObject({ status: 422, code: "CONFIRM_UNSUPPORTED" });
    expect((await statusOf(artifact.id)).status).toBe("WAITING");
  });

  it("answers 503 BLOB_STORAGE_UNAVAILABLE (the artifact left WAITING) when the bucket refuses the key or cannot be reached", async () => {
    const artifact = await waiting(randomBytes(5));
    const wrongKey = createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: "NOT-A-KEY", secretAccessKey: "x", forcePathStyle: true });
    const unreachable = createS3BlobStorage({ endpoint: "http://127.0.0.1:1", region: "us-east-1", bucket: s3.bucket, accessKeyId: "k", secretAccessKey: "s", forcePathStyle: true });
    for (const storage of [wrongKey, unreachable]) {
      const error = await confirmUpload(store, storage, account, artifact.id).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ status: 503, code: "BLOB_STORAGE_UNAVAILABLE" });
      expect(String((error as Error).message)).not.toContain("NOT-A-KEY");
      expect((await statusOf(artifact.id)).status).toBe("WAITING");
    }
  });

  it("remove deletes the object (and a missing one is not an error)", async () => {
    const bytes = randomBytes(10);
    const artifact = await waiting(bytes);
    await put(artifact, bytes);
    const done = await confirmUpload(store, blobs, account, artifact.id);
    await blobs.remove(account, done);
    expect(await blobs.head(done.blob as string)).toBeNull();
    await blobs.remove(account, done);
  });
});

describe("the S3 server refuses what it should", () => {
  it("an expired download URL: 403 from s3rver", async () => {
    const bytes = randomBytes(10);
    const artifact = await waiting(bytes);
    await put(artifact, bytes);
    const done = await confirmUpload(store, blobs, account, artifact.id);
    const fresh = await blobs.presign({ account, artifact: done, ttl: 60, now: new Date(), origin: "" });
    expect((await fetch(fresh as string)).status).toBe(200);
    const stale = await blobs.presign({ account, artifact: done, ttl: 60, now: new Date(Date.now() - 3_600_000), origin: "" });
    const res = await fetch(stale as string);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Request has expired");
  });

  it("an expired upload URL: 403, and nothing is stored", async () => {
    const artifact = await waiting(randomBytes(10));
    const stale = await blobs.presignUpload({ account, artifact, ttl: 0, now: new Date(Date.now() - 86_400_000), origin: "" });
    const res = await fetch(stale, { method: "PUT", body: randomBytes(10) as BodyInit, headers: s3UploadHeaders(artifact) });
    expect(res.status).toBe(403);
    expect(await blobs.head(blobs.uploadKey(account, artifact) as string)).toBeNull();
  });

  it("the URLs s3rver served carry signatures AWS's algorithm accepts (s3rver itself does not check them)", async () => {
    const bytes = randomBytes(10);
    const artifact = await waiting(bytes);
    const upload = await blobs.presignUpload({ account, artifact, ttl: 0, now: new Date(), origin: "" });
    const headers = { "content-length": "10", ...s3UploadHeaders(artifact) };
    expect(verifies({ method: "PUT", url: upload, headers, secretAccessKey: s3.secretAccessKey })).toBe(true);
    expect((await fetch(upload, { method: "PUT", body: bytes as BodyInit, headers: s3UploadHeaders(artifact) })).status).toBe(200);
    const done = await confirmUpload(store, blobs, account, artifact.id);
    const url = (await blobs.presign({ account, artifact: done, ttl: 60, now: new Date(), origin: "" })) as string;
    expect(verifies({ method: "GET", url, secretAccessKey: s3.secretAccessKey })).toBe(true);
    expect(verifies({ method: "GET", url: url.replace(artifact.filename, `x${artifact.filename}`), secretAccessKey: s3.secretAccessKey })).toBe(false);
    expect((await fetch(url)).status).toBe(200);
  });
});
