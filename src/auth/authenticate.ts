/**
 * @module auth/authenticate — turn a request's credential into a principal, with Keygen's errors.
 */
import { timingSafeEqual } from "../core/crypto.js";
import { ForbiddenError, UnauthorizedError } from "../core/errors.js";
import { isUuid } from "../core/uuid.js";
import type { Account, License } from "../model/records.js";
import type { Store } from "../store/types.js";
import { readCredential, type CredentialSource } from "./credentials.js";
import { ADMIN_LIKE_ROLES, ANONYMOUS, isExpired, isPast, type LicenseContext, type Principal } from "../access/principal.js";
import { digestToken } from "./tokens.js";
import { credentialsVersionOf } from "../store/sync-reads.js";

/** Keygen's documentation of token authentication (`links.about` of TOKEN_* errors). */
export const TOKEN_DOCS = "https://keygen.sh/docs/api/authentication/#token-authentication";
/** Keygen's documentation of license key authentication (`links.about` of LICENSE_* errors). */
export const LICENSE_DOCS = "https://keygen.sh/docs/api/authentication/#license-authentication";

/** What authentication needs: the store and the clock. */
export interface AuthContext {
  store: Store;
  now: Date;
  /** The `WWW-Authenticate` value of a 401, replacing Keygen's `<Scheme> realm="keygen"` (e.g. Basic on PyPI routes). */
  challenge?: string;
  /** A token that is no token of the account is tried as a license key (npm's `_authToken` may hold one). */
  tokenMayBeLicenseKey?: boolean;
}

/** An auth-scheme (RFC 9110 token) that starts with a letter; anything else is challenged as Bearer. */
const SCHEME = /^[A-Za-z][!#$%&'*+.^_`|~0-9A-Za-z-]*$/;

/**
 * The scheme a 401 challenge names: the request's Authorization scheme capitalised (`bearer` → `Bearer`,
 * `foo` → `Foo`), or `Bearer` when there is none.
 */
export function challengeScheme(authorization: string | null): string {
  const scheme = authorization?.trim().split(/\s/, 1)[0] ?? "";
  if (scheme === "" || !SCHEME.test(scheme)) return "Bearer";
  return scheme.charAt(0).toUpperCase() + scheme.slice(1).toLowerCase();
}

/** The `WWW-Authenticate` value Keygen sends with a 401 for a request with this Authorization header. */
export function challengeFor(authorization: string | null): string {
  return `${challengeScheme(authorization)} realm="keygen"`;
}

function unauthorized(ctx: AuthContext, source: CredentialSource, code: string, detail?: string, about?: string): UnauthorizedError {
  return new UnauthorizedError(detail, {
    code,
    ...(about !== undefined ? { about } : {}),
    headers: { "WWW-Authenticate": ctx.challenge ?? challengeFor(source.authorization) },
  });
}

async function licenseContext(ctx: AuthContext, license: License): Promise<LicenseContext | null> {
  const policy = await ctx.store.getPolicy(license.accountId, license.policyId);
  if (policy === null) return null;
  const owner = license.ownerId === null ? null : await ctx.store.getUser(license.accountId, license.ownerId);
  return { license, policy, owner };
}

/**
 * Who is asking: anonymous when no credential is given. `links.about` is set on the codes Keygen sets
 * it on (TOKEN_FORMAT_INVALID, TOKEN_INVALID, TOKEN_NOT_ALLOWED, LICENSE_INVALID, LICENSE_NOT_ALLOWED).
 * @throws {UnauthorizedError} TOKEN_FORMAT_INVALID, TOKEN_INVALID, TOKEN_EXPIRED, LICENSE_INVALID (with `WWW-Authenticate`)
 * @throws {ForbiddenError} USER_BANNED, TOKEN_NOT_ALLOWED, LICENSE_BANNED, LICENSE_SUSPENDED, LICENSE_EXPIRED, LICENSE_NOT_ALLOWED
 * @throws {ValidationError} AUTHORIZATION_INVALID for a malformed Basic header
 */
export async function authenticate(ctx: AuthContext, account: Account, source: CredentialSource): Promise<Principal> {
  const credential = readCredential(source);
  if (credential.kind === "none") return ANONYMOUS;
  if (credential.kind === "license") return authenticateLicenseKey(ctx, account, credential.key, source);
  return authenticateToken(ctx, account, credential.token, source);
}

async function authenticateToken(ctx: AuthContext, account: Account, raw: string, source: CredentialSource): Promise<Principal> {
  if (ctx.tokenMayBeLicenseKey === true) {
    const digest = await digestToken(account.secretKey, raw);
    const token = await ctx.store.getTokenByDigest(account.id, digest);
    if (token === null || token.accountId !== account.id) return authenticateLicenseKey(ctx, account, raw, source);
  }
  if (isUuid(raw)) {
    throw unauthorized(ctx, source, "TOKEN_FORMAT_INVALID", "Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)", TOKEN_DOCS);
  }
  const invalid = () => unauthorized(ctx, source, "TOKEN_INVALID", undefined, TOKEN_DOCS);
  const digest = await digestToken(account.secretKey, raw);
  const token = await ctx.store.getTokenByDigest(account.id, digest);
  if (token === null || token.accountId !== account.id || !timingSafeEqual(token.digest, digest)) throw invalid();
  if (isPast(token.expiry, ctx.now)) throw unauthorized(ctx, source, "TOKEN_EXPIRED", "Token is expired");
  switch (token.bearerType) {
    case "product": {
      const product = (await ctx.store.getProducts(account.id, [token.bearerId]))[0];
      if (product === undefined) throw invalid();
      return { kind: "product", product, token };
    }
    case "user": {
      const user = await ctx.store.getUser(account.id, token.bearerId);
      if (user === null) throw invalid();
      if (user.banned) throw new ForbiddenError("User is banned", { code: "USER_BANNED" });
      if (ADMIN_LIKE_ROLES.includes(user.role)) return { kind: "admin", user, token };
      const licenses: LicenseContext[] = [];
      for (const license of await ctx.store.listUserLicenses(account.id, user.id)) {
        const lc = await licenseContext(ctx, license);
        if (lc !== null) licenses.push(lc);
      }
      return { kind: "user", user, licenses, token };
    }
    case "license": {
      const license = await ctx.store.getLicense(account.id, token.bearerId);
      const lc = license === null ? null : await licenseContext(ctx, license);
      if (lc === null) throw invalid();
      // Keygen: a license bearer is "banned" when its owner is, and token auth answers USER_BANNED.
      if (lc.owner?.banned) throw new ForbiddenError("User is banned", { code: "USER_BANNED" });
      const strategy = lc.policy.authenticationStrategy;
      if (strategy !== "TOKEN" && strategy !== "MIXED") {
        throw new ForbiddenError("Token authentication is not allowed by policy", { code: "TOKEN_NOT_ALLOWED", about: TOKEN_DOCS });
      }
      return { kind: "license", license: lc, via: "token", token };
    }
  }
}

/**
 * License key authentications that passed, for stores that tell when their credential records may
 * have changed ({@link credentialsVersionOf}: never for the memory store, at every change for a SQL
 * store's cache): by store, account id and key, with the version they were read at. Only the clock can
 * still refuse one, so the expiry is decided again on every request, as the full check does.
 */
const knownKeys = new WeakMap<Store, Map<string, Map<string, KnownKey>>>();
/** Most keys remembered per account (a full map is emptied and fills again). */
const KNOWN_KEYS_LIMIT = 4096;

/** A remembered authentication and the credentials version it was read at. */
interface KnownKey {
  principal: Principal & { kind: "license" };
  version: number;
}

/**
 * The principal {@link authenticate} would answer, when it is known without the store: anonymous for
 * no credential, or a remembered license key (its expiry decided against `ctx.now`); undefined when
 * only `authenticate` can tell.
 * @throws as {@link authenticate} does (a malformed Basic header; a remembered key that has expired)
 */
export function knownPrincipal(ctx: AuthContext, account: Account, source: CredentialSource): Principal | undefined {
  const credential = readCredential(source);
  if (credential.kind === "none") return ANONYMOUS;
  return credential.kind === "license" ? knownLicenseKey(ctx, account, credential.key) : undefined;
}

function knownLicenseKey(ctx: AuthContext, account: Account, key: string): Principal | undefined {
  const entry = knownKeys.get(ctx.store)?.get(account.id)?.get(key);
  if (entry === undefined || entry.version !== credentialsVersionOf(ctx.store)?.()) return undefined;
  const known = entry.principal;
  if (known.license.policy.expirationStrategy === "REVOKE_ACCESS" && isExpired(known.license.license, ctx.now)) {
    throw new ForbiddenError("License is expired", { code: "LICENSE_EXPIRED" });
  }
  return known;
}

async function authenticateLicenseKey(ctx: AuthContext, account: Account, key: string, source: CredentialSource): Promise<Principal> {
  const known = knownLicenseKey(ctx, account, key);
  if (known !== undefined) return known;
  // The version before the reads: a change while they run moves it, and what they read is never used after.
  const version = credentialsVersionOf(ctx.store)?.();
  const principal = await checkLicenseKey(ctx, account, key, source);
  if (version !== undefined) remember(ctx.store, account.id, key, { principal, version });
  return principal;
}

function remember(store: Store, accountId: string, key: string, known: KnownKey): void {
  let accounts = knownKeys.get(store);
  if (accounts === undefined) knownKeys.set(store, (accounts = new Map()));
  let keys = accounts.get(accountId);
  if (keys === undefined) accounts.set(accountId, (keys = new Map()));
  if (keys.size >= KNOWN_KEYS_LIMIT) keys.clear();
  keys.set(key, known);
}

async function checkLicenseKey(ctx: AuthContext, account: Account, key: string, source: CredentialSource): Promise<Principal & { kind: "license" }> {
  const found = await ctx.store.getLicenseByKey(account.id, key);
  const license = found !== null && found.accountId === account.id && timingSafeEqual(found.key, key) ? found : null;
  const lc = license === null ? null : await licenseContext(ctx, license);
  if (lc === null) throw unauthorized(ctx, source, "LICENSE_INVALID", undefined, LICENSE_DOCS);
  if (lc.owner?.banned) throw new ForbiddenError("License is banned", { code: "LICENSE_BANNED" });
  if (lc.license.suspended) throw new ForbiddenError("License is suspended", { code: "LICENSE_SUSPENDED" });
  if (lc.policy.expirationStrategy === "REVOKE_ACCESS" && isExpired(lc.license, ctx.now)) {
    throw new ForbiddenError("License is expired", { code: "LICENSE_EXPIRED" });
  }
  const strategy = lc.policy.authenticationStrategy;
  if (strategy !== "LICENSE" && strategy !== "MIXED") {
    throw new ForbiddenError("License key authentication is not allowed by policy", { code: "LICENSE_NOT_ALLOWED", about: LICENSE_DOCS });
  }
  return { kind: "license", license: lc, via: "key", token: null };
}
