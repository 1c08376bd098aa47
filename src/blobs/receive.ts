/**
 * @module blobs/receive — taking an upload's bytes: streamed to a temporary blob, counted and hashed
 * as they arrive, checked against the artifact's declared size and checksum, then moved into place
 * and the artifact marked UPLOADED — or the bytes discarded and the artifact marked FAILED.
 *
 * Web APIs only; where the bytes go (and how they are hashed) is an {@link UploadSink}.
 */
import { checksumMatches, declaredDigest, type ReceivedDigests } from "../core/checksum.js";
import { randomBytes } from "../core/crypto.js";
import { toHex } from "../core/encoding.js";
import { ConflictError, NotFoundError, SdkError, ValidationError, isSdkError } from "../core/errors.js";
import type { HeaderLookup } from "../core/headers.js";
import { jsonResult, type EngineResult } from "../core/result.js";
import { readWheelMetadata } from "../engines/pypi/wheel.js";
import { readNpmTarball } from "../engines/npm/tarball.js";
import { npmPackageOf, tarballRefusal, tooLargeTarball } from "../engines/npm/accept.js";
import { ADMIN_SCOPE } from "../access/scope.js";
import type { Account, Artifact, Release } from "../model/records.js";
import type { WritableStore } from "../store/write.js";

/** Bytes being written to a temporary place, hashed as they are written. */
export interface PendingUpload {
  /** Append bytes (resolves once they are written, so a slow disk slows the reader). */
  write(chunk: Uint8Array): Promise<void>;
  /** Digests of everything written, lower-case hex: SHA-256 always, SHA-512 when asked for at {@link UploadSink.begin}. */
  digests(): Promise<ReceivedDigests>;
  /** Up to `length` bytes of what was written, from `offset` (for reading a wheel's zip directory). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Move the bytes under a blob key, atomically (readers see all of them or none). */
  commit(blobKey: string): Promise<void>;
  /** Delete the temporary bytes (after a failure); safe to call more than once. */
  discard(): Promise<void>;
}

/** Where a storage that takes its own uploads keeps the bytes. */
export interface UploadSink {
  /** Start writing an upload to a temporary place. */
  begin(options: { sha512: boolean }): Promise<PendingUpload>;
  /** Delete the bytes under a blob key this sink wrote; a missing one (or one it never wrote) is left alone. */
  remove(blobKey: string): Promise<void>;
  /** Bytes free for uploads (e.g. on the disk); null when unknown. A declared size above it is refused before any byte is written. */
  freeBytes?(): Promise<number | null>;
}

/** What {@link receiveUpload} needs: a verified upload URL's artifact, the request body and where it goes. */
export interface ReceiveInput {
  account: Account;
  artifact: Artifact;
  release: Release;
  body: ReadableStream<Uint8Array> | null;
  headers: HeaderLookup;
  store: WritableStore;
  now: Date;
  sink: UploadSink;
  /** The largest declared (or, undeclared, received) size an upload may have. */
  maxUploadBytes?: number;
  /** Called once the artifact is UPLOADED (committed); it never throws. */
  uploaded?: (artifact: Artifact) => void;
}

/** Why an upload was refused: the client's error, and the reason kept on the FAILED artifact. */
class Refused extends Error {
  constructor(readonly error: SdkError, readonly reason: string) {
    super(reason);
  }
}

const FILESIZE = { pointer: "/data/attributes/filesize" };
const CHECKSUM = { pointer: "/data/attributes/checksum" };
const FILENAME = { pointer: "/data/attributes/filename" };
/** npm tarballs up to this size are read whole for their package.json and digests (npm's registry takes far smaller). */
const MAX_NPM_TARBALL_BYTES = 256 * 1024 * 1024;
/** Headers of answers given before the body was read to its end: the connection cannot carry another request. */
const CLOSE = { Connection: "close" };

function tooLarge(limit: number, quota: boolean): Refused {
  const detail = quota ? `The upload is larger than this server's limit of ${limit} bytes` : `The upload has more bytes than the artifact's declared filesize (${limit})`;
  return new Refused(new SdkError(413, detail, { code: quota ? "FILESIZE_QUOTA_EXCEEDED" : "FILESIZE_EXCEEDED", source: FILESIZE, headers: CLOSE }), detail);
}

function sizeMismatch(declared: number, received: number, what: string): Refused {
  const detail = `The upload has ${received} bytes but the ${what} is ${declared}`;
  return new Refused(new ValidationError(detail, { code: "FILESIZE_MISMATCH", source: what === "Content-Length" ? { header: "Content-Length" } : FILESIZE }), detail);
}

/**
 * The file name bytes are stored under: the artifact's filename when it is one plain name (no `..`,
 * NUL or other control character, slash, backslash or drive letter, at most 255 bytes); null otherwise.
 */
export function storableFilename(filename: string): string | null {
  if (filename === "" || filename === "." || filename.includes("..") || new TextEncoder().encode(filename).length > 255) return null;
  for (let i = 0; i < filename.length; i++) {
    const c = filename.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c || c === 0x3a) return null;
  }
  return filename;
}

/** A request's `Content-Length` as a number; null when absent, NaN when malformed. */
function contentLength(headers: HeaderLookup): number | null {
  const text = headers.get("content-length");
  if (text === null) return null;
  return /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

/** What was checked before any byte is read: the file name, the limit and the digest to compute. */
function preflight(input: ReceiveInput): { filename: string; limit: number; sha512: boolean } {
  const { artifact, maxUploadBytes } = input;
  const filename = storableFilename(artifact.filename);
  if (filename === null) {
    const detail = "The artifact's filename cannot be stored: it must be one plain file name (no '..', NUL, slash, backslash or colon)";
    throw new Refused(new ConflictError(detail, { code: "FILENAME_INVALID", ...FILENAME, headers: CLOSE }), detail);
  }
  const quota = maxUploadBytes ?? Number.POSITIVE_INFINITY;
  if (artifact.filesize !== null && artifact.filesize > quota) throw tooLarge(quota, true);
  let sha512 = false;
  if (artifact.checksum !== null) {
    const digest = declaredDigest(artifact.checksum);
    if (digest === null) {
      const detail = "The artifact's checksum is not a SHA-256 or SHA-512 digest in hex, base64 or base64url";
      throw new Refused(new ConflictError(detail, { code: "CHECKSUM_INVALID", ...CHECKSUM, headers: CLOSE }), detail);
    }
    sha512 = digest.name === "sha512";
  }
  const length = contentLength(input.headers);
  if (length !== null) {
    if (Number.isNaN(length)) {
      throw new Refused(new ValidationError("The Content-Length header is not a number", { code: "HEADER_INVALID", source: { header: "Content-Length" }, headers: CLOSE }), "malformed Content-Length");
    }
    if (artifact.filesize !== null && length > artifact.filesize) throw tooLarge(artifact.filesize, false);
    if (length > quota) throw tooLarge(quota, true);
    if (artifact.filesize !== null && length < artifact.filesize) {
      const detail = `The upload's Content-Length is ${length} but the declared filesize is ${artifact.filesize}`;
      throw new Refused(new ValidationError(detail, { code: "FILESIZE_MISMATCH", source: FILESIZE, headers: CLOSE }), detail);
    }
  }
  return { filename, limit: Math.min(artifact.filesize ?? quota, quota), sha512 };
}

/** Stream the body into the pending upload; the count of bytes written. */
async function copyBody(body: ReadableStream<Uint8Array> | null, pending: PendingUpload, limit: number, declared: number | null): Promise<number> {
  if (body === null) return 0;
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch {
        const detail = "The upload was interrupted before all its bytes arrived";
        throw new Refused(new ValidationError(detail, { code: "UPLOAD_INTERRUPTED" }), detail);
      }
      if (next.done) return total;
      const chunk = next.value;
      // The declared filesize is never above the quota here (preflight refused that), so it is the limit when there is one.
      if (total + chunk.byteLength > limit) throw tooLarge(limit, declared === null);
      total += chunk.byteLength;
      await pending.write(chunk);
    }
  } finally {
    reader.releaseLock();
  }
}

/** A random path segment, so two uploads of one artifact (racing servers) never write the same key. */
function uploadId(): string {
  return toHex(randomBytes(8));
}

/**
 * Take an upload's bytes for a verified upload URL: refuse a bad declaration before reading, count
 * and hash while writing (more bytes than declared are refused as they arrive), check size and
 * checksum at the end, move the bytes into place and mark the artifact UPLOADED; on any failure the
 * bytes are deleted and the artifact marked FAILED with the reason, and the client gets a JSON:API error.
 * A wheel's METADATA becomes its PEP 658 `<file>.metadata` sibling, and `Requires-Python` its `requiresPython`;
 * an npm tarball's `package.json`, integrity and shasum become its `metadata.npm` (an npm package's
 * tarball is refused, 422, when it has none or it names another package or version).
 */
export async function receiveUpload(input: ReceiveInput): Promise<EngineResult> {
  const { account, artifact, release, store, now, sink } = input;
  let pending: PendingUpload | null = null;
  try {
    const { filename, limit, sha512 } = preflight(input);
    const free = artifact.filesize !== null && artifact.filesize > 0 ? await sink.freeBytes?.() : null;
    if (free != null && artifact.filesize !== null && artifact.filesize > free) {
      const detail = `The server has no room for ${artifact.filesize} bytes`;
      throw new Refused(new SdkError(507, detail, { title: "Insufficient storage", code: "INSUFFICIENT_STORAGE", source: FILESIZE, headers: CLOSE }), detail);
    }
    pending = await sink.begin({ sha512 });
    const total = await copyBody(input.body, pending, limit, artifact.filesize);
    if (artifact.filesize !== null && total !== artifact.filesize) throw sizeMismatch(artifact.filesize, total, "declared filesize");
    const length = contentLength(input.headers);
    if (length !== null && total !== length) throw sizeMismatch(length, total, "Content-Length");
    const digests = await pending.digests();
    if (artifact.checksum !== null && !checksumMatches(artifact.checksum, digests)) {
      const detail = "The upload's bytes do not match the artifact's declared checksum";
      throw new Refused(new ConflictError(detail, { code: "CHECKSUM_MISMATCH", ...CHECKSUM }), detail);
    }
    const source = pending;
    const wheel = /\.whl$/i.test(filename) ? await readWheelMetadata({ size: total, read: (offset, n) => source.read(offset, n) }).catch(() => null) : null;
    const npm = /\.tgz$/i.test(filename) && total <= MAX_NPM_TARBALL_BYTES ? await readNpmTarball(await source.read(0, total), digests.sha512 === undefined ? undefined : { sha512: digests.sha512 }).catch(() => null) : null;
    const npmPackage = await npmPackageOf(store, account.id, release, filename);
    const npmRefusal = npmPackage === null ? null : total > MAX_NPM_TARBALL_BYTES ? tooLargeTarball(MAX_NPM_TARBALL_BYTES, total, "the most read for a package.json") : tarballRefusal(npm, npmPackage.key, release.version);
    if (npmRefusal !== null) throw new Refused(new ConflictError(npmRefusal.detail, { code: npmRefusal.code, ...FILENAME }), npmRefusal.detail);
    const base = `artifacts/${account.id}/${release.id}/${artifact.id}/${uploadId()}`;
    const blob = `${base}/${filename}`;
    await pending.commit(blob);
    pending = null;
    let done: Artifact | null;
    try {
      const bytes = { filesize: total, sha256: digests.sha256, blob, ...(wheel?.requiresPython != null ? { metadata: { requiresPython: wheel.requiresPython } } : npm !== null ? { metadata: { npm } } : {}) };
      done = await store.completeArtifact(account.id, artifact.id, bytes, now);
    } catch (error) {
      await sink.remove(blob).catch(() => {});
      throw error;
    }
    if (done === null) {
      await sink.remove(blob).catch(() => {});
      throw new NotFoundError("The artifact was deleted during the upload");
    }
    if (wheel !== null) await addCoreMetadata(input, `${base}/${filename}.metadata`, wheel.metadata);
    input.uploaded?.(done);
    return jsonResult(200, { meta: { id: done.id, status: done.status, filesize: done.filesize, sha256: digests.sha256 } });
  } catch (error) {
    if (pending !== null) await pending.discard().catch(() => {});
    // An artifact another upload completed meanwhile stays UPLOADED: failArtifact leaves those as they are.
    const reason = error instanceof Refused ? error.reason : isSdkError(error) ? error.detail : "the upload could not be stored";
    await store.failArtifact(account.id, artifact.id, reason, now).catch(() => {});
    throw error instanceof Refused ? error.error : error;
  }
}

/**
 * Store a wheel's METADATA as its PEP 658 sibling artifact `<file>.metadata` (WAITING, then UPLOADED),
 * so the project page advertises `core-metadata`. PEP 658 metadata must be the wheel's own, so a
 * sibling left with other bytes (from an earlier wheel of that name, or uploaded by hand) is replaced.
 * Best effort: the wheel itself is already UPLOADED, and a failure here leaves no sibling at all.
 */
async function addCoreMetadata(input: ReceiveInput, blob: string, bytes: Uint8Array): Promise<void> {
  const { account, artifact, store, now, sink } = input;
  const filename = `${artifact.filename}.metadata`;
  let pending: PendingUpload | null = null;
  let created: Artifact | null = null;
  try {
    pending = await sink.begin({ sha512: false });
    await pending.write(bytes);
    const { sha256 } = await pending.digests();
    const { items } = await store.listArtifacts(account.id, ADMIN_SCOPE, { releaseId: artifact.releaseId }, { order: "desc", limit: 1000 });
    const existing = items.find((r) => r.artifact.filename === filename)?.artifact;
    if (existing !== undefined) {
      if (existing.status === "UPLOADED" && existing.checksum?.toLowerCase() === sha256) {
        await pending.discard();
        return;
      }
      const removed = await store.deleteArtifact(account.id, existing.id);
      if (removed?.blob != null) await sink.remove(removed.blob).catch(() => {});
    }
    created = await store.createArtifact(account.id, {
      releaseId: artifact.releaseId, filename, filetype: "metadata", filesize: bytes.byteLength,
      platform: null, arch: null, signature: null, checksum: sha256, metadata: {},
    }, now);
    await pending.commit(blob);
    await store.completeArtifact(account.id, created.id, { filesize: bytes.byteLength, sha256, blob }, now);
  } catch {
    await pending?.discard().catch(() => {});
    await sink.remove(blob).catch(() => {});
    if (created !== null) await store.deleteArtifact(account.id, created.id).catch(() => {});
  }
}
