/**
 * @module node/http — serve a fetch handler with node:http, streaming bodies both ways.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { EngineResult } from "../core/result.js";
import { isSdkError, ValidationError } from "../core/errors.js";
import { isPlainHost, type HeaderLookup } from "../core/headers.js";
import { boundedMemo } from "../core/memo.js";
import { isOriginForm, requestTargetError } from "../core/target.js";
import { partsOf, type RequestLike, type RequestParts } from "../http/fetch.js";
import { errorResult, finalizeResult, isAscii } from "../http/respond.js";
import { applyConnectionLimits, connectionLimitsProblem, defaultConnectionLimits, limitServerOptions, type ConnectionLimits } from "./limits.js";
import { keepTickShape } from "./tick-shape.js";

/**
 * The URL of a request target against the origin its Host gives; only an origin-form target (a path)
 * is accepted, so the target can never choose the origin of the URLs built from it.
 * @throws {ValidationError} 400 `REQUEST_TARGET_INVALID` for `//host/…`, `/\host/…`, absolute-form and the like.
 */
function targetUrl(target: string, origin: string): URL {
  if (!isOriginForm(target)) throw requestTargetError();
  const url = new URL(target, origin);
  if (url.origin !== origin) throw requestTargetError();
  return url;
}

/**
 * A node:http request as a web `Request` (bodies are only read for methods that have one).
 * @throws {ValidationError} 400 when the request target is not a path (origin-form).
 */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const url = targetUrl(req.url ?? "/", new URL(origin).origin);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** HTTP whitespace `Headers` strips from the ends of a value. */
const EDGE_SPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Whether a raw header name is `want` (lower case) in any ASCII case, without making a lower-case copy
 * of it: names are tokens (node's parser refuses others), so ASCII folding is all the folding they need.
 */
function isHeaderNamed(key: string, want: string): boolean {
  if (key === want) return true;
  if (key.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const c = key.charCodeAt(i);
    if (c !== want.charCodeAt(i) && !(c >= 65 && c <= 90 && c + 32 === want.charCodeAt(i))) return false;
  }
  return true;
}

/** True when `name` has an ASCII capital (the handler's own lookups are lowercase constants: no copy made for them). */
function hasCapital(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** `rawHeaders` read by name as `Headers.get` reads: case-insensitive, repeated fields joined with `, `. */
class RawHeaderLookup implements HeaderLookup {
  constructor(private readonly raw: string[]) {}

  get(name: string): string | null {
    const want = hasCapital(name) ? name.toLowerCase() : name;
    const raw = this.raw;
    let out: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (!isHeaderNamed(raw[i] as string, want)) continue;
      let value = raw[i + 1] as string;
      const last = value.length - 1;
      if (last >= 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(last) <= 32)) value = value.replace(EDGE_SPACE, "");
      out = out === null ? value : `${out}, ${value}`;
    }
    return out;
  }
}

/** A path and query `new URL` keeps as they are: no dot segments, no `\\`, nothing it would percent-encode, no fragment. */
const PLAIN_TARGET = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@%/?]+)?$/;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:[/?]|$)/i;

/** {@link DOT_SEGMENT} of a target starting with `/`: a dot segment starts with `/.` or `/%2e`, which a plain scan rules out first. */
function hasDotSegment(target: string): boolean {
  return (target.includes("/.") || target.includes("/%2")) && DOT_SEGMENT.test(target);
}

/** The path and query of recent targets already in the form `new URL` gives, or null for one that is not (a pure function of the target). */
function plainTarget(target: string): readonly [string, string] | null {
  return target.length <= TARGET_MEMO_MAX ? knownTarget(target) : splitPlainTarget(target);
}

/** Targets up to this long are remembered (1,024 of them at most). */
const TARGET_MEMO_MAX = 2048;
const knownTarget = boundedMemo((target) => splitPlainTarget(target), 1024);

function splitPlainTarget(target: string): readonly [string, string] | null {
  if (!PLAIN_TARGET.test(target) || hasDotSegment(target)) return null;
  const q = target.indexOf("?");
  return q < 0 ? [target, ""] : [target.slice(0, q), target.slice(q)];
}

/** Origins of the Host values seen (`new URL` normalises them; one that is no plain host stands for localhost); null for a Host `new URL` refuses. */
const originFor = boundedMemo((host): string | null => {
  if (!isPlainHost(host)) return "http://localhost";
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    return null;
  }
}, 256);

/**
 * A node:http GET or HEAD as the handler's request: the URL split without `new URL` when it is
 * already in the form `new URL` gives (else parsed), headers read from `rawHeaders` on demand; a
 * full `Headers` is only made for whoever asks for `headers` (blob downloads, `onError`).
 */
class NodeRequest implements RequestLike {
  readonly parts: RequestParts;
  private href: string | undefined;
  private all: Headers | undefined;

  constructor(readonly method: string, private readonly raw: string[], origin: string, target: string) {
    let pathname: string;
    let search: string;
    let protocol = "http:";
    const plain = plainTarget(target);
    if (plain !== null) {
      [pathname, search] = plain;
    } else {
      const url = targetUrl(target, origin);
      ({ pathname, search, protocol, origin } = url);
      this.href = url.href;
    }
    let bound = 0;
    for (let i = 0; i < raw.length; i++) bound += (raw[i] as string).length + 2;
    this.parts = { protocol, origin, pathname, search, headers: new RawHeaderLookup(raw), headerBytesBound: bound, route: null };
  }

  get url(): string {
    return (this.href ??= `${this.parts.origin}${this.parts.pathname}${this.parts.search}`);
  }

  get headers(): Headers {
    if (this.all === undefined) {
      const headers = new Headers();
      for (let i = 0; i + 1 < this.raw.length; i += 2) headers.append(this.raw[i] as string, this.raw[i + 1] as string);
      this.all = headers;
    }
    return this.all;
  }
}

/** The first value of a raw header (node:http keeps the first Host). */
function firstRaw(raw: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (isHeaderNamed(raw[i] as string, name)) return raw[i + 1];
  }
  return undefined;
}

/** Bodies up to this size with a known length are written in one piece rather than streamed. */
const SMALL_BODY = 1024 * 1024;

/** Write a web `Response` to a node:http response, streaming its body. */
export async function sendWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === "set-cookie") return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (response.statusText !== "") res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (length <= SMALL_BODY) {
    res.end(new Uint8Array(await response.arrayBuffer()));
    return;
  }
  await pipeStream(response.body, res);
}

/** Stream a body to a node:http response, honouring back-pressure; the stream is cancelled if the client goes away. Resolves with the bytes written. */
async function pipeStream(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<number> {
  const reader = body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (!res.write(value)) await new Promise<void>((r) => res.once("drain", () => r()));
    }
    res.end();
  } catch {
    res.destroy();
  }
  return bytes;
}

type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A node:http request as the handler's request: for GET and HEAD a light one (URL parts and header
 * lookups straight from the request line and `rawHeaders`), else a web `Request` with its body.
 * @throws {ValidationError} 400 when the request has no valid URL: its Host is not one, or its target is not a path.
 */
export function toRequestLike(req: Pick<IncomingMessage, "method" | "url" | "rawHeaders">): RequestLike {
  const method = req.method ?? "GET";
  const raw = req.rawHeaders;
  const host = firstRaw(raw, "host");
  const origin = host !== undefined ? originFor(host) : "http://localhost";
  if (origin === null) throw new ValidationError("The Host header is not a valid host", { code: "HOST_INVALID", source: { header: "Host" } });
  if (method === "GET" || method === "HEAD") return new NodeRequest(method, raw, origin, req.url ?? "/");
  // With its parts, so that the handler leaves the route it matched on them (the access log's) as for a GET.
  const request = toWebRequest(req as IncomingMessage, origin);
  return Object.assign(request, { parts: partsOf(request) });
}

/** The request a node:http request stands for, or null after answering a JSON:API 400 for one that has none. */
function requestOf(req: IncomingMessage, res: ServerResponse): RequestLike | null {
  try {
    return toRequestLike(req);
  } catch (error) {
    const bad = isSdkError(error) ? error : new ValidationError("The request URI is invalid", { code: "URI_INVALID" });
    void sendResult(finalizeResult(errorResult(bad, crypto.randomUUID()), req.method ?? "GET"), res).catch(() => failed(res));
    return null;
  }
}

const BAD_REQUEST = "Bad Request";

function failed(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
  res.end();
}

/** A node:http listener that answers with a fetch handler. */
export function toNodeListener(handler: (request: RequestLike) => Promise<Response>): NodeListener {
  keepTickShape();
  return (req, res) => {
    const request = requestOf(req, res);
    if (request !== null) handler(request).then((response) => sendWebResponse(response, res)).catch(() => failed(res));
  };
}

/** Write a finalized engine result to a node:http response: known bodies in one write, streams piece by piece. Resolves with the body bytes written. */
export async function sendResult(result: EngineResult, res: ServerResponse): Promise<number> {
  return writeResult(result, res);
}

/** {@link sendResult} without a promise for a body written in one piece: the bytes written, or a promise of them for a stream. */
function writeResult(result: EngineResult, res: ServerResponse): number | Promise<number> {
  if (result.statusText !== undefined) res.writeHead(result.status, result.statusText, result.headers);
  else res.writeHead(result.status, result.headers);
  const body = result.body;
  if (body === null) {
    res.end();
    return 0;
  }
  if (typeof body === "string") {
    // An ASCII string goes out with the header in one plain write (latin1 leaves header bytes as they are).
    const ascii = isAscii(body);
    res.end(body, ascii ? "latin1" : "utf8");
    return ascii ? body.length : Buffer.byteLength(body);
  }
  if (body instanceof Uint8Array) {
    res.end(body);
    return body.byteLength;
  }
  return pipeStream(body, res);
}

/**
 * Called once per answered request: its method, route (a route name, another label the adapter
 * gave, or null when none matched), status, milliseconds from arrival to the last byte handed to
 * the socket, and body bytes. Positional, so that no object is made per request.
 */
export type AnsweredHook = (method: string, route: string | null, status: number, ms: number, bytes: number) => void;

/** Hooks of {@link toResultListener}. */
export interface ResultListenerHooks {
  /** Observes every answer (an access log). */
  answered?: AnsweredHook;
  /** Answers a request before the handler does (health checks): a result and its route label, or null to pass it on. */
  before?: (req: IncomingMessage) => { route: string; result: Promise<EngineResult> } | null;
}

/** A node:http listener over a request handler that answers plain results (no `Response` per request). */
export function toResultListener(handle: (request: RequestLike) => Promise<EngineResult>, hooks: ResultListenerHooks = {}): NodeListener {
  const { answered, before } = hooks;
  keepTickShape();
  if (answered === undefined) {
    // Nothing observes the answer (no access log): no clock reads and no hook closures per request.
    return (req, res) => {
      const early = before === undefined ? null : before(req);
      if (early !== null) {
        early.result.then((result) => writeResult(result, res)).catch(() => failed(res));
        return;
      }
      const request = requestOf(req, res);
      if (request !== null) handle(request).then((result) => writeResult(result, res)).catch(() => failed(res));
    };
  }
  return (req, res) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const early = before?.(req) ?? null;
    if (early !== null) {
      early.result.then((result) => sendResult(result, res)).then(
        (bytes) => answered?.(method, early.route, res.statusCode, performance.now() - started, bytes),
        () => failed(res),
      );
      return;
    }
    const request = requestOf(req, res);
    if (request === null) {
      answered?.(method, null, 400, performance.now() - started, BAD_REQUEST.length);
      return;
    }
    const done = (bytes: number) => answered?.(method, request.parts?.route ?? null, res.statusCode, performance.now() - started, bytes);
    const fail = () => {
      failed(res);
      answered?.(method, request.parts?.route ?? null, 500, performance.now() - started, 0);
    };
    // A body written in one piece is logged at once, without a promise of its own.
    handle(request).then((result) => {
      let sent: number | Promise<number>;
      try {
        sent = writeResult(result, res);
      } catch {
        fail();
        return;
      }
      if (typeof sent === "number") done(sent);
      else sent.then(done, fail);
    }, fail);
  };
}

/**
 * Start a node:http server for a fetch handler, or for a listener; resolves once it listens. The
 * connection limits default to {@link defaultConnectionLimits} (a cap, short head timeout, idle and keep-alive bounds).
 */
export function serveFetchHandler(
  handler: ((request: RequestLike) => Promise<Response>) | { listener: NodeListener },
  options: { port: number; host: string; limits?: Partial<ConnectionLimits> },
): Promise<Server> {
  const listener = typeof handler === "function" ? toNodeListener(handler) : handler.listener;
  const limits = { ...defaultConnectionLimits(), ...options.limits };
  const problem = connectionLimitsProblem(limits);
  if (problem !== null) return Promise.reject(new RangeError(problem));
  const server = createServer({ maxHeaderSize: 16 * 1024, ...limitServerOptions(limits) }, listener);
  applyConnectionLimits(server, limits);
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolvePromise(server);
    });
  });
}
