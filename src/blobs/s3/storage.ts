/**
 * @module blobs/s3/storage — artifact bytes in an S3-compatible bucket (S3, R2, MinIO): presigned
 * downloads and uploads, and signed HEAD/GET/DELETE requests from the server (aws4fetch, Web APIs only).
 */
import { AwsClient } from "aws4fetch";
import { declaredDigest } from "../../core/checksum.js";
import { ConflictError } from "../../core/errors.js";
import { blobStorageUnavailable as unavailable } from "./errors.js";
import { fromBase64, fromHex, toBase64, toHex } from "../../core/encoding.js";
import type { Account, Artifact } from "../../model/records.js";
import type { BlobStorage, PresignInput } from "../types.js";
import { artifactBlobKey, canonicalQuery, isSafeBlobKey, objectUrl, type S3Location } from "./keys.js";
import { abortMultipart, completeMultipart, listParts, presignPart, startMultipart, type MultipartTransport, type StoredPart, type UploadedPart } from "./multipart.js";
import { createMultipartBlobs } from "./multipart-uploads.js";
import { MAX_PRESIGN_SECONDS, presignObject, type S3Credentials } from "./presign.js";
import { putObject, type PutBytes } from "./put-object.js";

/** Options of {@link createS3BlobStorage}. */
export interface S3BlobStorageOptions {
  /** The service's URL: `https://s3.<region>.amazonaws.com`, `https://<account>.r2.cloudflarestorage.com`, `http://127.0.0.1:9000` (MinIO). */
  endpoint: string;
  /** The bucket's region (`auto` for R2, `us-east-1` for MinIO unless configured otherwise). */
  region: string;
  bucket: string;
  /** Prepended to every blob key, e.g. `releases/`; default none. */
  prefix?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary credential's session token, when there is one. */
  sessionToken?: string;
  /** Address objects as `endpoint/bucket/key` (MinIO, most self-hosted servers) instead of `bucket.endpoint/key`; default false. */
  forcePathStyle?: boolean;
  /** Seconds expiries are rounded up to, so repeated requests get the same URL (default 300). */
  bucketSeconds?: number;
  /** Seconds an upload URL stays valid (default 3600). */
  uploadTtl?: number;
  /**
   * Bind a declared SHA-256 checksum into upload URLs as `x-amz-checksum-sha256`, so S3 refuses other
   * bytes (default true); the uploader must then send that header ({@link s3UploadHeaders}).
   */
  bindChecksum?: boolean;
  /** Declared sizes above this many bytes upload in parts (default 5 GiB, S3's single-PUT limit). */
  multipartThreshold?: number;
  /** Bytes per part of a multipart upload, every part but the last (default 64 MiB; S3's least is 5 MiB). */
  partSize?: number;
  /** The fetch the server's own requests (HEAD, GET, DELETE) use; default the global one. */
  fetch?: typeof fetch;
}

/** What a HEAD request says about an object. */
export interface S3ObjectInfo {
  size: number;
  /** The object's SHA-256 as lower-case hex, when the service keeps one (uploaded with `x-amz-checksum-sha256`). */
  sha256: string | null;
  etag: string | null;
}

/** An S3-compatible {@link BlobStorage}, with the object requests completing an upload needs. */
export interface S3BlobStorage extends BlobStorage {
  presignUpload(input: PresignInput): Promise<string>;
  remove(account: Account, artifact: Artifact): Promise<void>;
  /** The blob key an artifact's upload goes to (relative to the prefix); null when its filename cannot be one. */
  uploadKey(account: Account, artifact: Artifact): string | null;
  /** HEAD an object by blob key; null when there is none. */
  head(blobKey: string): Promise<S3ObjectInfo | null>;
  /** GET an object's bytes by blob key; null when there is none. */
  open(blobKey: string): Promise<ReadableStream<Uint8Array> | null>;
  /** DELETE an object by blob key; a missing one is not an error. */
  delete(blobKey: string): Promise<void>;
  /** Start a multipart upload (for files over S3's 5 GiB single-PUT limit) of a blob key, parts checksummed with SHA-256 when asked; its upload id. */
  startMultipart(blobKey: string, sha256Parts?: boolean): Promise<string>;
  /** A presigned PUT of one part (1–10000) of a multipart upload, its size and (base64) SHA-256 bound when given. */
  presignPart(blobKey: string, uploadId: string, partNumber: number, size: number | null, now?: Date, checksumSha256?: string): Promise<string>;
  /** The parts S3 holds for a multipart upload (ListParts); null when there is no such upload. */
  listParts(blobKey: string, uploadId: string): Promise<StoredPart[] | null>;
  /** Assemble a multipart upload's parts (numbered 1…n, with the ETags S3 answered) into the object. */
  completeMultipart(blobKey: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Abandon a multipart upload and its parts. */
  abortMultipart(blobKey: string, uploadId: string): Promise<void>;
  /** The server's own PUT of whole bytes to a blob key (their SHA-256 bound); absent on storages that cannot. */
  putObject?(blobKey: string, bytes: Uint8Array): Promise<PutBytes>;
  /** Artifact-level multipart uploads: plan, presigned parts, part list, completion, abort. */
  multipart: NonNullable<BlobStorage["multipart"]>;
  /** A presigned PUT of exact bytes to a blob key (size and SHA-256 bound), and the headers the request must carry. */
  presignPut(blobKey: string, bytes: { size: number; sha256: string }, now?: Date): Promise<{ url: string; headers: Record<string, string> }>;
}

/** A safe `filename="…"` value for Content-Disposition (as the embedded storage writes it). */
function dispositionName(filename: string): string {
  const base = filename.split("/").pop() ?? "download";
  return base.replace(/[^A-Za-z0-9._+-]/g, "_");
}

/** The lower-case hex SHA-256 a declared checksum names, or null when it names another digest (or none). */
export function declaredSha256(checksum: string | null): string | null {
  const digest = checksum === null ? null : declaredDigest(checksum);
  return digest !== null && digest.name === "sha256" ? digest.hex : null;
}

/**
 * Headers a `PUT` to an S3 upload URL must carry besides the bytes (whose `Content-Length` the client
 * sends anyway): `x-amz-checksum-sha256` (base64) when the artifact declares a SHA-256 checksum.
 */
export function s3UploadHeaders(artifact: Artifact): Record<string, string> {
  const hex = declaredSha256(artifact.checksum);
  return hex === null ? {} : { "x-amz-checksum-sha256": toBase64(fromHex(hex) as Uint8Array) };
}

function location(options: S3BlobStorageOptions): S3Location {
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    throw new TypeError(`S3 endpoint is not a URL: ${options.endpoint}`);
  }
  if ((endpoint.protocol !== "https:" && endpoint.protocol !== "http:") || endpoint.search !== "" || endpoint.hash !== "" || endpoint.username !== "" || endpoint.password !== "") {
    throw new TypeError("S3 endpoint must be a plain http(s) URL with no credentials, query or fragment");
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket) || options.bucket.includes("..")) throw new TypeError(`not an S3 bucket name: ${options.bucket}`);
  const prefix = options.prefix ?? "";
  if (prefix !== "" && !isSafeBlobKey(prefix.replace(/\/$/, ""))) throw new TypeError(`S3 prefix must be plain key segments (no leading slash, '.' or '..'): ${prefix}`);
  return { endpoint, bucket: options.bucket, prefix, forcePathStyle: options.forcePathStyle ?? false };
}

/** Artifact bytes in an S3-compatible bucket: presigned, cache-friendly downloads and size- and checksum-bound uploads. */
export function createS3BlobStorage(options: S3BlobStorageOptions): S3BlobStorage {
  const where = location(options);
  if (options.region === "" || options.accessKeyId === "" || options.secretAccessKey === "") throw new TypeError("S3 region, accessKeyId and secretAccessKey are required");
  const credentials: S3Credentials = {
    region: options.region,
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}),
  };
  const client = new AwsClient({ ...credentials, service: "s3", retries: 2 });
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const bucketSeconds = Math.max(1, options.bucketSeconds ?? 300);
  const uploadTtl = Math.min(Math.max(60, options.uploadTtl ?? 3600), MAX_PRESIGN_SECONDS);
  const bindChecksum = options.bindChecksum ?? true;
  const objectKey = (blobKey: string) => `${where.prefix}${blobKey}`;

  /** A signed request on an object, sent with the configured fetch. */
  async function send(method: "HEAD" | "GET" | "PUT" | "DELETE" | "POST", blobKey: string, headers: Record<string, string> = {}, query: Record<string, string> = {}, body?: string): Promise<Response> {
    if (!isSafeBlobKey(blobKey)) throw new TypeError("unsafe blob key");
    const url = objectUrl(where, objectKey(blobKey));
    const search = canonicalQuery(new URLSearchParams(query));
    const signed = await client.sign(`${url.toString()}${search === "" ? "" : `?${search}`}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    try {
      return await doFetch(signed);
    } catch (error) {
      throw unavailable(`S3 ${method} failed: ${(error as Error).message}`, error);
    }
  }

  const transport: MultipartTransport = {
    send: (method, blobKey, init) => send(method, blobKey, init.headers, init.query, init.body),
    presignPut: (blobKey, query, headers, now) => {
      if (!isSafeBlobKey(blobKey)) throw new TypeError("unsafe blob key");
      return presignObject(where, credentials, { method: "PUT", objectKey: objectKey(blobKey), query, headers, ttl: uploadTtl, now, bucketSeconds });
    },
  };

  async function head(blobKey: string): Promise<S3ObjectInfo | null> {
    const res = await send("HEAD", blobKey, { "x-amz-checksum-mode": "ENABLED" });
    if (res.status === 404) return null;
    if (!res.ok) throw unavailable(`S3 HEAD answered ${res.status}`);
    const size = Number(res.headers.get("content-length") ?? "NaN");
    if (!Number.isSafeInteger(size) || size < 0) throw unavailable("S3 HEAD answered no Content-Length");
    const checksum = res.headers.get("x-amz-checksum-sha256");
    // A multipart object's is a checksum of its parts' checksums (`<base64>-<parts>`), not the file's SHA-256.
    const bytes = checksum === null || checksum.includes("-") ? null : fromBase64(checksum);
    return { size, sha256: bytes !== null && bytes.length === 32 ? toHex(bytes) : null, etag: res.headers.get("etag") };
  }

  async function open(blobKey: string): Promise<ReadableStream<Uint8Array> | null> {
    const res = await send("GET", blobKey);
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return null;
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => {});
      throw unavailable(`S3 GET answered ${res.status}`);
    }
    return res.body;
  }

  async function del(blobKey: string): Promise<void> {
    const res = await send("DELETE", blobKey);
    await res.body?.cancel().catch(() => {});
    if (!res.ok && res.status !== 404) throw unavailable(`S3 DELETE answered ${res.status}`);
  }

  const multipart = createMultipartBlobs({
    startMultipart: (blobKey, sha256Parts) => startMultipart(transport, blobKey, sha256Parts),
    presignPart: (blobKey, uploadId, n, size, now, checksum) => presignPart(transport, blobKey, uploadId, n, size, now, checksum),
    listParts: (blobKey, uploadId) => listParts(transport, blobKey, uploadId),
    completeMultipart: (blobKey, uploadId, parts) => completeMultipart(transport, blobKey, uploadId, parts),
    abortMultipart: (blobKey, uploadId) => abortMultipart(transport, blobKey, uploadId),
    async putSmall(blobKey, body) {
      const res = await send("PUT", blobKey, { "content-type": "application/json" }, {}, body);
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw unavailable(`S3 PUT answered ${res.status}`);
    },
    open: (blobKey) => open(blobKey),
    head: (blobKey) => head(blobKey),
    delete: (blobKey) => del(blobKey),
  }, {
    threshold: Math.max(0, options.multipartThreshold ?? 5 * 1024 * 1024 * 1024),
    partSize: Math.max(1, options.partSize ?? 64 * 1024 * 1024),
    sha256: bindChecksum,
  });

  return {
    async presign({ artifact, ttl, now }: PresignInput) {
      if (artifact.blob === null || !isSafeBlobKey(artifact.blob)) return null;
      return presignObject(where, credentials, {
        method: "GET",
        objectKey: objectKey(artifact.blob),
        query: { "response-content-disposition": `attachment; filename="${dispositionName(artifact.filename)}"` },
        ttl,
        now,
        bucketSeconds,
      });
    },

    async presignUpload({ account, artifact, now }: PresignInput) {
      const key = artifactBlobKey(account, artifact);
      if (key === null) {
        throw new ConflictError("The artifact's filename cannot be stored: it must be one plain file name (no '..', NUL, slash, backslash or colon)", { code: "FILENAME_INVALID", pointer: "/data/attributes/filename" });
      }
      const headers: Record<string, string> = {};
      if (artifact.filesize !== null) headers["content-length"] = String(artifact.filesize);
      if (bindChecksum) Object.assign(headers, s3UploadHeaders(artifact));
      return presignObject(where, credentials, { method: "PUT", objectKey: objectKey(key), headers, ttl: uploadTtl, now, bucketSeconds });
    },

    async remove(account: Account, artifact: Artifact) {
      const keys = new Set<string>();
      if (artifact.blob !== null && isSafeBlobKey(artifact.blob)) keys.add(artifact.blob);
      const upload = artifactBlobKey(account, artifact);
      if (upload !== null) keys.add(upload);
      // A multipart upload in progress: its parts and manifest go too.
      if (artifact.status !== "UPLOADED") await multipart.abort(account, artifact);
      for (const key of keys) await del(key);
    },

    uploadKey: artifactBlobKey,

    head,
    open,
    delete: del,
    putObject: (blobKey, bytes) => putObject({ sign: (url, init) => client.sign(url, { ...init, body: init.body as BodyInit }), fetch: doFetch, url: (key) => objectUrl(where, objectKey(key)) }, blobKey, bytes),
    multipart,
    startMultipart: (blobKey, sha256Parts = false) => startMultipart(transport, blobKey, sha256Parts),
    presignPart: (blobKey, uploadId, partNumber, size, now = new Date(), checksum) => presignPart(transport, blobKey, uploadId, partNumber, size, now, checksum),
    listParts: (blobKey, uploadId) => listParts(transport, blobKey, uploadId),
    completeMultipart: (blobKey, uploadId, parts) => completeMultipart(transport, blobKey, uploadId, parts),
    abortMultipart: (blobKey, uploadId) => abortMultipart(transport, blobKey, uploadId),
    async presignPut(blobKey: string, bytes: { size: number; sha256: string }, now: Date = new Date()) {
      if (!isSafeBlobKey(blobKey)) throw new TypeError("unsafe blob key");
      const raw = fromHex(bytes.sha256);
      if (raw === null || raw.length !== 32) throw new TypeError("sha256 must be 64 hex digits");
      const headers = { "content-length": String(bytes.size), "x-amz-checksum-sha256": toBase64(raw) };
      const url = await presignObject(where, credentials, { method: "PUT", objectKey: objectKey(blobKey), headers, ttl: uploadTtl, now, bucketSeconds });
      return { url, headers };
    },
  };
}
