/**
 * @module blobs/s3/keys — where an artifact's object lives in a bucket, and the URL that names it.
 *
 * An artifact's blob key is `artifacts/<account>/<release>/<artifact>/<filename>`, relative to the
 * storage (the artifact's `blob` field holds it); the object key is the storage's prefix followed by it.
 */
import type { Account, Artifact } from "../../model/records.js";

/** Where a storage's objects are: an endpoint, a bucket and an addressing style. */
export interface S3Location {
  /** The endpoint's origin and path, without a trailing slash (`https://s3.us-east-1.amazonaws.com`). */
  endpoint: URL;
  bucket: string;
  /** Prepended to every blob key (`releases/`); empty for none. */
  prefix: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
}

/**
 * The name bytes are stored under: the artifact's filename when it is one plain name (no `..`, NUL
 * or other control character, slash, backslash or colon, at most 255 bytes); null otherwise.
 */
export function plainFilename(filename: string): string | null {
  if (filename === "" || filename === "." || filename.includes("..") || new TextEncoder().encode(filename).length > 255) return null;
  for (let i = 0; i < filename.length; i++) {
    const c = filename.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c || c === 0x3a) return null;
  }
  return filename;
}

/** The blob key an artifact's upload goes to; null when its filename cannot be a key. */
export function artifactBlobKey(account: Account, artifact: Artifact): string | null {
  const name = plainFilename(artifact.filename);
  return name === null ? null : `artifacts/${account.id}/${artifact.releaseId}/${artifact.id}/${name}`;
}

/**
 * True when a blob key is safe to put in a URL path: non-empty segments, none `.` or `..`, no
 * backslash or control character, so URL normalisation can never move it out of the prefix.
 */
export function isSafeBlobKey(key: string): boolean {
  if (key === "" || key.length > 1024) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return false;
  }
  return key.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** RFC 3986 percent-encoding (every character but unreserved ones), as SigV4 wants. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL of an object (its key already prefixed), each path segment encoded once. */
export function objectUrl(location: S3Location, objectKey: string): URL {
  const path = objectKey.split("/").map(encodeRfc3986).join("/");
  const base = location.endpoint.pathname.replace(/\/+$/, "");
  if (location.forcePathStyle) return new URL(`${location.endpoint.origin}${base}/${encodeRfc3986(location.bucket)}/${path}`);
  return new URL(`${location.endpoint.protocol}//${location.bucket}.${location.endpoint.host}${base}/${path}`);
}

/** A query string in SigV4's canonical form: pairs sorted by name then value, both RFC 3986-encoded. */
export function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}
