/**
 * @module store/methods — the contracts' method names as lists: a store that forwards reads derives
 * its forwarding from them, and the conformance suites name tests by them (`only`/`skip`).
 */
import type { Store } from "./types.js";
import type { WritableStore } from "./write.js";

/** Every method of the read contract ({@link Store}). */
export const STORE_METHODS = [
  "getAccount", "getProduct", "getProducts", "getPackage", "listPackages", "listEngines", "countEngines", "getEngine",
  "getRelease", "getReleaseByVersion", "findRelease", "findUpgrade", "getArtifact", "listReleaseArtifacts",
  "listPackageArtifacts", "findRawArtifact", "findArtifact", "getPackageRevision", "getAccountRevision",
  "getLicenseByKey", "getLicense", "listUserLicenses", "getPolicy", "getUser", "getTokenByDigest",
] as const satisfies ReadonlyArray<keyof Store>;

/** Every method of the write contract ({@link WritableStore}) beyond the reads. */
export const WRITE_METHODS = [
  "getEntitlements", "listAllPackages", "createPackage", "updatePackage", "deletePackage", "listReleases", "createRelease",
  "updateRelease", "setReleaseStatus", "deleteRelease", "listArtifacts", "createArtifact", "updateArtifact",
  "completeArtifact", "failArtifact", "deleteArtifact",
] as const satisfies ReadonlyArray<Exclude<keyof WritableStore, keyof Store>>;

// Compile-time: the lists name every method of the contracts.
type Unlisted = Exclude<keyof WritableStore, (typeof STORE_METHODS)[number] | (typeof WRITE_METHODS)[number] | "writable">;
const complete: Unlisted extends never ? true : Unlisted = true;
void complete;

/** A read store whose every method calls the same method of the store `current()` gives at that call. */
export function forwardReads(current: () => Store): Store {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of STORE_METHODS) out[name] = (...args) => (current()[name] as (...a: unknown[]) => unknown)(...args);
  return out as unknown as Store;
}
