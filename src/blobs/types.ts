/**
 * @module blobs/types — where artifact bytes live: an injectable storage that mints download URLs.
 */
import type { EngineResult } from "../core/result.js";
import type { Account, Artifact } from "../model/records.js";
import type { Store } from "../store/types.js";

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

/** Artifact bytes storage: S3-style presigning, or the embedded signed-URL server. */
export interface BlobStorage {
  /** An absolute URL the artifact's bytes can be fetched from until it expires; null when there are no bytes. */
  presign(input: PresignInput): Promise<string | null>;
  /** Answer a request for a URL this storage minted (`/v1/blobs/...`); absent for external storages. */
  serve?(request: BlobRequest): Promise<EngineResult>;
}
