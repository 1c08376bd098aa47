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
 * The digest a checksum holds (Keygen §2.4, SPEC §3 item 3): hex of a known digest length, or strict
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
