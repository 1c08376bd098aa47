/**
 * @module blobs/s3/npm-confirm — what confirming an npm tarball in object storage adds: the object
 * is read back whole (bounded by the largest tarball `npm publish` takes), its package.json, sha512
 * integrity and sha1 shasum become the artifact's `metadata.npm` as on the embedded upload path, and
 * a tarball the npm engine cannot serve is refused as `npm publish` refuses it.
 */
import { readAllBytes } from "../../core/bytes.js";
import { sha256Hex } from "../../core/crypto.js";
import { ConflictError } from "../../core/errors.js";
import { maxTarballBytes, npmPackageOf, tarballRefusal, tooLargeTarball } from "../../engines/npm/accept.js";
import { readNpmTarball, type NpmTarballFacts } from "../../engines/npm/tarball.js";
import type { Account, Artifact, Release } from "../../model/records.js";
import type { Store } from "../../store/types.js";
import type { S3BlobStorage } from "./storage.js";

/** What {@link npmConfirmFacts} needs: the artifact being confirmed, its object, and what the HEAD proved. */
export interface NpmConfirmInput {
  store: Store;
  blobs: S3BlobStorage;
  account: Account;
  artifact: Artifact;
  release: Release;
  /** The blob key of the uploaded object. */
  key: string;
  /** The object's size and SHA-256 as the confirmation proved them. */
  proved: { filesize: number; sha256: string };
  /** The largest tarball read (default: the largest a default `npm publish` body carries). */
  maxBytes?: number;
}

const refuse = (code: string, pointer: string | null, detail: string) => new ConflictError(detail, { code, ...(pointer !== null ? { pointer } : {}) });

/**
 * The npm facts of a confirmed `.tgz` artifact of an npm-engine package; null for any other artifact.
 * @throws {ConflictError} 422 `NPM_TARBALL_TOO_LARGE`, `NPM_TARBALL_INVALID` (no package.json),
 * `NPM_MANIFEST_MISMATCH` (package.json names another package or version), `CHECKSUM_MISMATCH` (the
 * object changed after the HEAD), `UPLOAD_MISSING`.
 */
export async function npmConfirmFacts(input: NpmConfirmInput): Promise<NpmTarballFacts | null> {
  const { release, proved } = input;
  const pkg = await npmPackageOf(input.store, input.account.id, release, input.artifact.filename);
  if (pkg === null) return null;
  const limit = input.maxBytes ?? maxTarballBytes();
  const tooLarge = () => refuse("NPM_TARBALL_TOO_LARGE", "/data/attributes/filesize", tooLargeTarball(limit, proved.filesize).detail);
  if (proved.filesize > limit) throw tooLarge();
  const body = await input.blobs.open(input.key);
  if (body === null) throw refuse("UPLOAD_MISSING", null, "No bytes were uploaded to the artifact's upload URL");
  const bytes = await readAllBytes(body, limit);
  if (bytes === null) throw tooLarge();
  if ((await sha256Hex(bytes)) !== proved.sha256) throw refuse("CHECKSUM_MISMATCH", "/data/attributes/checksum", "The uploaded object changed while it was being confirmed");
  const facts = await readNpmTarball(bytes);
  const refusal = tarballRefusal(facts, pkg.key, release.version);
  if (refusal !== null) throw refuse(refusal.code, "/data/attributes/filename", refusal.detail);
  return facts;
}
