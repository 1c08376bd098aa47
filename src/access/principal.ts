/**
 * @module access/principal — who is asking, and the scope of what they may see.
 */
import type { License, Policy, Product, Token, User } from "../model/records.js";
import type { Grant, Scope } from "./scope.js";

/** A license as a principal knows it: with its policy and owner. */
export interface LicenseContext {
  license: License;
  policy: Policy;
  owner: User | null;
}

/** The authenticated caller. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "admin"; user: User; token: Token | null }
  | { kind: "product"; product: Product; token: Token }
  | { kind: "license"; license: LicenseContext; via: "key" | "token"; token: Token | null }
  | { kind: "user"; user: User; licenses: LicenseContext[]; token: Token };

/** The anonymous principal. */
export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous" });

/** Roles that read like admins (Keygen's admin-like branch). */
export const ADMIN_LIKE_ROLES: readonly string[] = ["admin", "developer", "read-only", "sales-agent", "support-agent"];

/** True when an expiry has passed at `now` (Keygen: `expiry < now`; an instant equal to now is not yet expired). */
export function isPast(expiry: string | null, now: Date): boolean {
  return expiry !== null && Date.parse(expiry) < now.getTime();
}

/** True when a license has expired at `now`. */
export function isExpired(license: License, now: Date): boolean {
  return isPast(license.expiry, now);
}

/** Why a license grants nothing at all at `now`, in Keygen's words, or null when it is usable. */
export function licenseBlock(ctx: LicenseContext, now: Date): string | null {
  if (ctx.license.suspended) return "license is suspended";
  if (ctx.owner?.banned) return "license is banned";
  if (ctx.policy.expirationStrategy === "REVOKE_ACCESS" && isExpired(ctx.license, now)) return "license is expired";
  return null;
}

/**
 * The access one license grants: its entitlements and access window (Keygen §6.5, §6.7).
 * Null when the license grants nothing. In `lookup` mode the grant follows Keygen's release scope:
 * suspended and banned licenses still find releases (their policy check answers 403 with the reason),
 * an expired REVOKE_ACCESS license finds none, and the window admits a release created *or*
 * backdated within it.
 */
export function grantOf(ctx: LicenseContext, now: Date, lookup = false): Grant | null {
  if (lookup) {
    if (ctx.policy.expirationStrategy === "REVOKE_ACCESS" && isExpired(ctx.license, now)) return null;
  } else if (licenseBlock(ctx, now) !== null) {
    return null;
  }
  const windowed = ctx.license.expiry !== null &&
    (ctx.policy.expirationStrategy === "RESTRICT_ACCESS" || ctx.policy.expirationStrategy === "MAINTAIN_ACCESS");
  return {
    productId: ctx.license.productId,
    entitlements: [...new Set([...ctx.policy.entitlements, ...ctx.license.entitlements])],
    cutoff: windowed ? ctx.license.expiry : null,
    ...(lookup ? { window: "either" as const } : {}),
  };
}

/** The licenses a license or user principal acts through; [] for everyone else. */
export function licensesOf(principal: Principal): readonly LicenseContext[] {
  if (principal.kind === "license") return [principal.license];
  if (principal.kind === "user") return principal.licenses;
  return [];
}

/**
 * The scope a principal sees at `now`; stores filter every list with it. With `lookup`, the scope
 * single lookups use (Keygen's own scope): records a policy then refuses are found, so that the
 * answer is 403 with the reason instead of 404, as Keygen does. `authorize` allows exactly what the
 * list scope (without `lookup`) shows.
 */
export function scopeOf(principal: Principal, now: Date, lookup = false): Scope {
  switch (principal.kind) {
    case "admin":
      return { all: true, products: [], grants: [], licensedProducts: [] };
    case "product":
      return { all: false, products: [principal.product.id], grants: [], licensedProducts: [], ownOnly: true };
    case "license":
    case "user": {
      const list = licensesOf(principal);
      const grants = list.map((l) => grantOf(l, now, lookup)).filter((g): g is Grant => g !== null);
      return { all: false, products: [], grants, licensedProducts: [...new Set(list.map((l) => l.license.productId))] };
    }
    default:
      return { all: false, products: [], grants: [], licensedProducts: [] };
  }
}

/**
 * The scope upgrade candidates are chosen in (Keygen `Release.accessible_by` matches the `admin` role
 * exactly, keygen-engines.md §10.6): the caller's list scope, except that developer, read-only,
 * sales-agent and support-agent users are offered only OPEN products' unconstrained releases.
 */
export function upgradeScopeOf(principal: Principal, scope: Scope): Scope {
  return principal.kind === "admin" && principal.user.role !== "admin" ? UPGRADE_OPEN_ONLY : scope;
}

/** What an admin-like, non-admin user's upgrades see: what an anonymous caller sees. */
const UPGRADE_OPEN_ONLY: Scope = Object.freeze({ all: false, products: [], grants: [], licensedProducts: [] });
