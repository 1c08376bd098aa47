/**
 * @module engines/pypi/files — one project page entry per distribution file, shared by the HTML
 * and JSON renderings: hash, requires-python, yank, PEP 658 metadata, size, upload time, data-*.
 */
import { checksumDigest, fileHashes, type FileHash } from "../../core/checksum.js";
import { boundedMemo } from "../../core/memo.js";
import type { Artifact, Release } from "../../model/records.js";
import type { ArtifactWithRelease } from "../../store/types.js";

export type { FileHash };

/** One file of a project page, ready to render. */
export interface PypiFile {
  filename: string;
  /** Absolute download URL without fragment. */
  url: string;
  /** The URL fragment's hash: sha256 whenever it is known. */
  hash: FileHash | null;
  /** PEP 691 `hashes`: every digest known (sha256 first, then e.g. a declared sha512). */
  hashes: FileHash[];
  requiresPython: string | null;
  /** null when not yanked; the reason (possibly empty) when yanked. */
  yanked: string | null;
  /** PEP 658/714: present when `<url>.metadata` is served; its hash when known. */
  coreMetadata: { hash: FileHash | null } | null;
  size: number | null;
  /** PEP 700 `upload-time`: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  uploadTime: string;
  /** The file's version (PEP 440 from the filename when it parses, else the release's). */
  version: string;
  /** Other artifact metadata as `[data-* name, text value]` pairs. */
  data: Array<[string, string]>;
}

/** The PEP 503 hash of a checksum: {@link checksumDigest} under the name the index uses. */
export const pep503Hash = checksumDigest;

/** PEP 700 upload time of an ISO instant: always six fraction digits and `Z`. */
export function uploadTimeOf(iso: string): string {
  // Stored instants are already `toISOString()` text; only other forms need a Date.
  const text = isCanonicalInstant(iso) ? iso : new Date(iso).toISOString();
  // `toISOString()` text always ends with `.mmmZ`: three more fraction digits go before the `Z`.
  return `${text.slice(0, -1)}000Z`;
}

/** The form of a stored instant: `0` where a digit goes, else the character itself. */
const INSTANT_FORM = "0000-00-00T00:00:00.000Z";

/** `/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)`, checked by position. */
function isCanonicalInstant(iso: string): boolean {
  if (iso.length !== 24) return false;
  for (let i = 0; i < 24; i++) {
    const c = iso.charCodeAt(i);
    const form = INSTANT_FORM.charCodeAt(i);
    if (form === 48 ? c < 48 || c > 57 : c !== form) return false;
  }
  return true;
}

/** Metadata keys with a meaning to installers; they are never copied from free-form metadata. */
const RESERVED = new Set(["requires-python", "yanked", "core-metadata", "dist-info-metadata", "gpg-sig", "provenance"]);

/** `requiresPython` / `some_key` → `requires-python` / `some-key` (Rails `data:` dasherising); null when unusable. */
export function dataAttributeName(key: string): string | null {
  return attributeName(key);
}

/** Names already worked out: the files of a page mostly share their metadata keys. */
const attributeName = boundedMemo(dasherise, 1000);

function dasherise(key: string): string | null {
  const name = key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase();
  return /^[a-z0-9][a-z0-9.-]*$/.test(name) ? name : null;
}

/** Free-form metadata as `data-*` pairs: strings as they are, anything else JSON-encoded; reserved names skipped. */
export function dataAttributes(metadata: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key in metadata) {
    if (!Object.hasOwn(metadata, key)) continue;
    const value = metadata[key];
    const name = dataAttributeName(key);
    if (name === null || RESERVED.has(name) || value === undefined) continue;
    out.push([name, typeof value === "string" ? value : JSON.stringify(value)]);
  }
  return out;
}

function requiresPythonOf(metadata: Record<string, unknown>): string | null {
  const value = metadata.requiresPython ?? metadata.requires_python;
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function yankReason(release: Release, artifact: Artifact): string | null {
  if (release.status !== "YANKED" && artifact.status !== "YANKED") return null;
  const m = release.metadata;
  const reason = m.yankedReason ?? m.yankReason ?? m.yanked_reason ?? m.yank_reason;
  return typeof reason === "string" ? reason : "";
}

const SDIST = /\.(tar\.gz|zip|tar\.bz2|tbz|tar\.xz|txz|tlz|tar\.lz|tar\.lzma|tar|tgz)$/i;

/** Version from a wheel or sdist filename (`demo_pkg-1.0b1-py3-none-any.whl` → `1.0b1`); null when it does not parse. */
export function versionFromFilename(filename: string): string | null {
  if (endsWithWhl(filename)) {
    // `split("-")` of the stem, counted rather than built: 5 or 6 parts, the second is the version.
    const end = filename.length - 4;
    const first = filename.indexOf("-");
    if (first < 0 || first >= end) return null;
    const second = filename.indexOf("-", first + 1);
    if (second < 0 || second >= end) return null;
    let dashes = 2;
    for (let at = filename.indexOf("-", second + 1); at >= 0 && at < end; at = filename.indexOf("-", at + 1)) dashes++;
    return dashes === 4 || dashes === 5 ? filename.slice(first + 1, second) : null;
  }
  // `.tar.gz`, the usual sdist, is the only extension the pattern can match at its end: no regex run for it.
  const at = filename.endsWith(".tar.gz") ? filename.length - 7 : (SDIST.exec(filename)?.index ?? -1);
  if (at < 0) return null;
  const stem = filename.slice(0, at);
  const dash = stem.lastIndexOf("-");
  return dash > 0 && dash < stem.length - 1 ? stem.slice(dash + 1) : null;
}

/** `/\.whl$/i.test(filename)` without a regular expression. */
function endsWithWhl(filename: string): boolean {
  const n = filename.length;
  if (n < 4 || filename.charCodeAt(n - 4) !== 46) return false;
  // `c | 32` is `w`, `h` or `l` only for that letter in either case.
  const w = filename.charCodeAt(n - 3) | 32, h = filename.charCodeAt(n - 2) | 32, l = filename.charCodeAt(n - 1) | 32;
  return w === 119 && h === 104 && l === 108;
}

/** Can the bytes of this artifact be served (so that advertising it is honest)? */
function servable(artifact: Artifact): boolean {
  return artifact.status === "UPLOADED" && artifact.blob !== null;
}

/**
 * Project page entries for the artifacts a caller sees, in the store's order (release precedence
 * desc, then newest file). A `<file>.metadata` artifact next to `<file>` in the same release is not
 * a distribution: it becomes the file's PEP 658 `core-metadata`. With `only`, what that format does not
 * render is left empty (HTML: `version` and `uploadTime`; JSON: `data`), so a page pays for its own fields alone.
 */
export function projectFiles(rows: readonly ArtifactWithRelease[], urlOf: (artifact: Artifact) => string, only?: "html" | "json"): PypiFile[] {
  // Only a page with some `.metadata` file needs the names of each release's files.
  const byRelease = new Map<string, Map<string, Artifact>>();
  const hasMetadataFiles = rows.some((r) => r.artifact.filename.endsWith(".metadata"));
  for (const { artifact } of hasMetadataFiles ? rows : []) {
    let names = byRelease.get(artifact.releaseId);
    if (names === undefined) byRelease.set(artifact.releaseId, (names = new Map()));
    names.set(artifact.filename, artifact);
  }
  const out: PypiFile[] = [];
  for (const { artifact, release } of rows) {
    const names = byRelease.get(release.id);
    if (names !== undefined && artifact.filename.endsWith(".metadata") && names.has(artifact.filename.slice(0, -".metadata".length))) continue;
    const meta = names?.get(`${artifact.filename}.metadata`);
    const hashes = fileHashes(artifact.checksum, artifact.metadata);
    out.push({
      filename: artifact.filename,
      url: urlOf(artifact),
      hash: hashes[0] ?? null,
      hashes,
      requiresPython: requiresPythonOf(artifact.metadata),
      yanked: yankReason(release, artifact),
      coreMetadata: meta !== undefined && servable(meta) ? { hash: fileHashes(meta.checksum, meta.metadata)[0] ?? null } : null,
      size: artifact.filesize,
      uploadTime: only === "html" ? "" : uploadTimeOf(artifact.created),
      version: only === "html" ? "" : (versionFromFilename(artifact.filename) ?? release.version),
      data: only === "json" ? [] : dataAttributes(artifact.metadata),
    });
  }
  return out;
}
