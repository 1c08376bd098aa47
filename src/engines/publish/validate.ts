/**
 * @module engines/publish/validate — Keygen's model validations of packages, releases and artifacts:
 * each failure a 422 with Keygen's `<ATTRIBUTE>_<KIND>` code, its
 * message, `source.pointer` at the attribute and `links.about` to the object's documentation.
 */
import { ConflictError, ValidationError } from "../../core/errors.js";
import { parseVersion, type Channel } from "../../core/version.js";

/** Keygen's reserved aliases: no tag, key or code may be one of them. */
export const EXCLUDED_ALIASES: readonly string[] = ["action", "actions"];
/** Keygen's UUID test (dashes optional), which package keys must not pass. */
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** Largest artifact Keygen takes: 5 GiB. */
export const MAX_FILESIZE = 5 * 1024 ** 3;
const PRERELEASE_CHANNELS = ["rc", "beta", "alpha", "dev"];

/** The documentation topic of each object, for `links.about`. */
export type Topic = "packages" | "releases" | "artifacts";

/**
 * A 422 for one attribute or relationship (`member` like `attributes/version` or `relationships/product`).
 * @example unprocessable("releases", "attributes/version", "VERSION_INVALID", "must be a valid version")
 */
export function unprocessable(topic: Topic, member: string, code: string, detail: string): ConflictError {
  const [kind, name] = member.split("/") as [string, string];
  const hash = `${topic}-object-${kind === "relationships" ? "relationships" : "attrs"}-${name}`;
  return new ConflictError(detail, { code, pointer: `/data/${member}`, about: `https://keygen.sh/docs/api/${topic}/#${hash}` });
}

function length(topic: Topic, name: string, value: string | null | undefined, max: number, min = 0): void {
  if (value === null || value === undefined) return;
  const code = name.toUpperCase();
  if (value.length < min) throw unprocessable(topic, `attributes/${name}`, `${code}_TOO_SHORT`, `is too short (minimum is ${min} character${min === 1 ? "" : "s"})`);
  if (value.length > max) throw unprocessable(topic, `attributes/${name}`, `${code}_TOO_LONG`, `is too long (maximum is ${max} characters)`);
}

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

function keysOf(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + keysOf(v), 0);
  if (value !== null && typeof value === "object") return Object.keys(value).length + Object.values(value).reduce((n: number, v) => n + keysOf(v), 0);
  return 0;
}

/** The path of the first value nested deeper than `max` below `value` (typed_params `depth: { maximum }`), or null. */
function tooDeep(value: unknown, max: number, depth = 0, path: Array<string | number> = []): Array<string | number> | null {
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : value !== null && typeof value === "object" ? Object.entries(value) : [];
  for (const [k, v] of entries) {
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return [...path, k];
    const deeper = tooDeep(v, max, depth + 1, [...path, k]);
    if (deeper !== null) return deeper;
  }
  return null;
}

/**
 * Metadata as Keygen bounds it: nesting of at most 2 below the object (400, typed_params), at most
 * 16 KiB of JSON, 64 keys and depth 4 (422).
 */
export function checkMetadata(topic: Topic, metadata: Record<string, unknown>): void {
  const deep = tooDeep(metadata, 2);
  if (deep !== null) {
    throw new ValidationError("maximum depth of 2 exceeded", { source: { pointer: `/data/attributes/metadata/${deep.map(String).join("/")}` } });
  }
  if (new TextEncoder().encode(JSON.stringify(metadata)).byteLength > 16 * 1024) {
    throw unprocessable(topic, "attributes/metadata", "METADATA_TOO_LONG", "too large (exceeded limit of 16384 bytes)");
  }
  if (depthOf(metadata) > 4) throw unprocessable(topic, "attributes/metadata", "METADATA_TOO_LONG", "too many items (exceeded limit of 4 items)");
  if (keysOf(metadata) > 64) throw unprocessable(topic, "attributes/metadata", "METADATA_TOO_LONG", "too many keys (exceeded limit of 64 keys)");
}

/**
 * A release version as Keygen stores it (`1` → `1.0.0`), checked against its channel.
 * @throws {ConflictError} `VERSION_INVALID` when it is not SemVer, `VERSION_CHANNEL_INVALID` when its pre-release does not fit.
 */
export function canonicalVersion(version: string, channel: Channel): string {
  const parsed = parseVersion(version);
  if (parsed === null) throw unprocessable("releases", "attributes/version", "VERSION_INVALID", "must be a valid version");
  const pre = parsed.prerelease;
  if (pre !== null && !PRERELEASE_CHANNELS.some((c) => pre.startsWith(c))) {
    throw unprocessable("releases", "attributes/version", "VERSION_CHANNEL_INVALID", "must be a valid channel");
  }
  if (channel === "stable" && pre !== null) {
    throw unprocessable("releases", "attributes/version", "VERSION_CHANNEL_INVALID", `version does not match stable channel (expected x.y.z got ${parsed.version})`);
  }
  if (channel !== "stable" && (pre === null || !pre.startsWith(channel))) {
    throw unprocessable("releases", "attributes/version", "VERSION_CHANNEL_INVALID", `version does not match prerelease channel (expected x.y.z-${channel}.n got ${parsed.version})`);
  }
  return parsed.version;
}

/** A release tag: blank is none; not reserved, at most 255 characters. */
export function checkTag(tag: string | null | undefined): string | null | undefined {
  if (tag === undefined) return undefined;
  if (tag === null || tag.trim() === "") return null;
  if (EXCLUDED_ALIASES.includes(tag.toLowerCase())) throw unprocessable("releases", "attributes/tag", "TAG_NOT_ALLOWED", "is reserved");
  length("releases", "tag", tag, 255);
  return tag;
}

/** A release's name (≤ 255) and description (≤ 16 KiB). */
export function checkReleaseText(name: string | null | undefined, description: string | null | undefined): void {
  length("releases", "name", name, 255);
  length("releases", "description", description, 16 * 1024);
}

/**
 * `backdated` as an instant in the past (null clears it).
 * @throws {ValidationError} 400 when it is not a time; {@link ConflictError} `BACKDATED_INVALID` when it is not in the past.
 */
export function checkBackdated(value: string | null | undefined, now: Date): string | null | undefined {
  if (value === undefined || value === null) return value;
  const shape = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
  const ms = shape.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError("failed to coerce string to time", { source: { pointer: "/data/attributes/backdated" } });
  if (ms >= now.getTime()) throw unprocessable("releases", "attributes/backdated", "BACKDATED_INVALID", "must be in the past");
  return new Date(ms).toISOString();
}

/** A package key: present, 1..255, not UUID-like, not reserved. */
export function checkPackageKey(key: string): void {
  if (key.trim() === "") throw unprocessable("packages", "attributes/key", "KEY_MISSING", "can't be blank");
  if (EXCLUDED_ALIASES.includes(key)) throw unprocessable("packages", "attributes/key", "KEY_NOT_ALLOWED", "is reserved");
  length("packages", "key", key, 255, 1);
  if (UUID_LIKE.test(key)) throw unprocessable("packages", "attributes/key", "KEY_INVALID", "is invalid");
}

/** A package name: present, 1..255. */
export function checkPackageName(name: string): void {
  if (name.trim() === "") throw unprocessable("packages", "attributes/name", "NAME_MISSING", "can't be blank");
  length("packages", "name", name, 255, 1);
}

/**
 * A filename that names one file: 1..255 characters, no NUL or other control character, no `..`
 * segment, no leading `/` or `\`, no path separator that would escape a folder.
 */
export function checkFilename(filename: string): void {
  if (filename.trim() === "") throw unprocessable("artifacts", "attributes/filename", "FILENAME_MISSING", "can't be blank");
  length("artifacts", "filename", filename, 255);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(filename)) throw unprocessable("artifacts", "attributes/filename", "FILENAME_INVALID", "must not contain control characters");
  if (filename.startsWith("/") || filename.startsWith("\\")) throw unprocessable("artifacts", "attributes/filename", "FILENAME_INVALID", "must not start with a path separator");
  if (filename.split(/[/\\]/).some((s) => s === ".." || s === ".")) throw unprocessable("artifacts", "attributes/filename", "FILENAME_INVALID", "must not contain '.' or '..' segments");
}

/** Keygen's key of a filetype, platform or arch: lower-cased, trimmed; blank is none. */
export function lookupKey(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const key = value.toLowerCase().trim();
  return key === "" ? null : key;
}

/**
 * A filetype as Keygen keeps it (lower-cased, without a leading dot), which the filename's extension must match.
 * @throws {ConflictError} `FILENAME_EXTENSION_INVALID` when the filename has a dot but another extension.
 */
export function checkFiletype(filetype: string | null | undefined, filename: string): string | null {
  const key = lookupKey(filetype === null || filetype === undefined ? filetype : filetype.trim().replace(/^\./, ""));
  if (key === null) return null;
  if (filename.includes(".") && !filename.toLowerCase().endsWith(`.${key}`)) {
    throw unprocessable("artifacts", "attributes/filename", "FILENAME_EXTENSION_INVALID", `filename extension does not match filetype (expected ${key})`);
  }
  return key;
}

/** A declared filesize: 0..5 GiB. */
export function checkFilesize(filesize: number | null | undefined): void {
  if (filesize === null || filesize === undefined) return;
  if (filesize < 0) throw unprocessable("artifacts", "attributes/filesize", "FILESIZE_INVALID", "must be greater than or equal to 0");
  if (filesize > MAX_FILESIZE) throw unprocessable("artifacts", "attributes/filesize", "FILESIZE_INVALID", `must be less than or equal to ${MAX_FILESIZE}`);
}

/** A signature or checksum: at most 4 KiB. */
export function checkSignatureAndChecksum(signature: string | null | undefined, checksum: string | null | undefined): void {
  length("artifacts", "signature", signature, 4096);
  length("artifacts", "checksum", checksum, 4096);
}

/** Where a store's conflict points, by its code (when the store did not say). */
const CONFLICT_POINTERS: Record<string, [Topic, string]> = {
  VERSION_TAKEN: ["releases", "attributes/version"],
  TAG_TAKEN: ["releases", "attributes/tag"],
  KEY_TAKEN: ["packages", "attributes/key"],
  FILENAME_TAKEN: ["artifacts", "attributes/filename"],
  ENTITLEMENT_NOT_FOUND: ["releases", "relationships/constraints"],
};

/** A store conflict with Keygen's pointer and `links.about` added when the store gave none; any other error as it is. */
export function withPointer(error: unknown): unknown {
  if (!(error instanceof ConflictError) || error.source !== undefined || error.code === undefined) return error;
  const where = CONFLICT_POINTERS[error.code];
  if (where === undefined) return error;
  return unprocessable(where[0], where[1], error.code, error.detail);
}
