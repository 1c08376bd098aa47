/**
 * @module http/respond — the answer on the wire: final headers, and the only place that builds `Response` objects.
 */
import { utf8 } from "../core/encoding.js";
import { toJsonApiError } from "../core/errors.js";
import { JSONAPI_TYPE, type EngineResult } from "../core/result.js";

/** Recent ASCII texts of remembered sizes (answer bodies kept by the engines' memos come back as the same strings, whose hashes V8 keeps). */
const asciiTexts = new Set<string>();
/** Texts this long or longer are remembered: a shorter one is scanned faster than it is hashed. */
const ASCII_MEMO_MIN = 128;
/** Texts longer than this are not remembered (at most {@link ASCII_MEMO_LIMIT} × this many characters kept alive). */
const ASCII_MEMO_MAX = 16 * 1024;
const ASCII_MEMO_LIMIT = 256;

/** True when a text is ASCII only (one byte per character in UTF-8); a recent answer body is not scanned again. */
export function isAscii(text: string): boolean {
  const remembered = text.length >= ASCII_MEMO_MIN && text.length <= ASCII_MEMO_MAX;
  if (remembered && asciiTexts.has(text)) return true;
  const ascii = /^[\x00-\x7f]*$/.test(text);
  if (ascii && remembered) {
    if (asciiTexts.size >= ASCII_MEMO_LIMIT) asciiTexts.clear();
    asciiTexts.add(text);
  }
  return ascii;
}

/** Headers every answer carries unless an engine set its own. */
const DEFAULT_CACHE_CONTROL = "no-transform, no-store, max-age=0";

/**
 * The answer as it goes on the wire: default headers added, `Content-Length` for known lengths (a
 * HEAD answer carries its GET's), and no body for HEAD, 204 and 304 (a HEAD answer keeps the headers). Text bodies become bytes with
 * `encode` (UTF-8), or with `keepAscii` stay strings when they are ASCII only.
 */
export function finalizeResult(result: EngineResult, method: string, encode: (text: string) => Uint8Array = utf8, keepAscii = false): EngineResult {
  // Object.assign onto a literal: V8 spreads two header objects into one a hundred times slower.
  const headers: Record<string, string> = Object.assign({ "Cache-Control": DEFAULT_CACHE_CONTROL, "X-Content-Type-Options": "nosniff" }, result.headers);
  const noBody = method === "HEAD" || result.status === 204 || result.status === 304;
  if (noBody && result.body instanceof ReadableStream) void result.body.cancel().catch(() => {});
  let body = noBody ? null : result.body;
  if (typeof body === "string") {
    if (keepAscii && isAscii(body)) headers["Content-Length"] = String(body.length);
    else body = encode(body);
  }
  if (body instanceof Uint8Array) headers["Content-Length"] = String(body.byteLength);
  else if (headers["Content-Length"] === undefined && result.status !== 204 && result.status !== 304) {
    // No body at all, or HEAD: the length the GET's body has (a stream's only when the engine gave it).
    const full = result.body;
    if (full === null) headers["Content-Length"] = "0";
    else if (typeof full === "string") headers["Content-Length"] = String(isAscii(full) ? full.length : encode(full).byteLength);
    else if (full instanceof Uint8Array) headers["Content-Length"] = String(full.byteLength);
  }
  if (result.statusText !== undefined) return { status: result.status, statusText: result.statusText.replace(/[^\x20-\x7e]/g, " "), headers, body };
  return { status: result.status, headers, body };
}

/** True on workerd (Cloudflare Workers), which compresses answers itself by the client's `Accept-Encoding`. */
export function runtimeEncodesBodies(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === "Cloudflare-Workers";
}

/** Turn a finalized engine result into a `Response`. */
export function toResponse(result: EngineResult): Response {
  const init: ResponseInit & { encodeBody?: "manual" } = { status: result.status, headers: result.headers };
  if (result.statusText !== undefined) init.statusText = result.statusText;
  // workerd would compress a body that says it is encoded once more unless told it is already
  // (gzip inside gzip); other runtimes ignore the member.
  if (result.headers["Content-Encoding"] !== undefined || result.headers["content-encoding"] !== undefined) init.encodeBody = "manual";
  return new Response(result.body as BodyInit | null, init);
}

/**
 * An engine result as a `Response` with the headers `createFetchHandler` adds (`Cache-Control: no-store`
 * unless the engine set its own, `X-Content-Type-Options: nosniff`, `Content-Length`; no body for HEAD, 204, 304).
 * @example return toWebResponse(await resolveTauriUpdate(ctx, input), request.method);
 */
export function toWebResponse(result: EngineResult, method = "GET"): Response {
  return toResponse(finalizeResult(result, method));
}

/** A JSON:API error document for any thrown value; unexpected errors become a generic 500. */
export function errorResult(error: unknown, requestId: string): EngineResult {
  const { status, error: body, headers } = toJsonApiError(error);
  return { status, headers: { "Content-Type": JSONAPI_TYPE, ...headers }, body: JSON.stringify({ meta: { id: requestId }, errors: [body] }) };
}

/** Keygen's plain-text error bodies on PyPI routes (`Unauthorized`, `Forbidden`, …). */
export function pypiErrorResult(error: unknown): EngineResult {
  const { status, headers } = toJsonApiError(error);
  const text: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 406: "Not Acceptable", 503: "Service Unavailable" };
  return { status, headers: { "Content-Type": "text/html; charset=utf-8", ...headers }, body: text[status] ?? "Internal Server Error" };
}
