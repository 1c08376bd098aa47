/**
 * @module access/authorize — may this principal read this resource, and if not, why.
 *
 * `authorize(p, action, r, now).allowed` is true exactly when the record is in `scopeOf(p, now)`
 * (for `download`, in `withYanked(scopeOf(p, now))`), so lists (filtered by scope in the store) and
 * single lookups (checked here) always agree. Denials carry the reason Keygen's policies give, in
 * Keygen's words.
 */
import { ForbiddenError } from "../core/errors.js";
import type { Artifact, Package, Product, Release } from "../model/records.js";
import { isArtifactVisible, isPackageVisible, isReleaseVisible, statusVisible, withYanked, withinWindow, type Scope } from "./scope.js";
import { grantOf, licenseBlock, licensesOf, type LicenseContext, type Principal, scopeOf } from "./principal.js";

/**
 * Actions the engines check. `download` (a release's files: a PyPI project page's entries and
 * `GET /artifacts/{id}`) judges a YANKED release as if it were PUBLISHED (PEP 592);
 * `read` and `upgrade` follow Keygen, which hides YANKED releases from licensees.
 */
export type Action = "read" | "download" | "upgrade";

/** A resource with what is needed to decide on it. */
export type Resource =
  | { type: "package"; package: Package; product: Product }
  | { type: "release"; release: Release; product: Product }
  | { type: "artifact"; artifact: Artifact; release: Release; product: Product };

/** The outcome of an authorization check; a denial carries Keygen's reason. */
export type Decision = { allowed: true } | { allowed: false; reason: string };

/** Keygen's reason for a bare denial when a bearer is present. */
export const REASON_BEARER_NOT_ALLOWED = "ensure the token or license is allowed to access all resources";
/** Keygen's reason for a bare denial when no bearer is present. */
export const REASON_NO_BEARER = "ensure a token or license is present and valid";

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** Keygen's `verify_license_for_release!`, in its order; null when the license may read the release. */
function licenseReason(lc: LicenseContext, release: Release, now: Date): string | null {
  const blocked = licenseBlock(lc, now);
  if (blocked !== null) return blocked;
  const grant = grantOf(lc, now);
  if (grant === null) return REASON_BEARER_NOT_ALLOWED;
  if (!withinWindow(release, grant.cutoff)) return "license expiry falls outside of access window";
  if (release.entitlements.some((code) => !grant.entitlements.includes(code))) return "license is missing entitlements";
  return null;
}

/** The scope an action is judged in: for `download`, YANKED releases count as PUBLISHED. */
function scopeFor(principal: Principal, action: Action, now: Date): Scope {
  const scope = scopeOf(principal, now);
  return action === "download" ? withYanked(scope) : scope;
}

function decideRelease(principal: Principal, action: Action, release: Release, product: Product, now: Date): Decision {
  const scope = scopeFor(principal, action, now);
  if (isReleaseVisible(scope, release, product)) return ALLOW;
  switch (principal.kind) {
    case "anonymous":
      return deny("authentication is required");
    case "license":
    case "user": {
      // Keygen's ReleasePolicy#show?: only licenses for the release's product count; CLOSED is refused first.
      const mine = licensesOf(principal).filter((lc) => lc.license.productId === release.productId);
      if (mine.length === 0) return deny(REASON_BEARER_NOT_ALLOWED);
      if (product.distributionStrategy === "CLOSED") return deny("release distribution strategy is closed");
      if (!statusVisible(scope, release.status)) return deny("release is not published");
      const reasons = mine.map((lc) => licenseReason(lc, release, now)).filter((r): r is string => r !== null);
      // Keygen bubbles up the last failing license's reason.
      return deny(reasons[reasons.length - 1] ?? REASON_BEARER_NOT_ALLOWED);
    }
    default:
      return deny(REASON_BEARER_NOT_ALLOWED);
  }
}

/**
 * Decide whether `principal` may perform `action` on `resource` at `now` (pure: same input, same answer).
 * @example authorize(principal, "read", { type: "release", release, product }, now).allowed
 */
export function authorize(principal: Principal, action: Action, resource: Resource, now: Date = new Date()): Decision {
  switch (resource.type) {
    case "package":
      if (isPackageVisible(scopeOf(principal, now), resource.package, resource.product)) return ALLOW;
      return deny(principal.kind === "anonymous" ? REASON_NO_BEARER : REASON_BEARER_NOT_ALLOWED);
    case "release":
      return decideRelease(principal, action, resource.release, resource.product, now);
    case "artifact": {
      const byRelease = decideRelease(principal, action, resource.release, resource.product, now);
      if (!byRelease.allowed) return byRelease;
      if (action === "upgrade") return ALLOW;
      return isArtifactVisible(scopeFor(principal, action, now), resource.artifact, resource.release, resource.product)
        ? ALLOW
        : deny("artifact is not uploaded");
    }
  }
}

/** The 403 a denial answers: Keygen's `You do not have permission to complete the request (<reason>)`, no code. */
export function accessDenied(decision: { reason: string }): ForbiddenError {
  return new ForbiddenError(`You do not have permission to complete the request (${decision.reason})`);
}
