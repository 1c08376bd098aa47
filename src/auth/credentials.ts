/**
 * @module auth/credentials — read a credential from a request, in Keygen's precedence.
 */
import { ValidationError } from "../core/errors.js";
import { boundedMemo } from "../core/memo.js";

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

/** Authorization schemes Keygen reads (case-insensitive); with one of them the query string is ignored. */
export const RECOGNISED_SCHEMES: readonly string[] = ["bearer", "token", "basic", "license"];

const NONE: Credential = Object.freeze({ kind: "none" });

/**
 * Keygen's `user:pass` convention (Basic and query): `license:<key>`, `token:<token>` (or PyPI's
 * `__token__:<token>`, what twine sends), else the user part is the token.
 */
function fromUserPass(user: string, pass: string | undefined, scheme: string): Credential {
  if (user === "license") return pass ? { kind: "license", key: pass, scheme } : NONE;
  if (user === "token" || user === "__token__") return pass ? { kind: "token", token: pass, scheme } : NONE;
  // Backwards compatibility (Keygen): any other user part is itself the token; the password is ignored.
  return user === "" ? NONE : { kind: "token", token: user, scheme };
}

function splitOnce(text: string): [string, string | undefined] {
  const colon = text.indexOf(":");
  return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}

function malformed(detail: string): ValidationError {
  return new ValidationError(`Authorization header is malformed (${detail})`, { code: "AUTHORIZATION_INVALID", source: { header: "Authorization" } });
}

/** One strict decoder for every Basic header (a `TextDecoder` per request cost more than the rest of the decoding). */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function decodeBasicText(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw malformed("Basic credentials must be base64 of 'license:<key>', 'token:<token>' or '<token>:'");
  }
  let bin: string;
  try {
    bin = atob(text.padEnd(Math.ceil(text.length / 4) * 4, "="));
  } catch {
    throw malformed("Basic credentials must be base64 of 'license:<key>', 'token:<token>' or '<token>:'");
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw malformed("Basic credentials must be UTF-8");
  }
}

/** Decoded Basic credentials of recent header values (a pure function of the text; malformed ones throw every time, unremembered). */
const decodeBasic = boundedMemo((value: string) => decodeBasicText(value.trim()), 1024);

/** Rails' token parameters: `Bearer <token>` or `Token token="<token>", opt=...`; the first parameter is the token. */
function bearerValue(value: string): string {
  const first = value.split(/[,;\t]/).map((p) => p.trim()).find((p) => p !== "") ?? "";
  const raw = first.startsWith("token=") ? first.slice("token=".length) : first;
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/** The last value of a query parameter (Rails keeps the last), or null when absent. */
function lastParam(query: URLSearchParams, name: string): string | null {
  const all = query.getAll(name);
  return all.length === 0 ? null : (all[all.length - 1] as string);
}

/**
 * The credential a request carries: `Bearer`/`Token`, `Basic`, `License`, then `?token=`/`?auth=`
 * (the query is ignored when the header uses a recognised scheme, and read when it does not).
 * @throws {ValidationError} AUTHORIZATION_INVALID for Basic credentials that are not base64 UTF-8.
 */
export function readCredential(source: CredentialSource): Credential {
  const authorization = source.authorization;
  if (authorization !== null && authorization !== "") {
    const fromHeader = headerCredential(authorization);
    if (fromHeader !== QUERY_DECIDES) return fromHeader;
  }
  // Keygen: `params[:token] || params[:auth]` — a present `token`, even empty, wins.
  const query = lastParam(source.query, "token") ?? lastParam(source.query, "auth");
  if (query === null || query.trim() === "") return NONE;
  const [user, pass] = splitOnce(query);
  return fromUserPass(user, pass, "query");
}

/** What {@link credentialOfHeader} answers for a header that names no recognised scheme: the query string decides. */
const QUERY_DECIDES: Credential = Object.freeze({ kind: "none" });

/** The credential an Authorization header gives, or {@link QUERY_DECIDES} when its scheme is none Keygen reads. */
function credentialOfHeader(authorization: string): Credential {
  const header = authorization.trim();
  if (header === "") return QUERY_DECIDES;
  const space = header.search(/\s/);
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  if (!RECOGNISED_SCHEMES.includes(scheme)) return QUERY_DECIDES;
  if (value === "") return NONE;
  if (scheme === "bearer" || scheme === "token") {
    const token = bearerValue(value);
    return token === "" ? NONE : Object.freeze({ kind: "token", token, scheme });
  }
  if (scheme === "license") return Object.freeze({ kind: "license", key: value, scheme });
  const [user, pass] = splitOnce(decodeBasic(value));
  return Object.freeze(fromUserPass(user, pass, scheme));
}

/** Credentials of recent Authorization values (a pure function of the text, read twice per Tauri check; frozen, as callers share them; a malformed Basic value throws every time). */
const headerCredential = boundedMemo(credentialOfHeader, 1024);

/** A credential read from the query string: the parameter's name and its raw value. */
export interface QueryCredential {
  name: "token" | "auth";
  value: string;
}

/**
 * The query parameter a request's credential was read from (`?token=` or `?auth=`, the one
 * {@link readCredential} used), so a URL handed to the caller can carry it; null when the
 * credential came from a header or there is none.
 * @throws {ValidationError} as {@link readCredential} does.
 */
export function queryCredential(source: CredentialSource): QueryCredential | null {
  const credential = readCredential(source);
  if (credential.kind === "none" || credential.scheme !== "query") return null;
  const token = lastParam(source.query, "token");
  return token !== null ? { name: "token", value: token } : { name: "auth", value: lastParam(source.query, "auth") as string };
}
