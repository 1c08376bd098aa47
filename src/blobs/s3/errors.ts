/**
 * @module blobs/s3/errors — the object storage failing or refusing the server's own requests: a 503
 * JSON:API error (`BLOB_STORAGE_UNAVAILABLE`) naming the operation and status, never a credential.
 */
import { StoreError } from "../../core/errors.js";

/** A 503 for a request the bucket failed or refused (bad credentials, unreachable endpoint, a server error). */
export function blobStorageUnavailable(detail: string, cause?: unknown): StoreError {
  return new StoreError(`The blob storage is unavailable: ${detail}`, { code: "BLOB_STORAGE_UNAVAILABLE", ...(cause !== undefined ? { cause } : {}) });
}
