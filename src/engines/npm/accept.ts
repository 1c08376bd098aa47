/**
 * @module engines/npm/accept — what an npm tarball must be for the npm engine to take it, on every
 * way in (`npm publish`'s inline attachment, an upload to the embedded storage, an upload confirmed
 * in object storage): no larger than a publish may carry, a gzipped tar with a package.json, and that
 * package.json naming the package and version it is published as.
 */
import type { Package, Release } from "../../model/records.js";
import type { Store } from "../../store/types.js";
import type { NpmTarballFacts } from "./tarball.js";

/** Largest `npm publish` body by default: a 75 MiB tarball in base64. */
export const DEFAULT_MAX_PUBLISH_BYTES = 100 * 1024 * 1024;

/** The largest tarball a publish body of `maxPublishBytes` can carry (base64 takes 4 bytes for every 3). */
export function maxTarballBytes(maxPublishBytes: number = DEFAULT_MAX_PUBLISH_BYTES): number {
  return Math.floor(maxPublishBytes / 4) * 3;
}

/** Why the npm engine refuses a tarball: an error code and the text shown. */
export interface TarballRefusal {
  code: "NPM_TARBALL_TOO_LARGE" | "NPM_TARBALL_INVALID" | "NPM_MANIFEST_MISMATCH";
  detail: string;
}

/** Why a tarball's package.json is not `name@version` (the text npm shows); null when it is. */
export function manifestMismatch(facts: NpmTarballFacts, name: string, version: string): string | null {
  const { manifest } = facts;
  if (manifest.name === name && manifest.version === version) return null;
  return `The tarball's package.json is ${String(manifest.name)}@${String(manifest.version)}, not ${name}@${version}`;
}

/** The refusal of a tarball of `size` bytes over `limit` (`what` the limit is, for the text). */
export function tooLargeTarball(limit: number, size: number, what = "the npm publish limit"): TarballRefusal {
  return { code: "NPM_TARBALL_TOO_LARGE", detail: `An npm tarball may have at most ${limit} bytes (${what}); this one has ${size}` };
}

/** Why the npm engine refuses a tarball uploaded as `name@version` (its facts, null when unreadable); null when it takes it. */
export function tarballRefusal(facts: NpmTarballFacts | null, name: string, version: string): TarballRefusal | null {
  if (facts === null) return { code: "NPM_TARBALL_INVALID", detail: "The artifact is not an npm tarball (a gzipped tar with package/package.json)" };
  const mismatch = manifestMismatch(facts, name, version);
  return mismatch === null ? null : { code: "NPM_MANIFEST_MISMATCH", detail: mismatch };
}

/** The npm package a `.tgz` artifact of a release is a tarball of; null for another file or a package of another engine. */
export async function npmPackageOf(store: Store, accountId: string, release: Release, filename: string): Promise<Package | null> {
  if (!/\.tgz$/i.test(filename) || release.packageId === null) return null;
  const pkg = await store.getPackage(accountId, release.packageId);
  return pkg !== null && pkg.engine === "npm" ? pkg : null;
}
