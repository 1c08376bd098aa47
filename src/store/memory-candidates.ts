/**
 * @module store/memory-candidates — upgrade candidates of the memory store: per channel (or set of
 * channels asked together) and per platform, releases in precedence order packed in typed arrays.
 */
import { CHANNEL_MATRIX } from "../core/channels.js";
import type { Artifact } from "../model/records.js";

/**
 * Upgrade candidates of a slot for one channel, or one set of channels asked together, as pairs
 * `[rank × 2 + flag, ordinal]` in precedence order (newest first) in one typed array: a binary search
 * and a walk read one contiguous block instead of a release record per step. For a platform's list
 * the flag is 1 when one of the release's signed artifacts for it is UPLOADED.
 */
export interface Candidates {
  /** PUBLISHED releases (the only upgrade candidates); flag 0. */
  published: Int32Array;
  /** PUBLISHED releases with a signed updater artifact, by platform, then arch. */
  targets: Map<string, Map<string, Int32Array>>;
}

/** Candidates under construction: plain arrays of the same pairs. */
export interface CandidatesBuilder {
  published: number[];
  targets: Map<string, Map<string, number[]>>;
}

/** A bit per channel Keygen knows. */
export const CHANNEL_BITS: Readonly<Record<string, number>> = Object.freeze({ stable: 1, rc: 2, beta: 4, alpha: 8, dev: 16 });
/** The channel sets of the upgrade matrix with more than one channel: each gets merged candidate lists. */
export const MERGED_SETS: readonly number[] = Object.values(CHANNEL_MATRIX).filter((c) => c.length > 1).map((c) => maskOf(c));

/** The mask of a list of channels; -1 when one is not in CHANNEL_BITS. */
export function maskOf(channels: readonly string[]): number {
  let mask = 0;
  for (const c of channels) {
    const bit = Object.prototype.hasOwnProperty.call(CHANNEL_BITS, c) ? (CHANNEL_BITS[c] as number) : 0;
    if (bit === 0) return -1;
    mask |= bit;
  }
  return mask;
}

/** Empty candidate lists to build. */
export function newCandidates(): CandidatesBuilder {
  return { published: [], targets: new Map() };
}

/** Built candidate lists as typed arrays. */
export function finishCandidates(b: CandidatesBuilder): Candidates {
  const targets = new Map<string, Map<string, Int32Array>>();
  for (const [platform, byArch] of b.targets) {
    const out = new Map<string, Int32Array>();
    for (const [arch, list] of byArch) out.set(arch, Int32Array.from(list));
    targets.set(platform, out);
  }
  return { published: Int32Array.from(b.published), targets };
}

/** Append release `ordinal` (rank `rank`) to a builder's list for a platform and arch, or mark it UPLOADED there. */
export function addTarget(b: CandidatesBuilder, platform: string, arch: string, rank: number, ordinal: number, uploaded: number): void {
  let byArch = b.targets.get(platform);
  if (byArch === undefined) b.targets.set(platform, (byArch = new Map()));
  const list = byArch.get(arch);
  if (list === undefined) byArch.set(arch, [rank * 2 + uploaded, ordinal]);
  else if (list[list.length - 1] === ordinal) list[list.length - 2] = (list[list.length - 2] as number) | uploaded;
  else list.push(rank * 2 + uploaded, ordinal);
}

/** An artifact the Tauri updater could install: signed, with platform, arch and a filetype that is not `sig`. */
export function isSignedUpdate(a: Artifact): boolean {
  return a.platform !== null && a.arch !== null && a.signature !== null && a.signature !== "" && a.filetype !== null && a.filetype !== "sig";
}
