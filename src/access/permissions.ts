/**
 * @module access/permissions — who may publish: the write half of the access rules (Keygen's
 * release, artifact and package policies).
 *
 * Admin and developer users' tokens write everything; a product token writes its own product only;
 * every other principal (read-only, sales and support users, plain users, license keys and license
 * tokens) may read what its scope shows but never writes. Which records a caller can even name is
 * the read rule (the lookup scope): a record outside it answers 404 before this is asked, so a write
 * never reveals what a read would hide.
 */
import { ForbiddenError, UnauthorizedError } from "../core/errors.js";
import { REASON_BEARER_NOT_ALLOWED, type Decision } from "./authorize.js";
import type { Principal } from "./principal.js";

/** User roles whose tokens write (Keygen: `admin`, `developer`). */
export const WRITER_ROLES: readonly string[] = ["admin", "developer"];

/** Keygen's documentation of authentication (`links.about` of TOKEN_MISSING). */
const AUTH_DOCS = "https://keygen.sh/docs/api/authentication/";

/**
 * May `principal` change records of the product `productId` (null: a product that does not exist)?
 * Pure: the same principal and product always get the same answer.
 */
export function mayWrite(principal: Principal, productId: string | null): Decision {
  switch (principal.kind) {
    case "admin":
      return WRITER_ROLES.includes(principal.user.role) ? { allowed: true } : { allowed: false, reason: REASON_BEARER_NOT_ALLOWED };
    case "product":
      return productId !== null && principal.product.id === productId ? { allowed: true } : { allowed: false, reason: REASON_BEARER_NOT_ALLOWED };
    default:
      return { allowed: false, reason: REASON_BEARER_NOT_ALLOWED };
  }
}

/** True when the principal could write something (some product), so it is worth resolving what it names. */
export function isWriter(principal: Principal): boolean {
  return principal.kind === "product" || (principal.kind === "admin" && WRITER_ROLES.includes(principal.user.role));
}

/**
 * Keygen's `authenticate_with_token!`: every write needs a credential.
 * @throws {UnauthorizedError} `TOKEN_MISSING` (with a Bearer challenge) for an anonymous caller.
 */
export function requireAuthenticated(principal: Principal): void {
  if (principal.kind !== "anonymous") return;
  throw new UnauthorizedError(undefined, { code: "TOKEN_MISSING", about: AUTH_DOCS, headers: { "WWW-Authenticate": 'Bearer realm="keygen"' } });
}

/**
 * Assert that `principal` may change records of `productId`.
 * @throws {UnauthorizedError} for an anonymous caller; {@link ForbiddenError} with Keygen's reason otherwise.
 */
export function assertMayWrite(principal: Principal, productId: string | null): void {
  requireAuthenticated(principal);
  const decision = mayWrite(principal, productId);
  if (!decision.allowed) throw new ForbiddenError(`You do not have permission to complete the request (${decision.reason})`);
}

/** User roles that may choose a download link's lifetime (Keygen: admin, developer, sales agent, support agent; not read-only). */
export const LINK_TTL_ROLES: readonly string[] = ["admin", "developer", "sales-agent", "support-agent"];

/**
 * May `principal` set a download link's `?ttl=`? Keygen's release_artifacts_controller typed_query:
 * only admin, developer, sales-agent, support-agent users, products and environments.
 */
export function mayChooseLinkTtl(principal: Principal): boolean {
  return principal.kind === "product" || (principal.kind === "admin" && LINK_TTL_ROLES.includes(principal.user.role));
}
