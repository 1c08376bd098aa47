/**
 * @module dataset/files — an artifact's `file`: a safe relative path, read once, its size and checksum checked.
 */
import { checksumDigest, declaredDigest } from "../core/checksum.js";
import { sha256Hex } from "../core/crypto.js";
import { toHex } from "../core/encoding.js";
import { readNpmTarball } from "../engines/npm/tarball.js";
import type { Problem } from "./problems.js";

/** Reads a dataset's `file` (a path relative to the dataset folder); null when it does not exist, throws when it cannot be used. */
export type DatasetFileReader = (relativePath: string) => Promise<Uint8Array | null>;

/** A relative path that stays inside its folder, or null. */
export function safeRelativePath(path: string): string | null {
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path) || path.includes("\0")) return null;
  const parts: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") return null;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join("/") : null;
}

/** An artifact's blob key, size and checksum after its `file` was read (the written values when it was not). */
export interface ArtifactFileFacts {
  blob: string | null;
  filesize: number | null;
  checksum: string | null;
  /** The file's sha256 (hex) when its checksum names another digest: installers get it beside (as uploads keep it). */
  sha256: string | null;
  /** Metadata found in the bytes: an npm tarball's `npm` facts (package.json, integrity, shasum). */
  metadata?: Record<string, unknown>;
}

/**
 * Read an artifact's `file` and check the written `filesize` and `checksum` against its bytes: a
 * SHA-256 or SHA-512 checksum in hex, base64, unpadded base64 or base64url (as keygen-cli writes
 * them) must be the file's; problems are noted at `at` (the artifact's JSON path).
 */
export async function readArtifactFile(
  file: string,
  at: string,
  written: { filesize: number | null; checksum: string | null },
  readFile: DatasetFileReader | undefined,
  problems: Problem[],
): Promise<ArtifactFileFacts> {
  let { filesize, checksum } = written;
  let blob: string | null = null;
  let sha256: string | null = null;
  let found: Record<string, unknown> | undefined;
  const rel = safeRelativePath(file);
  if (rel === null) problems.push({ path: `${at}.file`, message: "must be a relative path inside the dataset folder" });
  else if (readFile === undefined) problems.push({ path: `${at}.file`, message: "files cannot be read here" });
  else {
    let bytes: Uint8Array | null;
    let failure: string | null = null;
    try {
      bytes = await readFile(rel);
    } catch (error) {
      bytes = null;
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure !== null) problems.push({ path: `${at}.file`, message: `cannot read ${rel}: ${failure}` });
    else if (bytes === null) problems.push({ path: `${at}.file`, message: `no such file: ${rel}` });
    else {
      blob = rel;
      const digest = await sha256Hex(bytes);
      if (filesize !== null && filesize !== bytes.length) problems.push({ path: `${at}.filesize`, message: `is ${filesize} but the file has ${bytes.length} bytes` });
      filesize = bytes.length;
      if (/\.tgz$/i.test(file)) {
        const npm = await readNpmTarball(bytes);
        if (npm !== null) found = { npm };
      }
      if (checksum === null) checksum = digest;
      else {
        const given = declaredDigest(checksum) ?? checksumDigest(checksum);
        if (given?.name === "sha256" && given.hex !== digest) problems.push({ path: `${at}.checksum`, message: "does not match the file's sha256" });
        if (given?.name === "sha512" && given.hex !== toHex(new Uint8Array(await crypto.subtle.digest("SHA-512", bytes as BufferSource)))) {
          problems.push({ path: `${at}.checksum`, message: "does not match the file's sha512" });
        }
        if (given?.name !== "sha256") sha256 = digest;
      }
    }
  }
  return found === undefined ? { blob, filesize, checksum, sha256 } : { blob, filesize, checksum, sha256, metadata: found };
}
