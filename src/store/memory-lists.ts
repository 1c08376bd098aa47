/**
 * @module store/memory-lists — the write contract's lists over plain arrays: scope, filters, order and pages.
 *
 * These are the reference semantics of `listReleases`, `listArtifacts` and `listAllPackages`: every
 * store returns the same records in the same order for the same arguments.
 */
import { isArtifactVisible, isPackageVisible, isReleaseVisible, type Scope } from "../access/scope.js";
import type { Artifact, Package, Product, Release } from "../model/records.js";
import type { ArtifactWithRelease, PageQuery } from "./types.js";
import type { ArtifactFilter, PackageFilter, Paged, ReleaseFilter } from "./write.js";

/** Newest first (created desc, then id desc), the order of every write-side list. */
export function newestFirst(a: { created: string; id: string }, b: { created: string; id: string }): number {
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** One page of a list already sorted newest first: reversed for `asc`, then offset or keyset. */
export function pageOf<T>(sorted: readonly T[], page: PageQuery, idOf: (item: T) => string): Paged<T> {
  const list = page.order === "asc" ? sorted.slice().reverse() : sorted;
  let start = page.offset ?? 0;
  if (page.after !== undefined) {
    const at = list.findIndex((item) => idOf(item) === page.after);
    start = at < 0 ? list.length : at + 1;
  }
  return { items: list.slice(start, start + page.limit), total: list.length };
}

/** Lookups the lists need from a snapshot. */
export interface ListSource {
  products: ReadonlyMap<string, Product>;
  releases: ReadonlyMap<string, Release>;
  packages: readonly Package[];
  releaseList: readonly Release[];
  artifactList: readonly Artifact[];
}

/** Packages of an account visible to the scope, filtered and paged. */
export function listPackagesOf(src: ListSource, accountId: string, scope: Scope, filter: PackageFilter, page: PageQuery): Paged<Package> {
  const found = src.packages.filter((p) => {
    if (p.accountId !== accountId) return false;
    if (filter.productId !== undefined && p.productId !== filter.productId) return false;
    if (filter.engine !== undefined && p.engine !== filter.engine) return false;
    const product = src.products.get(p.productId);
    return product !== undefined && isPackageVisible(scope, p, product);
  });
  return pageOf(found.sort(newestFirst), page, (p) => p.id);
}

/** Releases of an account visible to the scope, filtered and paged. */
export function listReleasesOf(src: ListSource, accountId: string, scope: Scope, filter: ReleaseFilter, page: PageQuery): Paged<Release> {
  const found = src.releaseList.filter((r) => {
    if (r.accountId !== accountId) return false;
    if (filter.productId !== undefined && r.productId !== filter.productId) return false;
    if (filter.packageId !== undefined && r.packageId !== filter.packageId) return false;
    if (filter.channel !== undefined && r.channel !== filter.channel) return false;
    if (filter.status !== undefined && r.status !== filter.status) return false;
    if (filter.version !== undefined && r.version !== filter.version) return false;
    const product = src.products.get(r.productId);
    return product !== undefined && isReleaseVisible(scope, r, product);
  });
  return pageOf(found.sort(newestFirst), page, (r) => r.id);
}

/** Artifacts of an account visible to the scope with their releases, filtered and paged. */
export function listArtifactsOf(src: ListSource, accountId: string, scope: Scope, filter: ArtifactFilter, page: PageQuery): Paged<ArtifactWithRelease> {
  const found: ArtifactWithRelease[] = [];
  for (const a of src.artifactList) {
    if (a.accountId !== accountId) continue;
    if (filter.releaseId !== undefined && a.releaseId !== filter.releaseId) continue;
    if (filter.platform !== undefined && a.platform !== filter.platform) continue;
    if (filter.arch !== undefined && a.arch !== filter.arch) continue;
    if (filter.filetype !== undefined && a.filetype !== filter.filetype) continue;
    if (filter.status !== undefined && a.status !== filter.status) continue;
    const release = src.releases.get(a.releaseId);
    if (release === undefined) continue;
    if (filter.productId !== undefined && release.productId !== filter.productId) continue;
    if (filter.packageId !== undefined && release.packageId !== filter.packageId) continue;
    const product = src.products.get(release.productId);
    if (product !== undefined && isArtifactVisible(scope, a, release, product)) found.push({ artifact: a, release });
  }
  return pageOf(found.sort((x, y) => newestFirst(x.artifact, y.artifact)), page, (x) => x.artifact.id);
}
