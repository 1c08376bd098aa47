/**
 * @module checksum — what a stored checksum is: hex or strict base64 of a digest of a known length.
 */
import { fromBase64, toHex } from "./encoding.js";

/** A `hashlib` name and a lower-case hex digest. */
export interface FileHash {
  name: string;
  hex: string;
}

const ALGORITHMS: Record<number, string> = { 16: "md5", 20: "sha1", 28: "sha224", 32: "sha256", 48: "sha384", 64: "sha512" };

/**
 * The digest a checksum holds: hex of a known digest length, or strict
 * base64 of one converted to hex; null for anything else.
 */
export function checksumDigest(checksum: string | null): FileHash | null {
  if (checksum === null) return null;
  const hex = checksum.startsWith("0x") ? checksum.slice(2) : checksum;
  if (isHex(hex)) {
    // Hex stays hex: only its case changes (no round trip through bytes, no regular expression, for every file of a page).
    const name = hex.length % 2 === 0 ? ALGORITHMS[hex.length / 2] : undefined;
    return name === undefined ? null : { name, hex: hex.toLowerCase() };
  }
  const bytes = fromBase64(checksum);
  if (bytes === null) return null;
  const name = ALGORITHMS[bytes.length];
  return name === undefined ? null : { name, hex: toHex(bytes) };
}

/** True when every character is a hex digit (and there is at least one). */
function isHex(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** The digests an upload's declared checksum may name. */
export type UploadDigestName = "sha256" | "sha512";

/** Digests of bytes received, lower-case hex; `sha512` only when it was computed. */
export interface ReceivedDigests {
  sha256: string;
  sha512?: string;
}

const UPLOAD_ALGORITHMS: Record<number, UploadDigestName> = { 32: "sha256", 64: "sha512" };

/**
 * The digest a declared upload checksum names: SHA-256 or SHA-512 as hex (an optional `0x`), padded
 * or unpadded base64, or padded or unpadded base64url; null for anything else.
 */
export function declaredDigest(checksum: string): { name: UploadDigestName; hex: string } | null {
  const hex = checksum.startsWith("0x") ? checksum.slice(2) : checksum;
  if ((hex.length === 64 || hex.length === 128) && isHex(hex)) return { name: hex.length === 64 ? "sha256" : "sha512", hex: hex.toLowerCase() };
  const bytes = fromAnyBase64(checksum);
  const name = bytes === null ? undefined : UPLOAD_ALGORITHMS[bytes.length];
  return name === undefined || bytes === null ? null : { name, hex: toHex(bytes) };
}

/** True when a declared checksum names the digest of the bytes received (false when it names none, or one not computed). */
export function checksumMatches(declared: string, received: ReceivedDigests): boolean {
  const digest = declaredDigest(declared);
  if (digest === null) return false;
  const actual = digest.name === "sha256" ? received.sha256 : received.sha512;
  return actual !== undefined && actual.toLowerCase() === digest.hex;
}

/** Bytes of base64 in one alphabet (standard or URL-safe, never mixed), padded or not; null otherwise. */
function fromAnyBase64(text: string): Uint8Array | null {
  const urlSafe = text.includes("-") || text.includes("_");
  if (urlSafe && (text.includes("+") || text.includes("/"))) return null;
  let body = urlSafe ? text.replace(/-/g, "+").replace(/_/g, "/") : text;
  const pad = body.length % 4;
  if (pad === 1) return null;
  if (!body.endsWith("=") && pad !== 0) body += "=".repeat(4 - pad);
  return fromBase64(body);
}

/**
 * The digests an index publishes for a file: its sha256 first when known (the checksum's own, or the
 * one kept beside a checksum of another digest in `metadata.sha256`), then the checksum's digest when
 * it names another; a checksum is read as keygen-cli writes it (any {@link declaredDigest} form).
 */
export function fileHashes(checksum: string | null, metadata: Readonly<Record<string, unknown>>): FileHash[] {
  const declared = checksum === null ? null : (declaredDigest(checksum) ?? checksumDigest(checksum));
  if (declared?.name === "sha256") return [declared];
  const beside = metadata.sha256;
  const out: FileHash[] = typeof beside === "string" && beside.length === 64 && isHex(beside) ? [{ name: "sha256", hex: beside.toLowerCase() }] : [];
  if (declared !== null) out.push(declared);
  return out;
}
