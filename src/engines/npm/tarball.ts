/**
 * @module engines/npm/tarball — what an `npm pack` tarball says about itself, read once when it is
 * uploaded or imported: its `package.json` (the fields installers use), its SRI `integrity`
 * (sha512) and its `shasum` (sha1). Web APIs only; hostile bytes give null, never a throw or a hang.
 */
import { readAllBytes } from "../../core/bytes.js";
import { fromHex, toBase64, toHex } from "../../core/encoding.js";

/** The `package.json` fields a packument version carries (npm's own registry keeps these and a few more). */
export const MANIFEST_FIELDS = [
  "name", "version", "description", "keywords", "homepage", "bugs", "license", "author", "contributors", "funding",
  "main", "module", "types", "typings", "exports", "type", "bin", "man", "directories", "repository",
  "dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "bundleDependencies", "bundledDependencies",
  "devDependencies", "engines", "os", "cpu", "libc", "workspaces",
] as const;

/** What a tarball says about itself: kept as the artifact's `metadata.npm`. */
export interface NpmTarballFacts {
  /** `sha512-<base64>` of the tarball's bytes. */
  integrity: string;
  /** Lower-case hex sha1 of the tarball's bytes. */
  shasum: string;
  /** The kept `package.json` fields, plus `hasInstallScript` when it has install scripts. */
  manifest: Record<string, unknown>;
}

/** Bounds: npm's own registry refuses packages past a few hundred MiB; package.json is never near 1 MiB. */
const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const BLOCK = 512;
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

/** Bytes of a tar header field, up to its first NUL, as text. */
function text(block: Uint8Array, at: number, length: number): string {
  let end = at;
  while (end < at + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(at, end));
}

/** An octal size field (or GNU base-256), NaN when malformed. */
function size(block: Uint8Array, at: number): number {
  if (((block[at] as number) & 0x80) !== 0) {
    let n = 0;
    for (let i = at + 1; i < at + 12; i++) n = n * 256 + (block[i] as number);
    return n;
  }
  const t = text(block, at, 12).trim();
  return /^[0-7]+$/.test(t) ? parseInt(t, 8) : t === "" ? 0 : Number.NaN;
}

/** A PAX extended header's `path`, when it has one. */
function paxPath(data: Uint8Array): string | null {
  const lines = new TextDecoder().decode(data);
  let at = 0;
  while (at < lines.length) {
    const space = lines.indexOf(" ", at);
    const length = Number(lines.slice(at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) return null;
    const record = lines.slice(space + 1, at + length - 1);
    if (record.startsWith("path=")) return record.slice(5);
    at += length;
  }
  return null;
}

/** Gunzipped bytes, or null when they are not gzip or inflate past the bound. */
async function gunzip(bytes: Uint8Array): Promise<Uint8Array | null> {
  try {
    return await readAllBytes(new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip")), MAX_UNPACKED_BYTES);
  } catch {
    return null;
  }
}

/** The bytes of the tar entry `<top folder>/package.json` (npm accepts any top folder, `package/` by convention). */
function findPackageJson(tar: Uint8Array): Uint8Array | null {
  let at = 0;
  let longName: string | null = null;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return null;
    const length = size(header, 124);
    if (!Number.isFinite(length) || length < 0) return null;
    const type = String.fromCharCode(header[156] as number);
    const dataAt = at + BLOCK;
    if (dataAt + length > tar.length) return null;
    const data = tar.subarray(dataAt, dataAt + length);
    at = dataAt + Math.ceil(length / BLOCK) * BLOCK;
    if (type === "x" || type === "L") {
      longName = type === "x" ? paxPath(data) : text(data, 0, data.length);
      continue;
    }
    if (type === "g") continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix !== "" ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = null;
    if ((type === "0" || type === "\0") && /^[^/]+\/package\.json$/.test(name.replace(/^\.\//, ""))) return length <= MAX_MANIFEST_BYTES ? data : null;
  }
  return null;
}

/** The kept fields of a parsed `package.json`. */
export function pickManifest(pkg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of MANIFEST_FIELDS) if (Object.hasOwn(pkg, field) && pkg[field] !== undefined) out[field] = pkg[field];
  const scripts = pkg.scripts;
  if (scripts !== null && typeof scripts === "object" && INSTALL_SCRIPTS.some((s) => Object.hasOwn(scripts, s))) out.hasInstallScript = true;
  return out;
}

/**
 * SRI integrity and sha1 shasum of whole bytes as npm writes them, and their sha512 as hex (Web
 * Crypto); `sha512`, the bytes' SHA-512 in hex when the caller already has it, is not computed again.
 */
export async function tarballDigests(bytes: Uint8Array, sha512?: string): Promise<{ integrity: string; shasum: string; sha512: string }> {
  const known = sha512 === undefined ? null : fromHex(sha512);
  const [raw512, sha1] = await Promise.all([
    known !== null && known.byteLength === 64 ? known : crypto.subtle.digest("SHA-512", bytes as BufferSource).then((d) => new Uint8Array(d)),
    crypto.subtle.digest("SHA-1", bytes as BufferSource),
  ]);
  return { integrity: `sha512-${toBase64(raw512)}`, shasum: toHex(new Uint8Array(sha1)), sha512: toHex(raw512) };
}

/**
 * What an npm tarball says about itself; null when the bytes are not a gzipped tar with a
 * `package.json` object at its top folder. `known`: the digests, when the caller already hashed these
 * bytes with {@link tarballDigests}, taken as they are; or their SHA-512 in hex, so only the SHA-1 is computed.
 */
export async function readNpmTarball(bytes: Uint8Array, known?: { integrity: string; shasum: string } | { sha512: string }): Promise<NpmTarballFacts | null> {
  const tar = await gunzip(bytes);
  const json = tar === null ? null : findPackageJson(tar);
  if (json === null) return null;
  let pkg: unknown;
  try {
    pkg = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch {
    return null;
  }
  if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg)) return null;
  const { integrity, shasum } = known !== undefined && "integrity" in known ? known : await tarballDigests(bytes, known?.sha512);
  return { integrity, shasum, manifest: pickManifest(pkg as Record<string, unknown>) };
}
