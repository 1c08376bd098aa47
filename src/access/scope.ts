/**
 * @module access/scope — what a caller may see, as data a store can turn into a query.
 *
 * A scope is derived from the authenticated principal (see access/principal `scopeOf`). Stores apply
 * it in their queries; the predicates below are the reference semantics every store must match.
 */
import type { Artifact, Package, Product, Release } from "../model/records.js";
import type { RevisionAudience } from "../store/types.js";

/**
 * How a grant judges a release against its cutoff.
 * - `effective` (default): the release's `backdated` date, else its `created` date, must be at or
 *   before the cutoff (Keygen's release policy).
 * - `either`: its `created` date or its `backdated` date must be at or before the cutoff (Keygen's
 *   release scope). Lookup scopes use it, so that a release the policy then refuses answers 403 with
 *   the reason instead of 404, as Keygen does.
 */
export type WindowRule = "effective" | "either";

/** Access one license (or one of a user's licenses) grants to its product. */
export interface Grant {
  productId: string;
  /** Entitlement codes the license holds (its own and its policy's). */
  entitlements: readonly string[];
  /** Releases dated after this instant are outside the access window; null when unlimited. */
  cutoff: string | null;
  /** How `cutoff` is applied; `effective` when absent. */
  window?: WindowRule;
}

/** What a caller may see. OPEN products' unconstrained, published releases are visible unless `ownOnly`. */
export interface Scope {
  /** Admin-like bearers see everything, including drafts and files not uploaded. */
  all: boolean;
  /** Products whose every record the caller sees (a product token). */
  products: readonly string[];
  /** Licensed access to LICENSED or OPEN products. */
  grants: readonly Grant[];
  /** Products a license or user holds a license for, usable or not (package visibility needs no more). */
  licensedProducts: readonly string[];
  /**
   * True for a product token: it sees its own products' records and nothing of any other product,
   * not even OPEN ones (Keygen scopes product bearers to their product). False when absent.
   */
  ownOnly?: boolean;
  /**
   * True when YANKED releases count as PUBLISHED (PEP 592: a PyPI project page lists their
   * files and `GET /artifacts/{id}` downloads them for every caller who could see them were they
   * published). Made by {@link withYanked}. The queries that choose a release (upgrades, Tauri, raw
   * `latest`) ask for PUBLISHED ones themselves, so the flag never makes them choose a YANKED one.
   * False when absent.
   */
  yankedAsPublished?: boolean;
}

/** The scope of an anonymous caller. */
export const ANONYMOUS_SCOPE: Scope = Object.freeze({ all: false, products: [], grants: [], licensedProducts: [] });
/** The scope of an admin. */
export const ADMIN_SCOPE: Scope = Object.freeze({ all: true, products: [], grants: [], licensedProducts: [] });

/** The scope with YANKED releases visible as if PUBLISHED; the same object when already so. */
export function withYanked(scope: Scope): Scope {
  return scope.yankedAsPublished === true ? scope : { ...scope, yankedAsPublished: true };
}

/** True when a release's status passes a scope's status rule: PUBLISHED, or YANKED where the scope counts it as published. */
export function statusVisible(scope: Scope, status: Release["status"]): boolean {
  return status === "PUBLISHED" || (status === "YANKED" && scope.yankedAsPublished === true);
}

/** True when the scope sees every record of the product, drafts included. */
export function seesAllOf(scope: Scope, productId: string): boolean {
  return scope.all || scope.products.includes(productId);
}

/**
 * Which package revision an answer built within these scopes follows: `"all"` when any of them sees
 * drafts of the product, else `"listed"` (what drafts, files not yet uploaded and uploads into drafts leave alone).
 */
export function revisionAudience(productId: string, ...scopes: readonly Scope[]): RevisionAudience {
  return scopes.some((scope) => seesAllOf(scope, productId)) ? "all" : "listed";
}

/** Whether the caller may see this package (Keygen's rule, which judges no expiry or entitlements for a package). */
export function isPackageVisible(scope: Scope, pkg: Package, product: Product): boolean {
  if (seesAllOf(scope, pkg.productId)) return true;
  if (scope.ownOnly === true) return false;
  if (product.distributionStrategy === "OPEN") return true;
  if (product.distributionStrategy === "CLOSED") return false;
  return scope.licensedProducts.includes(pkg.productId);
}

/** True when a release falls inside a cutoff under a window rule (instants compared as instants, not text). */
export function withinWindow(release: Release, cutoff: string | null, rule: WindowRule = "effective"): boolean {
  if (cutoff === null) return true;
  if (rule === "either") return notAfter(release.created, cutoff) || (release.backdated !== null && notAfter(release.backdated, cutoff));
  return notAfter(release.backdated ?? release.created, cutoff);
}

/** `toISOString()`'s form (`YYYY-MM-DDTHH:MM:SS.sssZ`), whose text order is time order. */
export const isCanonicalInstant = (s: string): boolean => s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46;

/** Instant `a` is at or before instant `b` (compared as text when both are canonical, parsed otherwise). */
function notAfter(a: string, b: string): boolean {
  return isCanonicalInstant(a) && isCanonicalInstant(b) ? a <= b : Date.parse(a) <= Date.parse(b);
}

function grantAllows(grant: Grant, release: Release): boolean {
  if (grant.productId !== release.productId) return false;
  for (const code of release.entitlements) if (!grant.entitlements.includes(code)) return false;
  return withinWindow(release, grant.cutoff, grant.window);
}

/** Whether the caller may see this release, by Keygen's rules (a YANKED one too under `yankedAsPublished`). */
export function isReleaseVisible(scope: Scope, release: Release, product: Product): boolean {
  if (seesAllOf(scope, release.productId)) return true;
  if (scope.ownOnly === true) return false;
  if (product.distributionStrategy === "CLOSED") return false;
  if (!statusVisible(scope, release.status)) return false;
  if (product.distributionStrategy === "OPEN" && release.entitlements.length === 0) return true;
  return scope.grants.some((g) => grantAllows(g, release));
}

/** Whether the caller may see this artifact of a release. */
export function isArtifactVisible(scope: Scope, artifact: Artifact, release: Release, product: Product): boolean {
  if (seesAllOf(scope, release.productId)) return true;
  return artifact.status === "UPLOADED" && isReleaseVisible(scope, release, product);
}

/**
 * Whether a scope could see any release of a product at all (a necessary condition of
 * {@link isReleaseVisible}), so that a lookup for a product the caller cannot see stops where a
 * missing product's does, before any release query.
 */
export function mayFindReleasesOf(scope: Scope, product: Product): boolean {
  if (seesAllOf(scope, product.id)) return true;
  if (scope.ownOnly === true) return false;
  if (product.distributionStrategy === "CLOSED") return false;
  if (product.distributionStrategy === "OPEN") return true;
  return scope.grants.some((g) => g.productId === product.id);
}
