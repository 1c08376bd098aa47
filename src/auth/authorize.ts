/**
 * @module auth/authorize — may this principal read this resource, and if not, why (Keygen §6.4–6.9).
 *
 * `authorize(p, "read", r).allowed` is true exactly when the record is in `scopeOf(p)`, so lists
 * (filtered by scope in the store) and single lookups (checked here) always agree.
 */
import type { Artifact, Package, Product, Release } from "../model/records.js";
import { isArtifactVisible, isPackageVisible, isReleaseVisible } from "../store/scope.js";
import { grantOf, licenseBlock, type LicenseContext, type Principal, scopeOf } from "./principal.js";

/** Actions the engines check. */
export type Action = "read" | "download" | "upgrade";

/** A resource with what is needed to decide on it. */
export type Resource =
  | { type: "package"; package: Package; product: Product }
  | { type: "release"; release: Release; product: Product }
  | { type: "artifact"; artifact: Artifact; release: Release; product: Product };

/** The outcome of an authorization check; a denial carries Keygen's reason. */
export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

function releaseReason(lc: LicenseContext, release: Release, product: Product, now: Date): string | null {
  if (lc.license.productId !== release.productId) return "license is not for this product";
  if (product.distributionStrategy === "CLOSED") return "release distribution strategy is closed";
  const blocked = licenseBlock(lc, now);
  if (blocked !== null) return blocked;
  if (release.status !== "PUBLISHED") return "release is not published";
  const grant = grantOf(lc, now);
  if (grant?.cutoff != null && (release.backdated ?? release.created) > grant.cutoff) return "license expiry falls outside of access window";
  if (grant && release.entitlements.some((code) => !grant.entitlements.includes(code))) return "license is missing entitlements";
  return null;
}

function decideRelease(principal: Principal, release: Release, product: Product, now: Date): Decision {
  if (isReleaseVisible(scopeOf(principal, now), release, product)) return ALLOW;
  switch (principal.kind) {
    case "anonymous":
      return deny("authentication is required");
    case "product":
      return deny("product does not own this release");
    case "license":
    case "user": {
      const list = principal.kind === "license" ? [principal.license] : principal.licenses;
      const reasons = list.map((lc) => releaseReason(lc, release, product, now)).filter((r): r is string => r !== null);
      return deny(reasons.find((r) => r !== "license is not for this product") ?? reasons[0] ?? "license is not for this product");
    }
    default:
      return deny("access is not allowed");
  }
}

/**
 * Decide whether `principal` may perform `action` on `resource` at `now`.
 * @example authorize(principal, "read", { type: "release", release, product }).allowed
 */
export function authorize(principal: Principal, action: Action, resource: Resource, now: Date = new Date()): Decision {
  const scope = scopeOf(principal, now);
  switch (resource.type) {
    case "package":
      return isPackageVisible(scope, resource.package, resource.product) ? ALLOW : deny(principal.kind === "anonymous" ? "authentication is required" : "package is not accessible");
    case "release":
      return decideRelease(principal, resource.release, resource.product, now);
    case "artifact": {
      const byRelease = decideRelease(principal, resource.release, resource.product, now);
      if (!byRelease.allowed) return byRelease;
      if (action === "upgrade") return ALLOW;
      return isArtifactVisible(scope, resource.artifact, resource.release, resource.product) ? ALLOW : deny("artifact is not uploaded");
    }
  }
}
