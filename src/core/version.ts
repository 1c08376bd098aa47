/**
 * @module version — SemVer parsing, Keygen's normalisation, and a sortable precedence key.
 *
 * The key is a string whose byte order is SemVer 2.0.0 precedence, so a store can answer
 * "newer than X" and "newest first" with an indexed string comparison (SQL `ORDER BY key`).
 */
import semver from "semver";

/** Release channels Keygen knows. */
export const CHANNELS = ["stable", "rc", "beta", "alpha", "dev"] as const;
/** A release channel. */
export type Channel = (typeof CHANNELS)[number];

/** A parsed version with its precedence key and Keygen's word/number split. */
export interface ParsedVersion {
  /** Canonical text: no leading zeros, `+build` kept. */
  version: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  build: string | null;
  /** Byte-ordered precedence key (build metadata excluded). */
  key: string;
  /** Keygen's pre-release word and trailing number (`beta.1` → `beta`, 1). */
  preWord: string | null;
  preNum: number | null;
  buildWord: string | null;
  buildNum: number | null;
}

function encNumber(digits: string): string {
  return digits.length.toString().padStart(2, "0") + digits;
}

function encIdentifier(id: string): string {
  return /^\d+$/.test(id) ? `0${encNumber(id.replace(/^0+(?=\d)/, ""))}` : `1${id}`;
}

/** Precedence key of major/minor/patch and pre-release identifiers. */
export function precedenceKey(major: string | number, minor: string | number, patch: string | number, prerelease: string | null): string {
  let key = encNumber(String(major)) + encNumber(String(minor)) + encNumber(String(patch));
  // A release sorts above its pre-releases: "~" is above every character a pre-release key uses.
  if (prerelease === null || prerelease === "") return `${key}~`;
  key += "-";
  // "#" separates identifiers and "!" ends the list; both sort below every identifier character,
  // so a shorter list of equal identifiers sorts first, as SemVer requires.
  key += prerelease.split(".").map(encIdentifier).join("#");
  return `${key}!`;
}

/** Key prefix shared by every version with these leading numbers (e.g. all `1.2.x` for `[1, 2]`). */
export function keyPrefix(...parts: number[]): string {
  return parts.map((n) => encNumber(String(n))).join("");
}

/** Keygen's split of a tag into its word and trailing number (`alpha.1.2` → `alpha.1`, 2). */
export function splitTag(tag: string | null): { word: string | null; num: number | null } {
  if (tag === null || tag === "") return { word: null, num: null };
  // An empty identifier ends what Keygen's scan reads (`beta..1` → `beta`, no number).
  const ids: string[] = [];
  for (const id of tag.split(/[.-]/)) {
    if (id === "") {
      if (ids.length > 0) return { word: ids.join("."), num: null };
      continue;
    }
    ids.push(id);
  }
  let num: number | null = null;
  const last = ids[ids.length - 1];
  if (last !== undefined && /^\d+$/.test(last) && ids.length > 0) {
    num = Number(last);
    ids.pop();
  }
  return { word: ids.length > 0 ? ids.join(".") : null, num };
}

const LOOSE_CORE = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

/**
 * Parse a version, normalising Keygen-style (`1` → `1.0.0`, `01.2.3` → `1.2.3`); null when invalid.
 */
export function parseVersion(input: string): ParsedVersion | null {
  const m = LOOSE_CORE.exec(input);
  if (m === null) return null;
  const strip = (s: string | undefined) => (s === undefined ? "0" : s.replace(/^0+(?=\d)/, ""));
  const text = `${strip(m[1])}.${strip(m[2])}.${strip(m[3])}${m[4] ?? ""}`;
  return parseStrict(text);
}

/** Parse a strict SemVer 2.0.0 version; null when invalid. */
export function parseStrict(input: string): ParsedVersion | null {
  const v = semver.parse(input, { loose: false });
  if (v === null) return null;
  const prerelease = v.prerelease.length > 0 ? v.prerelease.join(".") : null;
  const build = v.build.length > 0 ? v.build.join(".") : null;
  const pre = splitTag(prerelease);
  const bld = splitTag(build);
  return {
    version: `${v.major}.${v.minor}.${v.patch}${prerelease ? `-${prerelease}` : ""}${build ? `+${build}` : ""}`,
    major: v.major,
    minor: v.minor,
    patch: v.patch,
    prerelease,
    build,
    key: precedenceKey(v.major, v.minor, v.patch, prerelease),
    preWord: pre.word,
    preNum: pre.num,
    buildWord: bld.word,
    buildNum: bld.num,
  };
}

/** The channel a version must be released on, or null when its pre-release names no channel. */
export function channelOf(version: ParsedVersion): Channel | null {
  if (version.prerelease === null) return "stable";
  for (const ch of ["rc", "beta", "alpha", "dev"] as const) if (version.prerelease.startsWith(ch)) return ch;
  return null;
}

/** Compare two parsed versions by precedence (build ignored): negative, zero or positive. */
export function comparePrecedence(a: ParsedVersion, b: ParsedVersion): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
