/**
 * Multipart uploads (issue 16 item 3, the storage side) on s3rver with small parts: the server
 * starts the upload and presigns each part's PUT; after an interruption a fresh storage (another
 * server process) presigns only the missing parts under the same upload id; completion assembles
 * the parts and confirmUpload checks the whole object's size and SHA-256 as for a single PUT.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmUpload } from "../../src/blobs/s3/confirm.js";
import { partSizes } from "../../src/blobs/s3/multipart.js";
import { partSizeFor } from "../../src/blobs/s3/multipart-uploads.js";
import { createS3BlobStorage, type S3BlobStorage } from "../../src/blobs/s3/storage.js";
import { loadDataset } from "../../src/dataset/load.js";
import type { Account } from "../../src/model/records.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { WritableStore } from "../../src/store/write.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { verifies } from "./sigv4.js";

let s3: S3Server;
let store: WritableStore;
let account: Account;
let releaseId: string;
const storage = (): S3BlobStorage => createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });

beforeAll(async () => {
  s3 = await startS3();
  const dataset = await loadDataset({ accounts: [{ slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef", products: [{ code: "app", name: "App" }], releases: [{ product: "app", version: "1.0.0" }] }] });
  store = createWritableMemoryStore(dataset);
  account = dataset.accounts[0] as Account;
  releaseId = (dataset.releases[0] as { id: string }).id;
});
afterAll(async () => {
  await s3?.stop();
});

async function putPart(url: string, bytes: Uint8Array): Promise<string> {
  const res = await fetch(url, { method: "PUT", body: bytes as BodyInit });
  expect(res.status).toBe(200);
  return res.headers.get("etag") as string;
}

describe("multipart uploads", () => {
  it("splits a size into parts of the part size, the last one shorter, and refuses more than 10000 parts", () => {
    expect(partSizes(10, 4)).toEqual([4, 4, 2]);
    expect(partSizes(8, 4)).toEqual([4, 4]);
    expect(partSizes(0, 4)).toEqual([0]);
    expect(() => partSizes(10_001, 1)).toThrow(RangeError);
  });

  it("grows the part size in whole MiB so no file needs more than 10000 parts", () => {
    const mib = 1024 * 1024;
    expect(partSizeFor(5 * 1024 * mib, 64 * mib)).toBe(64 * mib);
    expect(partSizeFor(5 * 1024 * 1024 * mib, 64 * mib)).toBe(525 * mib); // 5 TiB, S3's largest object
    expect(partSizes(5 * 1024 * 1024 * mib, 525 * mib).length).toBeLessThanOrEqual(10_000);
  });

  it("never takes a multipart object's composite checksum (<base64>-<parts>) for the file's SHA-256", async () => {
    const composite = `${createHash("sha256").update("x").digest("base64")}-3`;
    const s = createS3BlobStorage({
      endpoint: "http://127.0.0.1:1", region: "us-east-1", bucket: "artifacts", accessKeyId: "k", secretAccessKey: "s", forcePathStyle: true,
      fetch: async () => new Response(null, { status: 200, headers: { "content-length": "7", "x-amz-checksum-sha256": composite } }),
    });
    expect(await s.head("a/b")).toMatchObject({ size: 7, sha256: null });
  });

  it("uploads in parts, resumes the missing ones from another storage instance, completes, and confirms", async () => {
    const bytes = randomBytes(25_000);
    const artifact = await store.createArtifact(account.id, {
      releaseId, filename: "big.tar.gz", filetype: "tar.gz", filesize: bytes.length, platform: null, arch: null, signature: null,
      checksum: createHash("sha256").update(bytes).digest("hex"), metadata: {},
    }, new Date());
    const first = storage();
    const key = first.uploadKey(account, artifact) as string;
    const uploadId = await first.startMultipart(key);
    const sizes = partSizes(bytes.length, 10_000);
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    const slice = (n: number) => bytes.subarray((n - 1) * 10_000, (n - 1) * 10_000 + (sizes[n - 1] as number));

    const url1 = await first.presignPart(key, uploadId, 1, sizes[0] as number);
    expect(new URL(url1).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect(verifies({ method: "PUT", url: url1, headers: { "content-length": "10000" }, secretAccessKey: s3.secretAccessKey })).toBe(true);
    expect(verifies({ method: "PUT", url: url1.replace("partNumber=1", "partNumber=2"), headers: { "content-length": "10000" }, secretAccessKey: s3.secretAccessKey })).toBe(false);
    // The uploader's journal: the parts it finished before it was killed.
    const journal = [{ partNumber: 1, etag: await putPart(url1, slice(1)) }];

    // Resumed by another server process: only parts 2 and 3 are presigned and sent.
    const second = storage();
    for (const n of [2, 3]) journal.push({ partNumber: n, etag: await putPart(await second.presignPart(key, uploadId, n, sizes[n - 1] as number), slice(n)) });
    expect((await store.getArtifact(account.id, artifact.id))?.artifact.status).toBe("WAITING");
    await second.completeMultipart(key, uploadId, journal.reverse());
    const done = await confirmUpload(store, second, account, artifact.id);
    expect(done.status).toBe("UPLOADED");
    expect(done.filesize).toBe(bytes.length);
    const back = await second.open(key);
    expect(Buffer.from(await new Response(back).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("refuses to complete with a part missing, and fails when the server refuses (an unknown upload id)", async () => {
    const s = storage();
    const key = "multipart/missing.bin";
    const uploadId = await s.startMultipart(key);
    const etag = await putPart(await s.presignPart(key, uploadId, 1, 3), randomBytes(3));
    await expect(s.completeMultipart(key, uploadId, [{ partNumber: 1, etag }, { partNumber: 3, etag }])).rejects.toThrow(RangeError);
    // (s3rver does not compare part ETags at completion as S3 does, so an unknown upload id stands in for a refusal.)
    await expect(s.completeMultipart(key, "0".repeat(32), [{ partNumber: 1, etag }])).rejects.toThrow(/CompleteMultipartUpload/);
    expect(await s.head(key)).toBeNull();
    await expect(s.presignPart(key, uploadId, 0, 1)).rejects.toThrow(RangeError);
  });
});
