/**
 * @module cli/http-client — the JSON:API client of the publishing commands: keygen-cli's URLs,
 * headers and bodies, and server refusals turned into plain lines.
 */
import type { Connection } from "./flags.js";

/** Keygen API version the client speaks (sent as `Keygen-Version`). */
export const KEYGEN_API_VERSION = "1.7";

/** The JSON:API media type. */
export const JSONAPI = "application/vnd.api+json";

/** One JSON:API error object as a server sends it. */
export interface ApiErrorObject {
  title?: string;
  detail?: string;
  code?: string;
  source?: { pointer?: string; parameter?: string; header?: string };
}

/** The server answered with an error status (exit status 1). */
export class ServerRefusal extends Error {
  constructor(readonly status: number, readonly errors: ApiErrorObject[], readonly bodyText: string) {
    super(describeRefusal(status, errors, bodyText).join("\n"));
    this.name = "ServerRefusal";
  }
}

/** The server could not be reached or answered something that is not JSON:API (exit status 1). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}

/** A JSON:API resource object. */
export interface Resource {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
  links?: Record<string, unknown>;
}

/** A parsed answer. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or null when there was none. */
  body: Record<string, unknown> | null;
  url: string;
}

/** Lines describing a refusal: status, then each error's title, detail, code and where. */
export function describeRefusal(status: number, errors: ApiErrorObject[], bodyText: string): string[] {
  if (errors.length === 0) {
    const text = bodyText.replace(/\s+/g, " ").trim();
    return [`the server answered ${status}${text === "" ? "" : `: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`}`];
  }
  return errors.map((e) => {
    const where = e.source?.pointer ?? (e.source?.parameter !== undefined ? `parameter ${e.source.parameter}` : e.source?.header !== undefined ? `header ${e.source.header}` : undefined);
    const parts = [e.title ?? "Error", e.detail].filter((p) => p !== undefined && p !== "");
    return `${status} ${parts.join(": ")}${e.code !== undefined ? ` (${e.code})` : ""}${where !== undefined ? ` at ${where}` : ""}`;
  });
}

/**
 * The URL of an API path as keygen-cli builds it: `{host}/v1/accounts/{account}/{path}` when an
 * account is known, the single-account form `{host}/v1/{path}` when not (Keygen's custom domains,
 * or our `serve --account`).
 */
export function apiUrl(conn: Pick<Connection, "host" | "account">, path: string, query?: Record<string, string | undefined>): string {
  const prefix = conn.account !== undefined ? `${conn.host}/v1/accounts/${encodeURIComponent(conn.account)}` : `${conn.host}/v1`;
  const url = new URL(`${prefix}/${path}`);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, v);
  return url.toString();
}

/** Headers of every API request: Bearer token, JSON:API media types, Keygen's version and environment. */
export function apiHeaders(conn: Pick<Connection, "token" | "environment">, hasBody: boolean, userAgent: string): Record<string, string> {
  return {
    Authorization: `Bearer ${conn.token}`,
    Accept: JSONAPI,
    "Keygen-Version": KEYGEN_API_VERSION,
    "User-Agent": userAgent,
    ...(hasBody ? { "Content-Type": JSONAPI } : {}),
    ...(conn.environment !== undefined ? { "Keygen-Environment": conn.environment } : {}),
  };
}

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The client of one command run. */
export class ApiClient {
  constructor(readonly conn: Connection, readonly userAgent = "release-engines-cli") {}

  /**
   * Send one request (redirects are not followed: a 307 from `POST /artifacts` is read for its
   * `Location`). @throws {ServerRefusal} on a 4xx/5xx; {@link TransportError} when unreachable.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const url = apiUrl(this.conn, path, options.query);
    const hasBody = options.body !== undefined;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        redirect: "manual",
        headers: { ...apiHeaders(this.conn, hasBody, this.userAgent), ...options.headers },
        ...(hasBody ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (error) {
      throw new TransportError(`cannot reach ${new URL(url).origin} (${causeOf(error)})`);
    }
    const text = await response.text();
    let body: Record<string, unknown> | null = null;
    if (text !== "") {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        body = null;
      }
    }
    if (response.status >= 400) {
      const errors = Array.isArray(body?.errors) ? (body.errors as ApiErrorObject[]) : [];
      throw new ServerRefusal(response.status, errors, body === null ? text : "");
    }
    return { status: response.status, headers: response.headers, body, url };
  }
}

/** The `data` resource of a response. @throws {TransportError} when the body has none. */
export function resourceOf(response: ApiResponse): Resource {
  const data = response.body?.data as Resource | undefined;
  if (typeof data !== "object" || data === null || typeof data.id !== "string") {
    throw new TransportError(`${response.url} answered ${response.status} without a JSON:API resource`);
  }
  return { ...data, attributes: (data.attributes ?? {}) as Record<string, unknown> };
}

/** A short reason from a fetch failure (ECONNREFUSED and the like). */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
