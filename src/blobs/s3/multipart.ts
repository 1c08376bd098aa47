/**
 * @module blobs/s3/multipart — uploads larger than S3's 5 GiB single-PUT limit: the server starts a
 * multipart upload, presigns one PUT per part (each part's size bound), and completes it from the
 * parts' ETags. An interrupted upload resumes by presigning only the parts still missing under the
 * same upload id; ListParts says which parts S3 holds. With a part's SHA-256 given, the upload is
 * started with `x-amz-checksum-algorithm: SHA256` and the part's checksum is signed into its URL.
 */

import { ConflictError } from "../../core/errors.js";
import { blobStorageUnavailable as unavailable } from "./errors.js";

/** A part an uploader finished: its number (1–10000), the ETag S3 answered and (checksummed uploads) its SHA-256 as base64. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  checksumSha256?: string;
}

/** A part S3 holds for a multipart upload (ListParts). */
export interface StoredPart extends UploadedPart {
  size: number;
}

/** What the multipart helpers need from a storage: signed requests and presigning on blob keys. */
export interface MultipartTransport {
  send(method: "GET" | "PUT" | "POST" | "DELETE", blobKey: string, init: { query: Record<string, string>; body?: string; headers?: Record<string, string> }): Promise<Response>;
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

/** Start a multipart upload of a blob key (parts checksummed with SHA-256 when asked); its upload id. */
export async function startMultipart(t: MultipartTransport, blobKey: string, sha256Parts = false): Promise<string> {
  const res = await t.send("POST", blobKey, { query: { uploads: "" }, ...(sha256Parts ? { headers: { "x-amz-checksum-algorithm": "SHA256" } } : {}) });
  const text = await res.text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
  if (!res.ok || id === undefined) throw unavailable(`S3 CreateMultipartUpload answered ${res.status}`);
  return id;
}

/**
 * A presigned PUT of one part, its size bound as `content-length` when given and its SHA-256 (base64)
 * as `x-amz-checksum-sha256` when given (the uploader sends that header; S3 refuses other bytes).
 */
export async function presignPart(t: MultipartTransport, blobKey: string, uploadId: string, partNumber: number, size: number | null, now: Date, checksumSha256?: string): Promise<string> {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) throw new RangeError(`part numbers run from 1 to ${MAX_PARTS}`);
  const headers: Record<string, string> = {};
  if (size !== null) headers["content-length"] = String(size);
  if (checksumSha256 !== undefined) headers["x-amz-checksum-sha256"] = checksumSha256;
  return t.presignPut(blobKey, { partNumber: String(partNumber), uploadId }, headers, now);
}

function xmlText(block: string, tag: string): string | undefined {
  const raw = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block)?.[1];
  return raw?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The parts S3 holds for an upload (ListParts, every page); null when there is no such upload. */
export async function listParts(t: MultipartTransport, blobKey: string, uploadId: string): Promise<StoredPart[] | null> {
  const parts: StoredPart[] = [];
  let marker = "0";
  for (let page = 0; page < MAX_PARTS; page++) {
    const res = await t.send("GET", blobKey, { query: { uploadId, "part-number-marker": marker, "max-parts": "1000" } });
    const text = await res.text();
    if (res.status === 404) return null;
    if (!res.ok || /<Error>/.test(text)) throw unavailable(`S3 ListParts answered ${res.status}: ${xmlText(text, "Code") ?? "no code"}`);
    for (const block of text.split("<Part>").slice(1)) {
      const partNumber = Number(xmlText(block, "PartNumber"));
      const size = Number(xmlText(block, "Size"));
      const etag = xmlText(block, "ETag");
      if (!Number.isInteger(partNumber) || !Number.isSafeInteger(size) || etag === undefined) throw unavailable("S3 ListParts answered a part without PartNumber, Size or ETag");
      const checksumSha256 = xmlText(block, "ChecksumSHA256");
      parts.push({ partNumber, size, etag, ...(checksumSha256 !== undefined ? { checksumSha256 } : {}) });
    }
    if (xmlText(text, "IsTruncated") !== "true") return parts;
    const next = xmlText(text, "NextPartNumberMarker");
    if (next === undefined || next === marker) return parts;
    marker = next;
  }
  return parts;
}

/** Assemble the parts into the object (S3 can answer 200 with an error inside: that is a failure too). */
export async function completeMultipart(t: MultipartTransport, blobKey: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  if (sorted.length === 0 || sorted.some((p, i) => p.partNumber !== i + 1)) throw new RangeError("parts must be numbered 1, 2, … with none missing");
  const body = `<CompleteMultipartUpload>${sorted.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag>${p.checksumSha256 !== undefined ? `<ChecksumSHA256>${xmlEscape(p.checksumSha256)}</ChecksumSHA256>` : ""}</Part>`).join("")}</CompleteMultipartUpload>`;
  const res = await t.send("POST", blobKey, { query: { uploadId }, body, headers: { "content-type": "application/xml" } });
  const text = await res.text();
  if (res.ok && !/<Error>/.test(text)) return;
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "no code";
  // The parts themselves are wrong (too small, an ETag or checksum that does not match): the uploader's fault, not the bucket's.
  if (res.status === 400 && /^(InvalidPart|InvalidPartOrder|EntityTooSmall|BadDigest|InvalidRequest)$/.test(code)) {
    throw new ConflictError(`The storage refused to assemble the parts (${code})`, { code: "MULTIPART_REFUSED" });
  }
  throw unavailable(`S3 CompleteMultipartUpload answered ${res.status}: ${code}`);
}

/** Abandon a multipart upload (its parts are deleted); an unknown one is not an error. */
export async function abortMultipart(t: MultipartTransport, blobKey: string, uploadId: string): Promise<void> {
  const res = await t.send("DELETE", blobKey, { query: { uploadId } });
  await res.body?.cancel().catch(() => {});
  if (!res.ok && res.status !== 404) throw unavailable(`S3 AbortMultipartUpload answered ${res.status}`);
}
