/**
 * @module access/listing — the files of a package an index page (PyPI, npm) lists for a caller.
 */
import type { Package, Product } from "../model/records.js";
import type { ArtifactWithRelease } from "../store/types.js";
import type { EngineContext } from "../engines/context.js";
import { accessDenied, authorize } from "./authorize.js";
import { isReleaseVisible, withYanked } from "./scope.js";

/**
 * A package's files an index lists to the caller, yanked releases included (PEP 592: a yanked
 * version stays installable by exact version); a release found only through a blocked license
 * (suspended, banned, revoked) denies the whole listing with Keygen's reason.
 * @throws {ForbiddenError} when a release is visible only through a blocked license.
 */
export async function listablePackageFiles(ctx: EngineContext, pkg: Package, product: Product): Promise<ArtifactWithRelease[]> {
  const rows = await ctx.store.listPackageArtifacts(ctx.account.id, pkg.id, withYanked(ctx.lookupScope));
  const listed = withYanked(ctx.scope);
  const checked = new Set<string>();
  for (const { release } of rows) {
    if (checked.has(release.id)) continue;
    checked.add(release.id);
    if (isReleaseVisible(listed, release, product)) continue;
    const decision = authorize(ctx.principal, "download", { type: "release", release, product }, ctx.now);
    if (!decision.allowed) throw accessDenied(decision);
  }
  return rows;
}
