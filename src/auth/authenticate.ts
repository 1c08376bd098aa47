/**
 * @module auth/authenticate — turn a request's credential into a principal, with Keygen's errors (§6.2–6.3).
 */
import { timingSafeEqual } from "../core/crypto.js";
import { ForbiddenError, UnauthorizedError } from "../core/errors.js";
import { isUuid } from "../core/uuid.js";
import type { Account, License } from "../model/records.js";
import type { Store } from "../store/types.js";
import { readCredential, type CredentialSource } from "./credentials.js";
import { ADMIN_LIKE_ROLES, ANONYMOUS, isExpired, type LicenseContext, type Principal } from "./principal.js";
import { digestToken } from "./tokens.js";

const TOKEN_DOCS = "https://keygen.sh/docs/api/authentication/#token-authentication";
const LICENSE_DOCS = "https://keygen.sh/docs/api/authentication/#license-authentication";

/** What authentication needs: the store and the clock. */
export interface AuthContext {
  store: Store;
  now: Date;
}

/** The scheme a 401 challenge names: the request's scheme capitalised, or Bearer (Keygen §7.2). */
export function challengeScheme(authorization: string | null): string {
  const scheme = authorization?.trim().split(/\s/, 1)[0]?.toLowerCase() ?? "";
  return ({ bearer: "Bearer", token: "Token", basic: "Basic", license: "License" } as Record<string, string>)[scheme] ?? "Bearer";
}

function unauthorized(code: string, detail: string | undefined, about: string, source: CredentialSource): UnauthorizedError {
  return new UnauthorizedError(detail, {
    code,
    about,
    headers: { "WWW-Authenticate": `${challengeScheme(source.authorization)} realm="keygen"` },
  });
}

async function licenseContext(ctx: AuthContext, license: License): Promise<LicenseContext | null> {
  const policy = await ctx.store.getPolicy(license.accountId, license.policyId);
  if (policy === null) return null;
  const owner = license.ownerId === null ? null : await ctx.store.getUser(license.accountId, license.ownerId);
  return { license, policy, owner };
}

/**
 * Who is asking: anonymous when no credential is given.
 * @throws {UnauthorizedError} TOKEN_FORMAT_INVALID, TOKEN_INVALID, TOKEN_EXPIRED, LICENSE_INVALID
 * @throws {ForbiddenError} USER_BANNED, TOKEN_NOT_ALLOWED, LICENSE_BANNED, LICENSE_SUSPENDED, LICENSE_EXPIRED, LICENSE_NOT_ALLOWED
 */
export async function authenticate(ctx: AuthContext, account: Account, source: CredentialSource): Promise<Principal> {
  const credential = readCredential(source);
  if (credential.kind === "none") return ANONYMOUS;
  if (credential.kind === "license") return authenticateLicenseKey(ctx, account, credential.key, source);
  return authenticateToken(ctx, account, credential.token, source);
}

async function authenticateToken(ctx: AuthContext, account: Account, raw: string, source: CredentialSource): Promise<Principal> {
  if (isUuid(raw)) {
    throw unauthorized("TOKEN_FORMAT_INVALID", "Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)", TOKEN_DOCS, source);
  }
  const digest = await digestToken(account.secretKey, raw);
  const token = await ctx.store.getTokenByDigest(account.id, digest);
  if (token === null || token.accountId !== account.id || !timingSafeEqual(token.digest, digest)) {
    throw unauthorized("TOKEN_INVALID", undefined, TOKEN_DOCS, source);
  }
  if (token.expiry !== null && Date.parse(token.expiry) <= ctx.now.getTime()) {
    throw unauthorized("TOKEN_EXPIRED", "Token is expired", TOKEN_DOCS, source);
  }
  switch (token.bearerType) {
    case "product": {
      const product = (await ctx.store.getProducts(account.id, [token.bearerId]))[0];
      if (product === undefined) throw unauthorized("TOKEN_INVALID", undefined, TOKEN_DOCS, source);
      return { kind: "product", product, token };
    }
    case "user": {
      const user = await ctx.store.getUser(account.id, token.bearerId);
      if (user === null) throw unauthorized("TOKEN_INVALID", undefined, TOKEN_DOCS, source);
      if (user.banned) throw new ForbiddenError("User is banned", { code: "USER_BANNED", about: TOKEN_DOCS });
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
      if (lc === null) throw unauthorized("TOKEN_INVALID", undefined, TOKEN_DOCS, source);
      if (lc.owner?.banned) throw new ForbiddenError("User is banned", { code: "USER_BANNED", about: TOKEN_DOCS });
      const strategy = lc.policy.authenticationStrategy;
      if (strategy !== "TOKEN" && strategy !== "MIXED") {
        throw new ForbiddenError("Token authentication is not allowed by policy", { code: "TOKEN_NOT_ALLOWED", about: TOKEN_DOCS });
      }
      return { kind: "license", license: lc, via: "token", token };
    }
  }
}

async function authenticateLicenseKey(ctx: AuthContext, account: Account, key: string, source: CredentialSource): Promise<Principal> {
  const license = await ctx.store.getLicenseByKey(account.id, key);
  const lc = license === null || license.accountId !== account.id ? null : await licenseContext(ctx, license);
  if (lc === null) throw unauthorized("LICENSE_INVALID", undefined, LICENSE_DOCS, source);
  if (lc.owner?.banned) throw new ForbiddenError("License is banned", { code: "LICENSE_BANNED", about: LICENSE_DOCS });
  if (lc.license.suspended) throw new ForbiddenError("License is suspended", { code: "LICENSE_SUSPENDED", about: LICENSE_DOCS });
  if (lc.policy.expirationStrategy === "REVOKE_ACCESS" && isExpired(lc.license, ctx.now)) {
    throw new ForbiddenError("License is expired", { code: "LICENSE_EXPIRED", about: LICENSE_DOCS });
  }
  const strategy = lc.policy.authenticationStrategy;
  if (strategy !== "LICENSE" && strategy !== "MIXED") {
    throw new ForbiddenError("License key authentication is not allowed by policy", { code: "LICENSE_NOT_ALLOWED", about: LICENSE_DOCS });
  }
  return { kind: "license", license: lc, via: "key", token: null };
}
