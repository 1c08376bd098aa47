/**
 * @module blobs/s3/put-object — the server storing bytes it already holds whole (an `npm publish`
 * attachment): one signed PutObject whose payload hash, `x-amz-checksum-sha256` and length bind the
 * bytes, so the service stores exactly them or refuses.
 */
import { sha256Hex } from "../../core/crypto.js";
import { fromHex, toBase64 } from "../../core/encoding.js";
import { blobStorageUnavailable as unavailable } from "./errors.js";
import { isSafeBlobKey } from "./keys.js";

/** What {@link putObject} needs from a storage: its signer, its fetch, and the URL of a blob key. */
export interface PutObjectTransport {
  sign(url: string, init: { method: "PUT"; headers: Record<string, string>; body: Uint8Array }): Promise<Request>;
  fetch(request: Request): Promise<Response>;
  url(blobKey: string): URL;
}

/** The bytes a PutObject stored: their length and lower-case hex SHA-256. */
export interface PutBytes {
  size: number;
  sha256: string;
}

/**
 * PUT whole bytes to a blob key, their SHA-256 (Web Crypto) signed as the payload hash and sent as
 * `x-amz-checksum-sha256`, so the service refuses any other bytes.
 * @throws {StoreError} 503 `BLOB_STORAGE_UNAVAILABLE` when the request fails or is refused.
 */
export async function putObject(t: PutObjectTransport, blobKey: string, bytes: Uint8Array, contentType = "application/octet-stream"): Promise<PutBytes> {
  if (!isSafeBlobKey(blobKey)) throw new TypeError("unsafe blob key");
  const sha256 = await sha256Hex(bytes);
  const checksum = toBase64(fromHex(sha256) as Uint8Array);
  const headers = { "content-type": contentType, "x-amz-content-sha256": sha256, "x-amz-checksum-sha256": checksum };
  const signed = await t.sign(t.url(blobKey).toString(), { method: "PUT", headers, body: bytes });
  let res: Response;
  try {
    res = await t.fetch(signed);
  } catch (error) {
    throw unavailable(`S3 PUT failed: ${(error as Error).message}`, error);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw unavailable(`S3 PUT answered ${res.status}: ${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "no code"}`);
  const echoed = res.headers.get("x-amz-checksum-sha256");
  if (echoed !== null && echoed !== checksum) throw unavailable("S3 PUT stored other bytes than were sent");
  return { size: bytes.byteLength, sha256 };
}
