/**
 * @module auth/tokens — Keygen-format tokens and their digests.
 */
import { hmacSha256Hex } from "../core/crypto.js";
import { toHex } from "../core/encoding.js";
import { randomBytes } from "../core/crypto.js";

/** Token kinds and the prefixes Keygen gives them. */
export const TOKEN_PREFIXES = {
  admin: "admin",
  environment: "env",
  product: "prod",
  user: "user",
  license: "activ",
  developer: "dev",
  "sales-agent": "sales",
  "support-agent": "spprt",
  "read-only": "read",
} as const;

/** A kind of token. */
export type TokenKind = keyof typeof TOKEN_PREFIXES;

/** A new random token in Keygen's v3 format: `<prefix>-<hex>v3` (32 hex digits for licenses, 64 otherwise). */
export function generateToken(kind: TokenKind): string {
  const hex = toHex(randomBytes(kind === "license" ? 16 : 32));
  return `${TOKEN_PREFIXES[kind]}-${hex}v3`;
}

/** The digest stored for a token: hex HMAC-SHA256 under the account's secret key. */
export function digestToken(secretKey: string, token: string): Promise<string> {
  return hmacSha256Hex(secretKey, token);
}
