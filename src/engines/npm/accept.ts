/**
 * @module engines/npm/accept — what an npm tarball must be for the npm engine to take it, on every
 * way in (`npm publish`'s inline attachment, an upload confirmed in object storage): no larger than
 * a publish may carry, and its package.json naming the package and version it is published as.
 */
import type { NpmTarballFacts } from "./tarball.js";

/** Largest `npm publish` body by default: a 75 MiB tarball in base64. */
export const DEFAULT_MAX_PUBLISH_BYTES = 100 * 1024 * 1024;

/** The largest tarball a publish body of `maxPublishBytes` can carry (base64 takes 4 bytes for every 3). */
export function maxTarballBytes(maxPublishBytes: number = DEFAULT_MAX_PUBLISH_BYTES): number {
  return Math.floor(maxPublishBytes / 4) * 3;
}

/** Why a tarball's package.json is not `name@version` (the text npm shows); null when it is. */
export function manifestMismatch(facts: NpmTarballFacts, name: string, version: string): string | null {
  const { manifest } = facts;
  if (manifest.name === name && manifest.version === version) return null;
  return `The tarball's package.json is ${String(manifest.name)}@${String(manifest.version)}, not ${name}@${version}`;
}
