/**
 * @module cli/file-info — what `upload` works out from a file: its filetype (from the name), its
 * checksum (streamed, in keygen-cli's algorithms and encodings), its Content-Type, and a Tauri `.sig`.
 */
import { createHash } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";

/** Checksum algorithms keygen-cli offers. */
export const CHECKSUM_ALGORITHMS = { "sha-256": "sha256", "sha-512": "sha512", "sha-1": "sha1" } as const;

/** A `--checksum-algorithm` value. */
export type ChecksumAlgorithm = keyof typeof CHECKSUM_ALGORITHMS;

/** Checksum encodings keygen-cli offers: hex, base64 (padded), base64raw (unpadded), base64url (padded, URL alphabet). */
export const CHECKSUM_ENCODINGS = ["hex", "base64", "base64raw", "base64url"] as const;

/** A `--checksum-encoding` value. */
export type ChecksumEncoding = (typeof CHECKSUM_ENCODINGS)[number];

/** The filetype of a filename (keygen-cli's rule; it lives in core, shared with `twine upload`). */
export { inferFiletype } from "../core/filetype.js";

/** A digest in one of keygen-cli's encodings. */
export function encodeDigest(digest: Buffer, encoding: ChecksumEncoding): string {
  switch (encoding) {
    case "hex":
      return digest.toString("hex");
    case "base64":
      return digest.toString("base64");
    case "base64raw":
      return digest.toString("base64").replace(/=+$/, "");
    case "base64url": {
      const b64 = digest.toString("base64");
      return b64.replace(/\+/g, "-").replace(/\//g, "_");
    }
  }
}

/** Bytes read from disk at a time by {@link hashFile} and the upload PUT. */
export const CHUNK_BYTES = 1 << 20;

/**
 * The digest of a file, read in 1 MiB chunks into one reused buffer (never whole into memory, and
 * no garbage per chunk, so memory stays flat for any size); `onBytes` sees each chunk's size.
 */
export async function hashFile(path: string, algorithm: ChecksumAlgorithm, onBytes?: (n: number) => void): Promise<Buffer> {
  const hash = createHash(CHECKSUM_ALGORITHMS[algorithm]);
  const file = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      onBytes?.(bytesRead);
    }
  } finally {
    await file.close();
  }
  return hash.digest();
}

const CONTENT_TYPES: Record<string, string> = {
  zip: "application/zip",
  gz: "application/gzip",
  "tar.gz": "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  json: "application/json",
  txt: "text/plain",
};

/** The Content-Type of the upload PUT, by filetype (as keygen-cli: a known type, else `application/octet-stream`). */
export function contentTypeOf(filetype: string | null): string {
  return (filetype !== null ? CONTENT_TYPES[filetype] : undefined) ?? "application/octet-stream";
}

/** Keygen's limit on an artifact's signature, in bytes. */
export const MAX_SIGNATURE_BYTES = 4096;

/**
 * The Tauri signature beside a file (`<path>.sig`, as `tauri build` and `tauri signer sign` write
 * it: base64 of minisign's text), trimmed; null when there is no such file.
 * @throws {Error} when it is not a plain base64 line or is over Keygen's 4 KiB limit.
 */
export async function readTauriSignature(path: string): Promise<string | null> {
  const sigPath = `${path}.sig`;
  const info = await stat(sigPath).catch(() => null);
  if (info === null || !info.isFile()) return null;
  if (info.size > MAX_SIGNATURE_BYTES + 16) throw new Error(`${sigPath} is over ${MAX_SIGNATURE_BYTES} bytes: not a Tauri signature`);
  const text = (await readFile(sigPath, "utf8")).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error(`${sigPath} is not a Tauri signature (base64 of minisign's signature file, one line)`);
  return text;
}
