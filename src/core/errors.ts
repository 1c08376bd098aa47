/**
 * @module errors — the one error base class and its JSON:API rendering.
 */

const MARKER = Symbol.for("release-engines.error");

/** Where in the request a problem was found, as JSON:API `source`. */
export interface ErrorSource {
  pointer?: string;
  parameter?: string;
  header?: string;
}

/** Options shared by every SDK error. */
export interface SdkErrorOptions {
  title?: string;
  code?: string;
  source?: ErrorSource;
  about?: string;
  headers?: Record<string, string>;
  cause?: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  402: "Payment required",
  403: "Access denied",
  404: "Not found",
  405: "Not supported",
  406: "Not acceptable",
  409: "Conflict",
  413: "Payload too large",
  414: "URI too long",
  422: "Unprocessable entity",
  431: "Request header fields too large",
  500: "Internal server error",
  503: "Service unavailable",
};

/** Title Keygen uses for a status code. */
export function titleForStatus(status: number): string {
  return TITLES[status] ?? "Error";
}

/** `Error` with V8's and JavaScriptCore's stack depth setting (absent elsewhere). */
const Traced = Error as ErrorConstructor & { stackTraceLimit?: number };

/**
 * Base class of every error the SDK raises on purpose; carries an HTTP `status` and a `code`. A 4xx error is an
 * answer to a caller, not a fault, and carries no stack trace (capturing one costs more than the rest of a 404);
 * a 5xx error keeps its trace.
 */
export class SdkError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly title: string;
  readonly detail: string;
  readonly source: ErrorSource | undefined;
  readonly about: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, options: SdkErrorOptions = {}) {
    const limit = Traced.stackTraceLimit;
    const untraced = status < 500 && typeof limit === "number";
    if (untraced) Traced.stackTraceLimit = 0;
    try {
      super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      if (untraced) Traced.stackTraceLimit = limit;
    }
    this.name = new.target.name;
    this.status = status;
    this.detail = detail;
    this.code = options.code;
    this.title = options.title ?? titleForStatus(status);
    this.source = options.source;
    this.about = options.about;
    this.headers = options.headers ?? {};
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** True for any SdkError, including one from another copy of the package (ESM and CJS). */
export function isSdkError(value: unknown): value is SdkError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** 400: the request's input is invalid (bad query parameter, header or body). */
export class ValidationError extends SdkError {
  constructor(detail: string, options: SdkErrorOptions = {}) {
    super(400, detail, options);
  }
}

/** 401: credentials are missing or invalid. */
export class UnauthorizedError extends SdkError {
  constructor(detail = "You must be authenticated to complete the request", options: SdkErrorOptions = {}) {
    super(401, detail, options);
  }
}

/** 403: the caller is known but not allowed. */
export class ForbiddenError extends SdkError {
  constructor(detail = "You do not have permission to complete the request", options: SdkErrorOptions = {}) {
    super(403, detail, options);
  }
}

/** 404: the resource does not exist or is not visible to the caller. */
export class NotFoundError extends SdkError {
  constructor(detail = "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)", options: SdkErrorOptions = {}) {
    super(404, detail, { code: "NOT_FOUND", ...options });
  }
}

/** 406: no representation matches the request's `Accept` header. */
export class NotAcceptableError extends SdkError {
  constructor(detail = "None of the acceptable media types can be served", options: SdkErrorOptions = {}) {
    super(406, detail, { code: "NOT_ACCEPTABLE", ...options });
  }
}

/** 422: the document is well-formed but cannot be applied (a taken version, tag, key or filename; a bad transition). */
export class ConflictError extends SdkError {
  constructor(detail: string, options: SdkErrorOptions & { code: string; pointer?: string }) {
    const { pointer, ...rest } = options;
    super(422, detail, { title: "Unprocessable resource", ...(pointer !== undefined ? { source: { pointer } } : {}), ...rest });
  }
}

/** 405: the store behind the handler cannot write (a dataset served from memory, or a read-only custom store). */
export class ReadOnlyStoreError extends SdkError {
  constructor(detail = "This server's store is read-only: serve a SQLite or PostgreSQL store (serve --db FILE or --database-url URL) to publish") {
    super(405, detail, { code: "STORE_READ_ONLY" });
  }
}

/** 500/503: the store failed; the message shown to clients never carries the cause. */
export class StoreError extends SdkError {
  constructor(detail: string, options: SdkErrorOptions & { status?: 500 | 503 } = {}) {
    super(options.status ?? 503, detail, { code: "STORE_UNAVAILABLE", ...options });
  }
}

/** A dataset file failed validation; `problems` lists every JSON path and reason. */
export class DatasetError extends SdkError {
  readonly problems: ReadonlyArray<{ path: string; message: string }>;
  constructor(problems: ReadonlyArray<{ path: string; message: string }>) {
    super(422, `dataset is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"})`, { code: "DATASET_INVALID" });
    this.problems = problems;
  }
}

/** Not-found error with Keygen's detail text: `The requested <model> '<id>' was not found`. */
export function notFound(model: string, id?: string): NotFoundError {
  return new NotFoundError(id === undefined ? `The requested ${model} was not found` : `The requested ${model} '${id}' was not found`);
}

/** One JSON:API error object. */
export interface JsonApiError {
  title: string;
  detail: string;
  code?: string;
  source?: ErrorSource;
  links?: { about: string };
}

/** A JSON:API error document. */
export interface JsonApiErrorDocument {
  meta?: { id: string };
  errors: JsonApiError[];
}

/** Render an error as a JSON:API error object; anything that is not an SdkError becomes a generic 500. */
export function toJsonApiError(error: unknown): { status: number; error: JsonApiError; headers: Record<string, string> } {
  if (isSdkError(error)) {
    const out: JsonApiError = { title: error.title, detail: error.detail };
    if (error.code !== undefined) out.code = error.code;
    if (error.source !== undefined) out.source = error.source;
    if (error.about !== undefined) out.links = { about: error.about };
    return { status: error.status, error: out, headers: error.headers };
  }
  return {
    status: 500,
    error: {
      title: "Internal server error",
      detail: "Looks like something went wrong! Our engineers have been notified. If you continue to have problems, please contact support.",
      code: "INTERNAL_SERVER_ERROR",
    },
    headers: {},
  };
}
