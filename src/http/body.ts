/**
 * @module http/body — a JSON:API request body, read with a byte cap (never more is buffered) and parsed.
 */
import { readAllBytes } from "../core/bytes.js";
import { SdkError, ValidationError } from "../core/errors.js";
import type { HeaderLookup } from "../core/headers.js";

/** Largest request document the write routes take. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Media types a request document may declare (Keygen takes both). */
const JSON_TYPES = new Set(["application/vnd.api+json", "application/json"]);

/** The rest of the body is never read, so the connection cannot carry another request: the client is told to close it. */
function tooLarge(limit: number = MAX_BODY_BYTES): SdkError {
  return new SdkError(413, `The request body is too large (the limit is ${limit} bytes)`, { code: "BODY_TOO_LARGE", headers: { Connection: "close" } });
}

function cancel(body: ReadableStream<Uint8Array>): void {
  void body.cancel().catch(() => {});
}

/** Refuse a body whose declared length passes the limit before reading any of it. @throws {SdkError} 413 (the stream is cancelled). */
function refuseDeclaredOver(body: ReadableStream<Uint8Array>, headers: HeaderLookup, limit: number): void {
  const declared = headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limit) {
    cancel(body);
    throw tooLarge(limit);
  }
}

/**
 * The body's bytes, at most `limit` of them.
 * @throws {SdkError} 413 as soon as the declared or received length passes the limit (the stream is cancelled).
 */
export async function readCapped(body: ReadableStream<Uint8Array>, headers: HeaderLookup, limit: number = MAX_BODY_BYTES): Promise<Uint8Array> {
  refuseDeclaredOver(body, headers, limit);
  const bytes = await readAllBytes(body, limit);
  if (bytes === null) throw tooLarge(limit);
  return bytes;
}

/**
 * A `multipart/form-data` body parsed by the platform (`Response.formData`) from the body's stream cut
 * at `limit` bytes, so the bytes are held once, by the form; null when it is not a readable form.
 * @throws {SdkError} 413 as soon as the declared or received length passes the limit (the stream is cancelled).
 */
export async function readCappedForm(body: ReadableStream<Uint8Array>, headers: HeaderLookup, contentType: string, limit: number): Promise<FormData | null> {
  refuseDeclaredOver(body, headers, limit);
  const reader = body.getReader();
  let total = 0;
  let over = false;
  const capped = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      total += value.byteLength;
      if (total <= limit) return controller.enqueue(value);
      over = true;
      void reader.cancel().catch(() => {});
      controller.error(tooLarge(limit));
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  try {
    return await new Response(capped, { headers: { "content-type": contentType } }).formData();
  } catch {
    if (over) throw tooLarge(limit);
    return null;
  }
}

/** True when a `Content-Type` names a JSON document type (parameters such as `charset` allowed). */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  return JSON_TYPES.has((value.split(";", 1)[0] as string).trim().toLowerCase());
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The request document: undefined when the request has no body (or an empty one), else the parsed JSON.
 * @throws {SdkError} 413 over {@link MAX_BODY_BYTES}.
 * @throws {ValidationError} `MIME_TYPE_INVALID` for a body that is not declared JSON, `ENCODING_INVALID`
 * for bytes that are not UTF-8, `JSON_INVALID` (pointer at the document) for malformed JSON.
 */
export async function readJsonDocument(body: ReadableStream<Uint8Array> | null | undefined, headers: HeaderLookup): Promise<unknown> {
  if (body === null || body === undefined) return undefined;
  const contentType = headers.get("content-type");
  // An empty body is no document, whatever it is labelled (fetch labels an empty string text/plain).
  const bytes = await readCapped(body, headers);
  if (bytes.byteLength === 0) return undefined;
  if (!isJsonContentType(contentType)) throw mimeInvalid();
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ValidationError("The request could not be completed because it contains an invalid byte sequence (check encoding)", { code: "ENCODING_INVALID" });
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError("The request could not be completed because it contains invalid JSON (check formatting/encoding)", { code: "JSON_INVALID", source: { pointer: "" } });
  }
}

function mimeInvalid(): ValidationError {
  return new ValidationError("The mime type of the request is not acceptable (check content-type and accept headers)", {
    code: "MIME_TYPE_INVALID",
    source: { header: "Content-Type" },
  });
}
