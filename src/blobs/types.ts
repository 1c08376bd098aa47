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
}
