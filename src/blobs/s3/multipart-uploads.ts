/**
 * @module blobs/s3/multipart-uploads — an artifact's multipart upload kept in the bucket itself: the
 * upload id and plan in a small manifest object beside the artifact's key (`…/{artifact}/:multipart`,
 * a name no filename can have), so any server process can presign parts, list them (ListParts) for a
 * resuming uploader, complete the upload from S3's own part list, or abort it.
 */
import { ConflictError } from "../../core/errors.js";
import { fromBase64, fromHex, toBase64, toHex } from "../../core/encoding.js";
import type { Account, Artifact } from "../../model/records.js";
import type { MultipartBlobs, MultipartPart, MultipartPlan, PresignedPart } from "../types.js";
import { blobStorageUnavailable as unavailable } from "./errors.js";
import { artifactBlobKey } from "./keys.js";
import { MAX_PARTS, partSizes, type StoredPart, type UploadedPart } from "./multipart.js";

/** What the manifest holds. */
interface Manifest extends MultipartPlan {
  uploadId: string;
  /** Parts carry `x-amz-checksum-sha256` (the upload was started with that algorithm). */
  sha256: boolean;
}

/** The object requests an artifact's multipart upload needs (an S3 storage's, on blob keys). */
export interface MultipartBackend {
  startMultipart(blobKey: string, sha256Parts: boolean): Promise<string>;
  presignPart(blobKey: string, uploadId: string, partNumber: number, size: number, now: Date, checksumSha256?: string): Promise<string>;
  listParts(blobKey: string, uploadId: string): Promise<StoredPart[] | null>;
  completeMultipart(blobKey: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  abortMultipart(blobKey: string, uploadId: string): Promise<void>;
  putSmall(blobKey: string, body: string): Promise<void>;
  open(blobKey: string): Promise<ReadableStream<Uint8Array> | null>;
  head(blobKey: string): Promise<{ size: number } | null>;
  delete(blobKey: string): Promise<void>;
}

/** How parts are sized. */
export interface MultipartSizing {
  /** Declared sizes above this upload in parts (S3's single PUT takes at most 5 GiB). */
  threshold: number;
  /** Bytes per part (every part but the last); S3 wants at least 5 MiB; grown so no file needs more than 10000 parts. */
  partSize: number;
  /** Bind each part's SHA-256 into its URL. */
  sha256: boolean;
}

const MIB = 1024 * 1024;
const MAX_MANIFEST_BYTES = 4096;

/** The part size a file of `filesize` bytes uploads with: the configured one, grown (in whole MiB) to fit 10000 parts. */
export function partSizeFor(filesize: number, partSize: number): number {
  const least = Math.ceil(filesize / MAX_PARTS);
  return least <= partSize ? partSize : Math.ceil(least / MIB) * MIB;
}

const filenameInvalid = () =>
  new ConflictError("The artifact's filename cannot be stored: it must be one plain file name (no '..', NUL, slash, backslash or colon)", { code: "FILENAME_INVALID", pointer: "/data/attributes/filename" });

/** The artifact's object key and its manifest's key; null when the filename cannot be a key. */
function keysOf(account: Account, artifact: Artifact): { object: string; manifest: string } | null {
  const object = artifactBlobKey(account, artifact);
  if (object === null) return null;
  return { object, manifest: `${object.slice(0, object.lastIndexOf("/"))}/:multipart` };
}

function parseManifest(text: string): Manifest | null {
  try {
    const m = JSON.parse(text) as Partial<Manifest>;
    const whole = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
    if (typeof m.uploadId !== "string" || m.uploadId === "" || !whole(m.filesize) || !whole(m.partSize) || m.partSize < 1 || !whole(m.partCount) || typeof m.sha256 !== "boolean") return null;
    return { uploadId: m.uploadId, filesize: m.filesize, partSize: m.partSize, partCount: m.partCount, sha256: m.sha256 };
  } catch {
    return null;
  }
}

/** The multipart side of an S3 storage, by artifact. */
export function createMultipartBlobs(backend: MultipartBackend, sizing: MultipartSizing): MultipartBlobs {
  async function manifestOf(account: Account, artifact: Artifact): Promise<{ keys: { object: string; manifest: string }; manifest: Manifest } | null> {
    const keys = keysOf(account, artifact);
    if (keys === null) return null;
    const body = await backend.open(keys.manifest);
    if (body === null) return null;
    const text = await new Response(body).text();
    const manifest = text.length <= MAX_MANIFEST_BYTES ? parseManifest(text) : null;
    if (manifest === null) throw unavailable("the multipart upload's manifest in the bucket is unreadable");
    return { keys, manifest };
  }

  const sha256Of = (p: StoredPart): string | null => {
    const bytes = p.checksumSha256 === undefined ? null : fromBase64(p.checksumSha256);
    return bytes !== null && bytes.length === 32 ? toHex(bytes) : null;
  };

  return {
    threshold: sizing.threshold,

    async start(account, artifact) {
      const keys = keysOf(account, artifact);
      if (keys === null) throw filenameInvalid();
      const filesize = artifact.filesize ?? 0;
      const partSize = partSizeFor(filesize, sizing.partSize);
      const partCount = partSizes(filesize, partSize).length;
      const uploadId = await backend.startMultipart(keys.object, sizing.sha256);
      const manifest: Manifest = { uploadId, filesize, partSize, partCount, sha256: sizing.sha256 };
      try {
        await backend.putSmall(keys.manifest, JSON.stringify(manifest));
      } catch (error) {
        await backend.abortMultipart(keys.object, uploadId).catch(() => {});
        throw error;
      }
      return { filesize, partSize, partCount };
    },

    async plan(account, artifact) {
      const found = await manifestOf(account, artifact);
      if (found === null) return null;
      const { filesize, partSize, partCount } = found.manifest;
      return { filesize, partSize, partCount };
    },

    async presignParts(account, artifact, parts, now) {
      const found = await manifestOf(account, artifact);
      if (found === null) throw new RangeError("the artifact has no multipart upload");
      const { keys, manifest } = found;
      const sizes = partSizes(manifest.filesize, manifest.partSize);
      const out: PresignedPart[] = [];
      for (const part of parts) {
        const size = sizes[part.number - 1];
        const raw = fromHex(part.sha256);
        if (size === undefined || raw === null || raw.length !== 32) throw new RangeError("a part number outside the plan, or a SHA-256 that is not 64 hex digits");
        const checksum = manifest.sha256 ? toBase64(raw) : undefined;
        const url = await backend.presignPart(keys.object, manifest.uploadId, part.number, size, now, checksum);
        out.push({ number: part.number, size, sha256: part.sha256.toLowerCase(), url, headers: checksum !== undefined ? { "x-amz-checksum-sha256": checksum } : {} });
      }
      return out;
    },

    async listParts(account, artifact) {
      const found = await manifestOf(account, artifact);
      if (found === null) return null;
      const stored = await backend.listParts(found.keys.object, found.manifest.uploadId);
      if (stored === null) return null;
      return stored.map((p): MultipartPart => ({ number: p.partNumber, size: p.size, sha256: sha256Of(p) }));
    },

    async complete(account, artifact) {
      const found = await manifestOf(account, artifact);
      if (found === null) return false;
      const { keys, manifest } = found;
      const stored = await backend.listParts(keys.object, manifest.uploadId);
      if (stored === null) {
        // Completed by an earlier confirmation that stopped before removing the manifest.
        if ((await backend.head(keys.object)) === null) throw new ConflictError("The artifact's multipart upload is gone (aborted or expired): upload the file again", { code: "UPLOAD_MISSING" });
        await backend.delete(keys.manifest);
        return true;
      }
      const sizes = partSizes(manifest.filesize, manifest.partSize);
      const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
      const missing = sizes.map((size, i) => (byNumber.get(i + 1)?.size === size && (!manifest.sha256 || byNumber.get(i + 1)?.checksumSha256 !== undefined) ? 0 : i + 1)).filter((n) => n !== 0);
      if (missing.length > 0) {
        const shown = missing.length > 20 ? `${missing.slice(0, 20).join(", ")}, … (${missing.length} in all)` : missing.join(", ");
        throw new ConflictError(`Parts ${shown} of ${manifest.partCount} are not uploaded (or have the wrong size): upload them and confirm again`, { code: "UPLOAD_INCOMPLETE" });
      }
      const parts = sizes.map((_, i) => byNumber.get(i + 1) as StoredPart);
      try {
        await backend.completeMultipart(keys.object, manifest.uploadId, parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, ...(manifest.sha256 && p.checksumSha256 !== undefined ? { checksumSha256: p.checksumSha256 } : {}) })));
      } catch (error) {
        // A racing confirmation completed it first: the upload is gone and the object is there.
        if (!((await backend.listParts(keys.object, manifest.uploadId).catch(() => undefined)) === null && (await backend.head(keys.object)) !== null)) throw error;
      }
      await backend.delete(keys.manifest);
      return true;
    },

    async abort(account, artifact) {
      const found = await manifestOf(account, artifact).catch(() => null);
      if (found === null) return;
      await backend.abortMultipart(found.keys.object, found.manifest.uploadId);
      await backend.delete(found.keys.manifest);
    },
  };
}
