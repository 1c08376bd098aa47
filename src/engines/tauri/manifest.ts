/**
 * @module engines/tauri/manifest — Tauri's static `latest.json` for one release.
 *
 * The updater deserialises every `platforms` entry before it looks at its own, so one bad entry
 * breaks every client: an artifact only gets an entry when its URL is absolute and its signature is
 * single-line padded base64 (what the updater can decode).
 */
import { fromBase64 } from "../../core/encoding.js";
import type { Artifact, Release } from "../../model/records.js";
import { bundleTypeOf, compareTauriArtifacts, isTauriEligible } from "./artifact.js";

/** One `platforms` entry. */
export interface TauriPlatformEntry {
  url: string;
  signature: string;
}

/** Tauri's static update manifest. */
export interface TauriManifest {
  version: string;
  notes?: string;
  pub_date: string;
  platforms: Record<string, TauriPlatformEntry>;
}

/** Input of {@link tauriManifest}. */
export interface TauriManifestInput {
  release: Release;
  /** The release's artifacts (the caller decides which are visible). */
  artifacts: readonly Artifact[];
  /** The absolute download URL of an artifact. */
  urlFor(artifact: Artifact): string;
}

function isAbsoluteUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * The static manifest of a release: `{os}-{arch}` for every platform with a signed bundle a generic
 * client installs (never a `.deb`/`.rpm`), and `{os}-{arch}-{bundle}` for each installer kind, each
 * picked by the dynamic engine's priority.
 * @example tauriManifest({ release, artifacts, urlFor: (a) => artifactUrl(origin, accountId, a) })
 */
export function tauriManifest(input: TauriManifestInput): TauriManifest {
  const platforms: Record<string, TauriPlatformEntry> = {};
  const sorted = input.artifacts.filter(isTauriEligible).sort(compareTauriArtifacts);
  for (const artifact of sorted) {
    const signature = artifact.signature as string;
    if (fromBase64(signature) === null) continue;
    const url = input.urlFor(artifact);
    if (!isAbsoluteUrl(url)) continue;
    const target = `${artifact.platform}-${artifact.arch}`;
    const bundle = bundleTypeOf(artifact.filename);
    // Sorted by priority, so the first artifact to claim a key keeps it.
    if (bundle !== "deb" && bundle !== "rpm") platforms[target] ??= { url, signature };
    if (bundle !== null) platforms[`${target}-${bundle}`] ??= { url, signature };
  }
  const { version, description, created } = input.release;
  return { version, ...(description !== null ? { notes: description } : {}), pub_date: new Date(created).toISOString(), platforms };
}
