/**
 * @module blobs/s3/confirm — completing an upload to object storage without polling: when the client
 * confirms, HEAD the object, check its size and checksum, and mark the artifact UPLOADED or FAILED.
 *
 * The SHA-256 is always known afterwards: the service's own (`x-amz-checksum-sha256`, which it checked
 * against the bytes) when it keeps one, otherwise computed by streaming the object once.
 */
import { ConflictError, NotFoundError, SdkError } from "../../core/errors.js";
import { joinBytes } from "../../core/bytes.js";
import { declaredDigest } from "../../core/checksum.js";
import { Sha256 } from "../../core/sha256.js";
import { Sha512 } from "../../core/sha512.js";
import type { Account, Artifact } from "../../model/records.js";
import type { WritableStore } from "../../store/write.js";
import type { BlobStorage } from "../types.js";
import { npmConfirmFacts, npmConfirmTarget } from "./npm-confirm.js";
import type { S3BlobStorage } from "./storage.js";

/** Why a confirmation failed: the client's error, and the reason kept on the FAILED artifact. */
class Refused extends Error {
  constructor(readonly error: SdkError, readonly reason: string) {
    super(reason);
  }
}

const FILESIZE = "/data/attributes/filesize";
const CHECKSUM = "/data/attributes/checksum";
const FILENAME = "/data/attributes/filename";

function refuse(code: string, pointer: string | undefined, detail: string): Refused {
  return new Refused(new ConflictError(detail, { code, ...(pointer !== undefined ? { pointer } : {}) }), detail);
}

/** True for a storage whose uploads are confirmed by {@link confirmUpload} (an S3 one). */
export function isConfirmableStorage(blobs: BlobStorage | undefined): blobs is S3BlobStorage {
  const s = blobs as Partial<S3BlobStorage> | undefined;
  return s !== undefined && typeof s.head === "function" && typeof s.open === "function" && typeof s.uploadKey === "function";
}

/** What streaming an object gave: its size, SHA-256, SHA-512 when asked, and its bytes when kept (null: past the bound). */
interface Hashed {
  size: number;
  sha256: string;
  sha512: string | null;
  bytes?: Uint8Array | null;
}

/**
 * Size, SHA-256 and (when asked) SHA-512 of an object's bytes, streamed once, keeping the bytes too
 * while there are at most `keep` of them; null when there is no object.
 */
async function hashObject(blobs: S3BlobStorage, key: string, sha512: boolean, keep: number | null): Promise<Hashed | null> {
  const body = await blobs.open(key);
  if (body === null) return null;
  const h256 = new Sha256();
  const h512 = sha512 ? new Sha512() : null;
  let size = 0;
  let kept: Uint8Array[] | null = keep === null ? null : [];
  const reader = body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      size += next.value.byteLength;
      h256.update(next.value);
      h512?.update(next.value);
      if (kept === null) continue;
      if (size > (keep ?? 0)) kept = null;
      else kept.push(next.value);
    }
  } finally {
    reader.releaseLock();
  }
  const hashed: Hashed = { size, sha256: h256.hex(), sha512: h512?.hex() ?? null };
  if (keep !== null) hashed.bytes = kept === null ? null : joinBytes(kept, size);
  return hashed;
}

const missing = () => refuse("UPLOAD_MISSING", undefined, "No bytes were uploaded to the artifact's upload URL");

/**
 * What the object proved: its size and SHA-256, checked against the artifact's declared size and
 * checksum; and, when it had to be streamed and `keep` is set, its bytes (at most `keep` of them).
 */
async function inspect(blobs: S3BlobStorage, artifact: Artifact, key: string, keep: number | null): Promise<{ proved: { filesize: number; sha256: string }; read?: Uint8Array | null; sha512: string | null }> {
  const digest = artifact.checksum === null ? null : declaredDigest(artifact.checksum);
  if (artifact.checksum !== null && digest === null) {
    throw refuse("CHECKSUM_INVALID", CHECKSUM, "The artifact's checksum is not a SHA-256 or SHA-512 digest in hex, base64 or base64url");
  }
  const info = await blobs.head(key);
  if (info === null) throw missing();
  const sizeWrong = (size: number) => artifact.filesize !== null && size !== artifact.filesize;
  const sizeMismatch = (size: number) => refuse("FILESIZE_MISMATCH", FILESIZE, `The upload has ${size} bytes but the declared filesize is ${artifact.filesize}`);
  if (sizeWrong(info.size)) throw sizeMismatch(info.size);
  let sha256 = info.sha256;
  let sha512: string | null = null;
  let read: Uint8Array | null | undefined;
  // The service's own SHA-256 (it checked the bytes against it) spares a download unless a SHA-512 must be checked.
  if (sha256 === null || digest?.name === "sha512") {
    const hashed = await hashObject(blobs, key, digest?.name === "sha512", keep);
    if (hashed === null) throw missing();
    if (sizeWrong(hashed.size)) throw sizeMismatch(hashed.size);
    sha256 = hashed.sha256;
    sha512 = hashed.sha512;
    read = hashed.bytes;
  }
  const actual = digest?.name === "sha512" ? sha512 : sha256;
  if (digest !== null && digest.hex !== actual) throw refuse("CHECKSUM_MISMATCH", CHECKSUM, "The upload's bytes do not match the artifact's declared checksum");
  return { proved: { filesize: info.size, sha256 }, ...(read !== undefined ? { read } : {}), sha512 };
}

/**
 * A multipart upload's parts assembled into the object first (a no-op for a single PUT); parts still
 * missing leave the artifact WAITING (422 `UPLOAD_INCOMPLETE`), parts the storage refuses fail it.
 */
async function assembleParts(blobs: S3BlobStorage, account: Account, artifact: Artifact): Promise<void> {
  try {
    await blobs.multipart?.complete(account, artifact);
  } catch (error) {
    if (error instanceof ConflictError && (error.code === "MULTIPART_REFUSED" || error.code === "UPLOAD_MISSING")) throw new Refused(error, error.detail);
    throw error;
  }
}

/**
 * Confirm an upload to object storage: HEAD the artifact's object, check its size and (SHA-256)
 * checksum, and mark the artifact UPLOADED; on a mismatch or a missing object mark it FAILED with
 * the reason, delete the wrong bytes, and throw a 422 {@link ConflictError} (`UPLOAD_MISSING`,
 * `FILESIZE_MISMATCH`, `CHECKSUM_MISMATCH`, `CHECKSUM_INVALID`, `FILENAME_INVALID`). An UPLOADED artifact is returned as it is, so a retried
 * confirmation is harmless. An npm package's tarball is read back for its `metadata.npm` (and refused
 * as `npm publish` refuses it: over `options.maxNpmTarballBytes`, no package.json, another name or version).
 * @throws {NotFoundError} when the account has no such artifact.
 */
export async function confirmUpload(store: WritableStore, blobs: BlobStorage | undefined, account: Account, artifactId: string, now: Date = new Date(), options: { maxNpmTarballBytes?: number } = {}): Promise<Artifact> {
  const found = await store.getArtifact(account.id, artifactId);
  if (found === null) throw new NotFoundError();
  const { artifact, release } = found;
  if (artifact.status === "UPLOADED") return artifact;
  if (!isConfirmableStorage(blobs)) {
    throw new ConflictError("This server's blob storage takes uploads itself: PUT the bytes to the upload URL", { code: "CONFIRM_UNSUPPORTED" });
  }
  const key = blobs.uploadKey(account, artifact);
  try {
    if (key === null) throw refuse("FILENAME_INVALID", FILENAME, "The artifact's filename cannot be stored: it must be one plain file name (no '..', NUL, slash, backslash or colon)");
    await assembleParts(blobs, account, artifact);
    // An npm tarball is read once: kept while it streams through the hash, or read once for its package.json.
    const target = await npmConfirmTarget(store, account.id, release, artifact.filename, options.maxNpmTarballBytes);
    const { proved, read, sha512 } = await inspect(blobs, artifact, key, target?.limit ?? null);
    const npm = target === null ? null : await npmConfirmFacts({ target, blobs, key, proved, ...(read !== undefined ? { read } : {}), ...(sha512 !== null ? { sha512 } : {}) }).catch((error: unknown) => {
      throw error instanceof ConflictError ? new Refused(error, error.detail) : error;
    });
    let done: Artifact | null;
    try {
      done = await store.completeArtifact(account.id, artifact.id, { ...proved, blob: key, ...(npm !== null ? { metadata: { npm } } : {}) }, now);
    } catch (error) {
      // A racing confirmation won: the artifact is UPLOADED with these same bytes.
      const again = error instanceof ConflictError ? await store.getArtifact(account.id, artifact.id) : null;
      if (again !== null && again.artifact.status === "UPLOADED") return again.artifact;
      throw error;
    }
    if (done === null) throw new NotFoundError("The artifact was deleted during the confirmation");
    return done;
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    if (key !== null && error.error.code !== "UPLOAD_MISSING") await blobs.delete(key).catch(() => {});
    await blobs.multipart?.abort(account, artifact).catch(() => {});
    await store.failArtifact(account.id, artifact.id, error.reason, now).catch(() => {});
    throw error.error;
  }
}
