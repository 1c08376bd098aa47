/**
 * @module blobs/types — where artifact bytes live: an injectable storage that mints download URLs.
 */
import type { EngineResult } from "../core/result.js";
import type { Account, Artifact } from "../model/records.js";
import type { HeaderLookup } from "../core/headers.js";
import type { Store } from "../store/types.js";
import type { WritableStore } from "../store/write.js";

/** What a storage needs to mint a download URL. */
export interface PresignInput {
  account: Account;
  artifact: Artifact;
  /** Seconds the URL should stay valid (at least). */
  ttl: number;
  now: Date;
  /** Origin of the request, for storages that serve bytes themselves. */
  origin: string;
}

/** What a storage that serves its own signed URLs receives. */
export interface BlobRequest {
  /** The path after `/v1/blobs/`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  method: string;
  store: Store;
  now: Date;
}

/** What a storage that takes its own uploads receives: a `PUT` to a URL {@link BlobStorage.presignUpload} minted. */
export interface BlobUploadRequest {
  /** The path after `/v1/blobs/` (or `/v1/uploads/`, as the storage minted it). */
  path: string;
  query: URLSearchParams;
  headers: HeaderLookup;
  /** The request body, streamed; null when the request has none. */
  body: ReadableStream<Uint8Array> | null;
  store: WritableStore;
  now: Date;
  /** Called once the artifact is UPLOADED (committed), for the handler's `artifact.uploaded` event; it never throws. */
  uploaded?: (artifact: Artifact) => void;
}

/** A multipart upload's shape: every part but the last has `partSize` bytes. */
export interface MultipartPlan {
  filesize: number;
  partSize: number;
  partCount: number;
}

/** One part of a multipart upload: its number (1…partCount), size and SHA-256 (lower-case hex; null when the storage keeps none). */
export interface MultipartPart {
  number: number;
  size: number;
  sha256: string | null;
}

/** A part's presigned PUT: the URL (size and SHA-256 bound) and the headers the request must carry besides `Content-Length`. */
export interface PresignedPart extends MultipartPart {
  url: string;
  headers: Record<string, string>;
}

/**
 * The multipart side of a storage (uploads over S3's 5 GiB single-PUT limit), by artifact: the upload
 * and its plan live in the storage itself, so any server process can presign, list and complete it.
 */
export interface MultipartBlobs {
  /** Declared sizes above this many bytes upload in parts. */
  readonly threshold: number;
  /** Start an artifact's multipart upload; its plan. @throws {ConflictError} for a filename that cannot be stored. */
  start(account: Account, artifact: Artifact, now: Date): Promise<MultipartPlan>;
  /** The plan of an artifact's multipart upload in progress; null when it has none. */
  plan(account: Account, artifact: Artifact): Promise<MultipartPlan | null>;
  /** Presigned PUTs of the given parts (numbers checked against the plan by the caller), each bound to its size and SHA-256. */
  presignParts(account: Account, artifact: Artifact, parts: ReadonlyArray<{ number: number; sha256: string }>, now: Date): Promise<PresignedPart[]>;
  /** The parts the storage holds, by number; null when the artifact has no multipart upload in progress. */
  listParts(account: Account, artifact: Artifact): Promise<MultipartPart[] | null>;
  /**
   * Assemble the parts into the artifact's object; false when the artifact has no multipart upload.
   * @throws {ConflictError} `UPLOAD_INCOMPLETE` (parts missing or of the wrong size: upload them and confirm again)
   * or `MULTIPART_REFUSED` (the storage refused to assemble them).
   */
  complete(account: Account, artifact: Artifact): Promise<boolean>;
  /** Abandon an artifact's multipart upload and its parts; none is not an error. */
  abort(account: Account, artifact: Artifact): Promise<void>;
}

/** Artifact bytes storage: S3-style presigning, or the embedded signed-URL server. */
export interface BlobStorage {
  /** An absolute URL the artifact's bytes can be fetched from until it expires; null when there are no bytes. */
  presign(input: PresignInput): Promise<string | null>;
  /** Answer a request for a URL this storage minted (`/v1/blobs/...`); absent for external storages. */
  serve?(request: BlobRequest): Promise<EngineResult>;
  /** An absolute, signed, expiring URL a WAITING artifact's bytes can be `PUT` to; absent when the storage takes no uploads. */
  presignUpload?(input: PresignInput): Promise<string>;
  /**
   * Take a `PUT` to a URL {@link presignUpload} minted (embedded storages): check the signature, stream
   * and hash the bytes, check size and checksum, then mark the artifact UPLOADED (or FAILED with the reason).
   */
  receive?(request: BlobUploadRequest): Promise<EngineResult>;
  /** Delete an artifact's bytes (after the artifact itself is deleted); a missing blob is not an error. */
  remove?(account: Account, artifact: Artifact): Promise<void>;
  /** Multipart uploads of large artifacts; absent when every upload is one PUT. */
  multipart?: MultipartBlobs;
}
