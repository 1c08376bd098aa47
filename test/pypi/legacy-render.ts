/**
 * @module test/pypi/legacy-render — the PyPI page rendering as it was before the speed work (commit
 * 6a988ef: engines/pypi/files.ts and html.ts), kept verbatim as the oracle the equivalence test
 * compares the fast rendering against.
 */
import { checksumDigest, type FileHash } from "../../src/core/checksum.js";
import type { Artifact, Release } from "../../src/model/records.js";
import type { ArtifactWithRelease } from "../../src/store/types.js";



/** One file of a project page, ready to render. */
export interface PypiFile {
  filename: string;
  /** Absolute download URL without fragment. */
  url: string;
  hash: FileHash | null;
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
const pep503Hash = checksumDigest;

/** PEP 700 upload time of an ISO instant: always six fraction digits and `Z`. */
export function uploadTimeOf(iso: string): string {
  // Stored instants are already `toISOString()` text; only other forms need a Date.
  const text = CANONICAL_INSTANT.test(iso) ? iso : new Date(iso).toISOString();
  return text.replace(/\.(\d{3})Z$/, ".$1000Z");
}

const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Metadata keys with a meaning to installers; they are never copied from free-form metadata. */
const RESERVED = new Set(["requires-python", "yanked", "core-metadata", "dist-info-metadata", "gpg-sig", "provenance"]);

/** `requiresPython` / `some_key` → `requires-python` / `some-key` (Rails `data:` dasherising); null when unusable. */
export function dataAttributeName(key: string): string | null {
  const name = key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase();
  return /^[a-z0-9][a-z0-9.-]*$/.test(name) ? name : null;
}

/** Free-form metadata as `data-*` pairs: strings as they are, anything else JSON-encoded; reserved names skipped. */
export function dataAttributes(metadata: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(metadata)) {
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
  if (/\.whl$/i.test(filename)) {
    const parts = filename.slice(0, -4).split("-");
    return parts.length === 5 || parts.length === 6 ? (parts[1] as string) : null;
  }
  const m = SDIST.exec(filename);
  if (m === null) return null;
  const stem = filename.slice(0, m.index);
  const dash = stem.lastIndexOf("-");
  return dash > 0 && dash < stem.length - 1 ? stem.slice(dash + 1) : null;
}

/** Can the bytes of this artifact be served (so that advertising it is honest)? */
function servable(artifact: Artifact): boolean {
  return artifact.status === "UPLOADED" && artifact.blob !== null;
}

/**
 * Project page entries for the artifacts a caller sees, in the store's order (release precedence
 * desc, then newest file). A `<file>.metadata` artifact next to `<file>` in the same release is not
 * a distribution: it becomes the file's PEP 658 `core-metadata`.
 */
export function projectFiles(rows: readonly ArtifactWithRelease[], urlOf: (artifact: Artifact) => string): PypiFile[] {
  const byRelease = new Map<string, Map<string, Artifact>>();
  for (const { artifact } of rows) {
    let names = byRelease.get(artifact.releaseId);
    if (names === undefined) byRelease.set(artifact.releaseId, (names = new Map()));
    names.set(artifact.filename, artifact);
  }
  const out: PypiFile[] = [];
  for (const { artifact, release } of rows) {
    const names = byRelease.get(release.id) as Map<string, Artifact>;
    if (artifact.filename.endsWith(".metadata") && names.has(artifact.filename.slice(0, -".metadata".length))) continue;
    const meta = names.get(`${artifact.filename}.metadata`);
    out.push({
      filename: artifact.filename,
      url: urlOf(artifact),
      hash: pep503Hash(artifact.checksum),
      requiresPython: requiresPythonOf(artifact.metadata),
      yanked: yankReason(release, artifact),
      coreMetadata: meta !== undefined && servable(meta) ? { hash: pep503Hash(meta.checksum) } : null,
      size: artifact.filesize,
      uploadTime: uploadTimeOf(artifact.created),
      version: versionFromFilename(artifact.filename) ?? release.version,
      data: dataAttributes(artifact.metadata),
    });
  }
  return out;
}
/** HTML-escape text or an attribute value (`&`, `<`, `>`, `"`, `'`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function attrs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join("");
}

function page(title: string, anchors: string[]): string {
  const t = escapeHtml(title);
  return (
    `<!DOCTYPE html>\n<html>\n<head>\n<title>${t}</title>\n<meta name="pypi:repository-version" content="1.1">\n</head>\n` +
    `<body>\n<h1>${t}</h1>\n${anchors.map((a) => `${a}<br>\n`).join("")}</body>\n</html>\n`
  );
}

/** One project of the project list: its text, link and `data-*` pairs. */
export interface IndexEntry {
  name: string;
  href: string;
  data: Array<[string, string]>;
}

/** The project list page (Keygen §2.2: `Packages for <account name>`). */
export function renderIndexHtml(accountName: string, entries: readonly IndexEntry[]): string {
  return page(
    `Packages for ${accountName}`,
    entries.map((e) => `<a href="${escapeHtml(e.href)}"${attrs(e.data.map(([k, v]) => [`data-${k}`, v] as const))}>${escapeHtml(e.name)}</a>`),
  );
}

/** The project page (Keygen §2.2: `Files for <package name> by <account name>`), with PEP 503/592/658/714 attributes. */
export function renderProjectHtml(packageName: string, accountName: string, files: readonly PypiFile[]): string {
  return page(
    `Files for ${packageName} by ${accountName}`,
    files.map((f) => {
      const pairs: Array<readonly [string, string]> = [];
      if (f.requiresPython !== null) pairs.push(["data-requires-python", f.requiresPython]);
      // PEP 592: always with a value; pip ignores a bare attribute.
      if (f.yanked !== null) pairs.push(["data-yanked", f.yanked]);
      if (f.coreMetadata !== null) {
        const value = f.coreMetadata.hash === null ? "true" : `${f.coreMetadata.hash.name}=${f.coreMetadata.hash.hex}`;
        pairs.push(["data-core-metadata", value], ["data-dist-info-metadata", value]);
      }
      for (const [k, v] of f.data) pairs.push([`data-${k}`, v]);
      const href = f.hash === null ? f.url : `${f.url}#${f.hash.name}=${f.hash.hex}`;
      return `<a href="${escapeHtml(href)}"${attrs(pairs)}>${escapeHtml(f.filename)}</a>`;
    }),
  );
}

// engines/pypi/json.ts as it was.
/** The project page as PEP 691 JSON; `versions` holds every listed file's version, once, in page order. */
export function renderProjectJson(name: string, files: readonly PypiFile[]): string {
  const versions = [...new Set(files.map((f) => f.version))];
  return JSON.stringify({
    meta: { "api-version": "1.1" },
    name,
    versions,
    files: files.map((f) => {
      const entry: Record<string, unknown> = { filename: f.filename, url: f.url, hashes: f.hash === null ? {} : { [f.hash.name]: f.hash.hex } };
      if (f.requiresPython !== null) entry["requires-python"] = f.requiresPython;
      // PEP 714: only the new key; `dist-info-metadata` crashes pip 22.3–23.1.
      if (f.coreMetadata !== null) entry["core-metadata"] = f.coreMetadata.hash === null ? true : { [f.coreMetadata.hash.name]: f.coreMetadata.hash.hex };
      if (f.yanked !== null) entry.yanked = f.yanked === "" ? true : f.yanked;
      if (f.size !== null) entry.size = f.size;
      entry["upload-time"] = f.uploadTime;
      return entry;
    }),
  });
}
