/**
 * @module blobs/s3/presign — SigV4 query-string presigning (aws4fetch) with bucketed, repeatable expiries.
 *
 * The signing instant is the start of the current time bucket and the expiry the end of the bucket
 * that covers `now + ttl`, so every request within one bucket gets byte-for-byte the same URL
 * (pip's and CDNs' caches keep working: the bug of pypicloud#110 is a new URL per request).
 */
import { AwsV4Signer } from "aws4fetch";
import { canonicalQuery, objectUrl, type S3Location } from "./keys.js";

/** S3's longest presigned URL lifetime (seven days). */
export const MAX_PRESIGN_SECONDS = 604_800;

/** The credentials and region a storage signs with. */
export interface S3Credentials {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One URL to presign. */
export interface PresignRequest {
  method: "GET" | "PUT" | "HEAD" | "DELETE";
  /** The object key, prefix included. */
  objectKey: string;
  /** Extra query parameters bound into the signature (`response-content-disposition`). */
  query?: Record<string, string>;
  /** Headers the request must carry with exactly these values (`content-length`, `x-amz-checksum-sha256`). */
  headers?: Record<string, string>;
  ttl: number;
  now: Date;
  bucketSeconds: number;
}

/** `YYYYMMDDTHHMMSSZ`, SigV4's timestamp form. */
export function amzDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** The signing instant and lifetime of a URL minted at `now` for at least `ttl` seconds (both whole seconds). */
export function bucketedWindow(now: Date, ttl: number, bucketSeconds: number): { signedAt: number; expires: number } {
  const bucket = Math.max(1, Math.floor(bucketSeconds));
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const signedAt = Math.floor(nowSeconds / bucket) * bucket;
  const until = Math.ceil((nowSeconds + Math.max(1, ttl)) / bucket) * bucket;
  return { signedAt, expires: Math.min(until - signedAt, MAX_PRESIGN_SECONDS) };
}

/** A presigned URL for one request on an object, its query in canonical order and encoding. */
export async function presignObject(location: S3Location, credentials: S3Credentials, request: PresignRequest): Promise<string> {
  const url = objectUrl(location, request.objectKey);
  const { signedAt, expires } = bucketedWindow(request.now, request.ttl, request.bucketSeconds);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  url.searchParams.set("X-Amz-Expires", String(expires));
  const signer = new AwsV4Signer({
    method: request.method,
    url: url.toString(),
    headers: request.headers ?? {},
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined ? { sessionToken: credentials.sessionToken } : {}),
    service: "s3",
    region: credentials.region,
    datetime: amzDate(signedAt),
    signQuery: true,
    // Sign every header given (aws4fetch leaves content-length out by default): S3 then refuses other values.
    allHeaders: true,
  });
  const signed = await signer.sign();
  // URLSearchParams writes spaces as '+'; S3 canonicalises with %20, so write the query as it is signed.
  return `${signed.url.origin}${signed.url.pathname}?${canonicalQuery(signed.url.searchParams)}`;
}
