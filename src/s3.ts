/**
 * @module release-engines/s3 — artifact bytes in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO):
 * presigned downloads and uploads, and upload confirmation. Web APIs only (aws4fetch): runs on Node, Bun, Deno and Workers.
 */
export { createS3BlobStorage, s3UploadHeaders, declaredSha256, type S3BlobStorage, type S3BlobStorageOptions, type S3ObjectInfo } from "./blobs/s3/storage.js";
export { confirmUpload, isConfirmableStorage } from "./blobs/s3/confirm.js";
export { artifactBlobKey } from "./blobs/s3/keys.js";
export { bucketedWindow, MAX_PRESIGN_SECONDS } from "./blobs/s3/presign.js";
export { partSizes, MAX_PARTS, MIN_PART_BYTES, type UploadedPart } from "./blobs/s3/multipart.js";
