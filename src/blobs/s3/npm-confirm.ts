/**
 * @module blobs/s3/npm-confirm — what confirming an npm tarball in object storage adds: the object
 * is read back whole (bounded by the largest tarball `npm publish` takes), its package.json, sha512
 * integrity and sha1 shasum become the artifact's `metadata.npm` as on the embedded upload path, and
 * a tarball the npm engine cannot serve is refused as `npm publish` refuses it. The bytes are read
 * once: when the confirmation already streamed the object to hash it, those same bytes are used.
 */
import { readAllBytes } from "../../core/bytes.js";
import { sha256Hex } from "../../core/crypto.js";
import { ConflictError } from "../../core/errors.js";
import { maxTarballBytes, npmPackageOf, tarballRefusal, tooLargeTarball } from "../../engines/npm/accept.js";
import { readNpmTarball, type NpmTarballFacts } from "../../engines/npm/tarball.js";
import type { Package, Release } from "../../model/records.js";
import type { Store } from "../../store/types.js";
import type { S3BlobStorage } from "./storage.js";

/** An artifact being confirmed that is an npm package's tarball: its package and the most bytes read of it. */
export interface NpmConfirmTarget {
  pkg: Package;
  release: Release;
  limit: number;
}

/**
 * The npm package a confirmed artifact is a tarball of, and the largest tarball read (default: the
 * largest a default `npm publish` body carries); null for any other artifact.
 */
export async function npmConfirmTarget(store: Store, accountId: string, release: Release, filename: string, maxBytes?: number): Promise<NpmConfirmTarget | null> {
  const pkg = await npmPackageOf(store, accountId, release, filename);
  return pkg === null ? null : { pkg, release, limit: maxBytes ?? maxTarballBytes() };
}

/** What {@link npmConfirmFacts} needs: the target, its object, what the HEAD proved, and the bytes when already read. */
export interface NpmConfirmInput {
  target: NpmConfirmTarget;
  blobs: S3BlobStorage;
  /** The blob key of the uploaded object. */
  key: string;
  /** The object's size and SHA-256 as the confirmation proved them. */
  proved: { filesize: number; sha256: string };
  /**
   * The object's bytes as they were streamed to prove that SHA-256 (null: more than the limit
   * arrived); absent when the confirmation did not read the object, which is then read here.
   */
  read?: Uint8Array | null;
  /** The object's SHA-512 in hex, when the confirmation computed it (its `integrity` is not hashed again). */
  sha512?: string;
}

const refuse = (code: string, pointer: string | null, detail: string) => new ConflictError(detail, { code, ...(pointer !== null ? { pointer } : {}) });

/**
 * The npm facts of a confirmed tarball of an npm-engine package.
 * @throws {ConflictError} 422 `NPM_TARBALL_TOO_LARGE`, `NPM_TARBALL_INVALID` (no package.json),
 * `NPM_MANIFEST_MISMATCH` (package.json names another package or version), `CHECKSUM_MISMATCH` (the
 * object changed after the HEAD), `UPLOAD_MISSING`.
 */
export async function npmConfirmFacts(input: NpmConfirmInput): Promise<NpmTarballFacts> {
  const { target, proved } = input;
  const { limit, pkg, release } = target;
  const tooLarge = () => refuse("NPM_TARBALL_TOO_LARGE", "/data/attributes/filesize", tooLargeTarball(limit, proved.filesize).detail);
  if (proved.filesize > limit) throw tooLarge();
  let bytes = input.read;
  if (bytes === undefined) {
    const body = await input.blobs.open(input.key);
    if (body === null) throw refuse("UPLOAD_MISSING", null, "No bytes were uploaded to the artifact's upload URL");
    bytes = await readAllBytes(body, limit);
    if (bytes !== null && (await sha256Hex(bytes)) !== proved.sha256) throw refuse("CHECKSUM_MISMATCH", "/data/attributes/checksum", "The uploaded object changed while it was being confirmed");
  }
  if (bytes === null) throw tooLarge();
  const facts = await readNpmTarball(bytes, input.sha512 === undefined ? undefined : { sha512: input.sha512 });
  const refusal = tarballRefusal(facts, pkg.key, release.version);
  if (refusal !== null) throw refuse(refusal.code, "/data/attributes/filename", refusal.detail);
  // tarballRefusal refuses unreadable bytes (null facts), so facts are here.
  return facts as NpmTarballFacts;
}
