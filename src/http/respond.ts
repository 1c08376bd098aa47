/**
 * @module http/respond — the only place that builds `Response` objects.
 */
import { toJsonApiError } from "../core/errors.js";
import { JSONAPI_TYPE, type EngineResult } from "../core/result.js";

/** Headers every answer carries unless an engine set its own. */
const DEFAULT_HEADERS: Record<string, string> = {
  "Cache-Control": "no-transform, no-store, max-age=0",
  "X-Content-Type-Options": "nosniff",
};

/** Turn an engine result into a `Response`; a HEAD answer keeps the headers and drops the body. */
export function toResponse(result: EngineResult, method: string): Response {
  const headers = new Headers(DEFAULT_HEADERS);
  for (const [k, v] of Object.entries(result.headers)) headers.set(k, v);
  const noBody = method === "HEAD" || result.status === 204 || result.status === 304;
  if (noBody && result.body instanceof ReadableStream) void result.body.cancel().catch(() => {});
  return new Response(noBody ? null : (result.body as BodyInit | null), { status: result.status, headers });
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
