/**
 * @module result — plain engine results; only the HTTP edge turns them into a `Response`.
 */

/** Body of an engine result: text, bytes, a stream, or nothing. */
export type ResultBody = string | Uint8Array | ReadableStream<Uint8Array> | null;

/** What every engine returns: a status, headers and a body, never a `Response`. */
export interface EngineResult {
  status: number;
  /** A reason phrase for the status line, for clients that show it (twine); printable ASCII only. */
  statusText?: string;
  headers: Record<string, string>;
  body: ResultBody;
}

/** JSON:API content type used for Keygen-style documents. */
export const JSONAPI_TYPE = "application/vnd.api+json; charset=utf-8";

/** A JSON result with the given status and content type. */
export function jsonResult(status: number, value: unknown, headers: Record<string, string> = {}, contentType = JSONAPI_TYPE): EngineResult {
  return { status, headers: { "Content-Type": contentType, ...headers }, body: JSON.stringify(value) };
}

/** A redirect result pointing at `location`. */
export function redirectResult(status: 301 | 302 | 303 | 307 | 308, location: string, headers: Record<string, string> = {}): EngineResult {
  return { status, headers: { Location: location, ...headers }, body: null };
}

/** A 204 result with an empty body. */
export function noContentResult(headers: Record<string, string> = {}): EngineResult {
  return { status: 204, headers, body: null };
}
