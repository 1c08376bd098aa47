/**
 * @module auth/credentials — read a credential from a request, in Keygen's precedence (§6.1).
 */
import { ValidationError } from "../core/errors.js";

/** A credential found in a request. */
export type Credential =
  | { kind: "none" }
  | { kind: "token"; token: string; scheme: string }
  | { kind: "license"; key: string; scheme: string };

/** The parts of a request credentials are read from. */
export interface CredentialSource {
  authorization: string | null;
  query: URLSearchParams;
}

const RECOGNISED = new Set(["bearer", "token", "basic", "license"]);

function fromUserPass(user: string, pass: string, scheme: string): Credential {
  if (user === "" && pass === "") return { kind: "none" };
  if (user === "license") return pass === "" ? { kind: "none" } : { kind: "license", key: pass, scheme };
  if (user === "token") return pass === "" ? { kind: "none" } : { kind: "token", token: pass, scheme };
  // Backwards compatibility (Keygen): any other user part is itself the token.
  return user === "" ? { kind: "none" } : { kind: "token", token: user, scheme };
}

function decodeBasic(value: string): string {
  const text = value.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new ValidationError("Authorization header is malformed (Basic credentials must be base64)", { code: "AUTHORIZATION_INVALID", source: { header: "Authorization" } });
  }
  const bin = atob(text.padEnd(Math.ceil(text.length / 4) * 4, "="));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError("Authorization header is malformed (Basic credentials must be UTF-8)", { code: "AUTHORIZATION_INVALID", source: { header: "Authorization" } });
  }
}

/**
 * The credential a request carries: `Bearer`/`Token`, `Basic`, `License`, then `?token=`/`?auth=`
 * (the query is ignored when the header uses a recognised scheme).
 * @throws {ValidationError} for a malformed Basic header.
 */
export function readCredential(source: CredentialSource): Credential {
  const header = source.authorization?.trim() ?? "";
  if (header !== "") {
    const space = header.search(/\s/);
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? "" : header.slice(space + 1).trim();
    if (RECOGNISED.has(scheme)) {
      if (value === "") return { kind: "none" };
      if (scheme === "bearer" || scheme === "token") return { kind: "token", token: value, scheme };
      if (scheme === "license") return { kind: "license", key: value, scheme };
      const decoded = decodeBasic(value);
      const colon = decoded.indexOf(":");
      return colon < 0 ? fromUserPass(decoded, "", scheme) : fromUserPass(decoded.slice(0, colon), decoded.slice(colon + 1), scheme);
    }
  }
  const query = source.query.get("token") || source.query.get("auth");
  if (!query) return { kind: "none" };
  const colon = query.indexOf(":");
  return colon < 0 ? fromUserPass(query, "", "query") : fromUserPass(query.slice(0, colon), query.slice(colon + 1), "query");
}
