/**
 * @module access/principal — who is asking, and the scope of what they may see.
 */
import type { License, Policy, Product, Token, User } from "../model/records.js";
import type { Grant, Scope } from "./scope.js";
import { boundedMemo } from "../core/memo.js";

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
  return expiry !== null && instant(expiry) < now.getTime();
}

/** Milliseconds of recent expiry texts (`Date.parse` was a few per cent of a licensed request; NaN stays NaN). */
const instant = boundedMemo((text: string) => Date.parse(text), 4096);

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
 * The access one license grants: its entitlements and access window.
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

/** A license principal's two scopes, kept while its records (the same objects) and its expiry state stay as they were. */
interface LicenseScopes {
  license: License;
  policy: Policy;
  owner: User | null;
  expired: boolean;
  list?: Scope;
  lookup?: Scope;
}

/** Scopes of recently seen license principals, by license id (bounded: emptied when full). */
const licenseScopes = new Map<string, LicenseScopes>();

/**
 * A license principal's scope, made once while the license, policy and owner records are the same
 * objects and the license has not expired since (stores that hand out the same records, as the
 * memory store does, pay for grants once; fresh records are simply scoped again).
 */
function licenseScope(ctx: LicenseContext, now: Date, lookup: boolean): Scope {
  const expired = isExpired(ctx.license, now);
  let memo = licenseScopes.get(ctx.license.id);
  if (memo === undefined || memo.license !== ctx.license || memo.policy !== ctx.policy || memo.owner !== ctx.owner || memo.expired !== expired) {
    if (licenseScopes.size >= 4096) licenseScopes.clear();
    memo = { license: ctx.license, policy: ctx.policy, owner: ctx.owner, expired };
    licenseScopes.set(ctx.license.id, memo);
  }
  const known = lookup ? memo.lookup : memo.list;
  if (known !== undefined) return known;
  const grant = grantOf(ctx, now, lookup);
  const scope: Scope = { all: false, products: [], grants: grant === null ? [] : [grant], licensedProducts: [ctx.license.productId] };
  if (lookup) memo.lookup = scope;
  else memo.list = scope;
  return scope;
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
      return licenseScope(principal.license, now, lookup);
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
 * exactly): the caller's list scope, except that developer, read-only,
 * sales-agent and support-agent users are offered only OPEN products' unconstrained releases.
 */
export function upgradeScopeOf(principal: Principal, scope: Scope): Scope {
  return principal.kind === "admin" && principal.user.role !== "admin" ? UPGRADE_OPEN_ONLY : scope;
}

/** What an admin-like, non-admin user's upgrades see: what an anonymous caller sees. */
const UPGRADE_OPEN_ONLY: Scope = Object.freeze({ all: false, products: [], grants: [], licensedProducts: [] });
