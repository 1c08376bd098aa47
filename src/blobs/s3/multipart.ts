/**
 * @module blobs/s3/multipart — uploads larger than S3's 5 GiB single-PUT limit: the server starts a
 * multipart upload, presigns one PUT per part (each part's size bound), and completes it from the
 * parts' ETags. An interrupted upload resumes by presigning only the parts still missing under the
 * same upload id (the uploader keeps the ETags of the parts it finished).
 */

import { blobStorageUnavailable as unavailable } from "./errors.js";

/** A part an uploader finished: its number (1–10000) and the ETag S3 answered. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** What the multipart helpers need from a storage: signed requests and presigning on blob keys. */
export interface MultipartTransport {
  send(method: "POST" | "DELETE", blobKey: string, init: { query: Record<string, string>; body?: string; headers?: Record<string, string> }): Promise<Response>;
  presignPut(blobKey: string, query: Record<string, string>, headers: Record<string, string>, now: Date): Promise<string>;
}

/** S3's largest part count and smallest part size (every part but the last). */
export const MAX_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Sizes of the parts a file of `size` bytes splits into with `partSize` (the last one shorter). */
export function partSizes(size: number, partSize: number): number[] {
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(partSize) || partSize < 1) throw new RangeError("sizes must be whole numbers");
  const count = Math.max(1, Math.ceil(size / partSize));
  if (count > MAX_PARTS) throw new RangeError(`a ${size}-byte file needs more than ${MAX_PARTS} parts of ${partSize} bytes`);
  return Array.from({ length: count }, (_, i) => Math.min(partSize, size - i * partSize));
}

/** Start a multipart upload of a blob key; its upload id. */
export async function startMultipart(t: MultipartTransport, blobKey: string): Promise<string> {
  const res = await t.send("POST", blobKey, { query: { uploads: "" } });
  const text = await res.text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
  if (!res.ok || id === undefined) throw unavailable(`S3 CreateMultipartUpload answered ${res.status}`);
  return id;
}

/** A presigned PUT of one part, its size bound as `content-length` when given. */
export async function presignPart(t: MultipartTransport, blobKey: string, uploadId: string, partNumber: number, size: number | null, now: Date): Promise<string> {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) throw new RangeError(`part numbers run from 1 to ${MAX_PARTS}`);
  return t.presignPut(blobKey, { partNumber: String(partNumber), uploadId }, size === null ? {} : { "content-length": String(size) }, now);
}

/** Assemble the parts into the object (S3 can answer 200 with an error inside: that is a failure too). */
export async function completeMultipart(t: MultipartTransport, blobKey: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  if (sorted.length === 0 || sorted.some((p, i) => p.partNumber !== i + 1)) throw new RangeError("parts must be numbered 1, 2, … with none missing");
  const body = `<CompleteMultipartUpload>${sorted.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
  const res = await t.send("POST", blobKey, { query: { uploadId }, body, headers: { "content-type": "application/xml" } });
  const text = await res.text();
  if (!res.ok || /<Error>/.test(text)) throw unavailable(`S3 CompleteMultipartUpload answered ${res.status}: ${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "no code"}`);
}

/** Abandon a multipart upload (its parts are deleted); an unknown one is not an error. */
export async function abortMultipart(t: MultipartTransport, blobKey: string, uploadId: string): Promise<void> {
  const res = await t.send("DELETE", blobKey, { query: { uploadId } });
  await res.body?.cancel().catch(() => {});
  if (!res.ok && res.status !== 404) throw unavailable(`S3 AbortMultipartUpload answered ${res.status}`);
}
