/**
 * @module engines/npm/publish-store — where `npm publish`'s attached tarball goes: through an
 * embedded storage's own upload path (size and digest checked, package.json read, as for `PUT` to an
 * upload URL), or into an S3 bucket by the server's own PutObject, proved by HEAD before the
 * artifact is UPLOADED, and deleted again when the store write fails.
 */
import type { BlobStorage } from "../../blobs/types.js";
import { isConfirmableStorage } from "../../blobs/s3/confirm.js";
import { blobStorageUnavailable } from "../../blobs/s3/errors.js";
import { NotFoundError, SdkError } from "../../core/errors.js";
import type { Account, Artifact } from "../../model/records.js";
import type { WritableStore } from "../../store/write.js";
import type { NpmTarballFacts } from "./tarball.js";

/** What {@link storeTarball} needs: a WAITING artifact, its checked bytes and what they say. */
export interface StoreTarballInput {
  store: WritableStore;
  blobs: BlobStorage;
  account: Account;
  artifact: Artifact;
  bytes: Uint8Array;
  facts: NpmTarballFacts;
  now: Date;
  origin: string;
}

/** An npm refusal of the storage's answer (npm shows `error`). */
function refused(status: number, detail: string): SdkError {
  return new SdkError(status, detail, { code: "NPM_REFUSED" });
}

/** True when a blob storage can keep a publish's tarball: it takes uploads itself, or it is S3 with a server-side PUT. */
export function canStoreTarball(blobs: BlobStorage | undefined): blobs is BlobStorage {
  if (blobs === undefined) return false;
  if (blobs.presignUpload !== undefined && blobs.receive !== undefined) return true;
  return isConfirmableStorage(blobs) && typeof blobs.putObject === "function";
}

/**
 * Store a publish's tarball under its WAITING artifact and mark it UPLOADED with its `metadata.npm`;
 * on failure no object stays behind and the artifact is not UPLOADED (the caller deletes it).
 */
export async function storeTarball(input: StoreTarballInput): Promise<Artifact> {
  const { store, blobs, account, artifact, bytes, now } = input;
  if (blobs.receive !== undefined && blobs.presignUpload !== undefined) {
    const url = new URL(await blobs.presignUpload({ account, artifact, ttl: 300, now, origin: input.origin }));
    const path = url.pathname.replace(/^\/v1\/(?:blobs|uploads)\//, "");
    const headers = new Headers({ "content-length": String(bytes.byteLength), "content-type": "application/octet-stream" });
    let stored: Artifact | undefined;
    const answer = await blobs.receive({ path, query: url.searchParams, headers, body: new Blob([bytes as BlobPart]).stream(), store, now, uploaded: (done) => void (stored = done) });
    if (answer.status < 300 && stored !== undefined) return stored;
    throw refused(answer.status === 413 ? 413 : 400, "The tarball was refused by the blob storage");
  }
  if (!isConfirmableStorage(blobs) || blobs.putObject === undefined) throw refused(501, "This server's blob storage takes no uploads");
  const key = blobs.uploadKey(account, artifact);
  if (key === null) throw refused(400, "The tarball's file name cannot be stored");
  try {
    const put = await blobs.putObject(key, bytes);
    // The object must be there, with these bytes, before the artifact says it is.
    const info = await blobs.head(key);
    if (info === null || info.size !== put.size || (info.sha256 !== null && info.sha256 !== put.sha256)) {
      throw blobStorageUnavailable("the bucket does not hold the tarball as it was sent");
    }
    const done = await store.completeArtifact(account.id, artifact.id, { filesize: put.size, sha256: put.sha256, blob: key, metadata: { npm: input.facts } }, now);
    if (done === null) throw new NotFoundError("The artifact was deleted during the publish");
    return done;
  } catch (error) {
    await blobs.delete(key).catch(() => {});
    throw error;
  }
}
