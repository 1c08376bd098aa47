/**
 * @module store/memory-tags — the pre-release and build words and numbers a version constraint may pin.
 */
import { parseStrict } from "../core/version.js";
import type { VersionRange } from "./types.js";

/** Keygen's pre-release and build word/number split of a version, parsed when a constraint first needs it. */
export interface VersionTags {
  preWord: string | null;
  preNum: number | null;
  buildWord: string | null;
  buildNum: number | null;
}

/** A version's pre-release and build words and numbers. */
export function tagsOf(version: string): VersionTags {
  const parsed = parseStrict(version);
  return { preWord: parsed?.preWord ?? null, preNum: parsed?.preNum ?? null, buildWord: parsed?.buildWord ?? null, buildNum: parsed?.buildNum ?? null };
}

/** True when a range pins a pre-release or build word or number. */
export const pinsTags = (range: VersionRange) =>
  range.preWord !== undefined || range.preNum !== undefined || range.buildWord !== undefined || range.buildNum !== undefined;

/** True when version tags carry the pre-release and build word/number a range pins. */
export function tagsMatch(range: VersionRange, t: VersionTags): boolean {
  return (range.preWord === undefined || t.preWord === range.preWord) && (range.preNum === undefined || t.preNum === range.preNum) &&
    (range.buildWord === undefined || t.buildWord === range.buildWord) && (range.buildNum === undefined || t.buildNum === range.buildNum);
}
