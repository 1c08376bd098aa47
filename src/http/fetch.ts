/**
 * @module http/fetch — `createFetchHandler`: a web-standard `(Request) => Promise<Response>` serving every route.
 */
import { authenticate, knownPrincipal } from "../auth/authenticate.js";
import type { CredentialSource } from "../auth/credentials.js";
import { ANONYMOUS, scopeOf, type Principal } from "../access/principal.js";
import { NotFoundError, ReadOnlyStoreError, SdkError, ValidationError, isSdkError, notFound } from "../core/errors.js";
import type { EngineResult } from "../core/result.js";
import type { EngineContext } from "../engines/context.js";
import { downloadArtifact } from "../engines/artifacts.js";
import { listEngines, retrieveEngine } from "../engines/engines.js";
import { resolveRawArtifact, type RawArtifactInput } from "../engines/raw.js";
import { resolveTauriUpdate, type TauriUpdateInput } from "../engines/tauri/update.js";
import { upgradeRelease } from "../engines/releases.js";
import { createPageCache, type PageCache } from "../engines/pypi/cache.js";
import { pypiChallenge, renderPep503Index, type Pep503Input, type PypiOptions } from "../engines/pypi/render.js";
import type { BlobStorage, BlobUploadRequest } from "../blobs/types.js";
import type { Account } from "../model/records.js";
import { isPlainHost, type HeaderLookup } from "../core/headers.js";
import { utf8 } from "../core/encoding.js";
import { boundedMemo } from "../core/memo.js";
import type { Store } from "../store/types.js";
import { keptReadOf, wrapStore } from "../store/wrap.js";
import { NOT_KEPT } from "../store/sync-reads.js";
import { isWritableStore } from "../store/write.js";
import { errorResult, finalizeResult, pypiErrorResult, runtimeEncodesBodies, toResponse } from "./respond.js";
import { refuseEnvironment, requestedApiVersion } from "./keygen-headers.js";
import { isNpmRoute, isPypiRoute, matchAccountless, matchRoute, type RouteMatch, type RouteName } from "./routes.js";
import { publishHandlers, type MethodHandlers } from "./publish.js";
import { artifactEvent, emitUploaded, releaseEvent, safeEmitter, type EventHook } from "../engines/publish/events.js";
import { LegacyUploadError, legacyUpload, legacyUploadErrorResult, type LegacyUploadInput } from "../engines/pypi/legacy-upload.js";
import { readCappedForm } from "./body.js";
import { matchMounted, mountsOf, type ShortHosts } from "./mounts.js";
import type { Urls } from "../engines/urls.js";
import { npmChallenge, renderNpmPackument, type NpmOptions, type NpmPackumentInput } from "../engines/npm/packument.js";
import { resolveNpmTarball, type NpmTarballInput } from "../engines/npm/download.js";
import { npmErrorResult, npmHandlers } from "./npm.js";

/**
 * Options of {@link createFetchHandler}.
 *
 * Without `baseUrl` (or a trusted `X-Forwarded-Host`), absolute URLs use the request's own origin:
 * for a web `Request` the origin of its `url`, which must agree with its `Host` header when it has
 * one (else 400 `HOST_MISMATCH`: an adapter that built the URL from an absolute-form target); the
 * path never moves it (`http://h//evil/…` stays on `h`). The node:http adapters take the origin from
 * the validated `Host` and answer 400 to a target that is not a path.
 */
export interface FetchHandlerOptions {
  store: Store;
  /** Absolute URLs use this origin (e.g. `https://dl.example.com`) instead of the request's. */
  baseUrl?: string;
  /** Honour `X-Forwarded-Proto` and `X-Forwarded-Host` (only behind a proxy you trust). */
  trustProxy?: boolean;
  /** The clock (tests inject one). */
  now?: () => Date;
  /** Called with every unexpected error (the client only ever sees a generic 500/503). */
  onError?: (error: unknown, request: RequestLike) => void;
  /** Where artifact bytes live; downloads answer 303 to its URLs (without it, 200 with the artifact document). */
  blobs?: BlobStorage;
  /** Milliseconds after which a store call counts as failed (503); default 10 s, 0 for none. */
  storeTimeoutMs?: number;
  /** PyPI simple index: upstream for unknown projects (null: 404), HTML only, and its page cache (default: a new bounded LRU). */
  pypi?: PypiOptions & {
    cache?: PageCache;
    /**
     * Compress pages ≥ 1 KB for clients that accept it (default true, except on workerd, which compresses
     * answers itself by the client's real `Accept-Encoding` and shows workers a rewritten one).
     */
    compress?: boolean;
    /** `twine upload`: the largest file accepted (default 100 MiB, PyPI's own default) and the status of releases it creates (default PUBLISHED). */
    upload?: { maxBytes?: number; releaseStatus?: "PUBLISHED" | "DRAFT" };
  };
  /**
   * Called after each committed change (`release.published`, `artifact.created`, …) and for downloads and
   * upgrades; it never blocks or fails the request (a throw or rejection goes to `onError`, a promise is not awaited).
   */
  onEvent?: EventHook;
  /**
   * The default account (UUID or slug) of a single-account host: every route also answers in the
   * account-less form `/v1/<path>` (Keygen's custom-domain form, which keygen-cli calls with `--host`).
   */
  account?: string;
  /** A path the handler is mounted under (e.g. `/api`): it serves `/api/v1/…` and its links say so. */
  basePath?: string;
  /** Where emitted links point, link by link (see `createUrls`); default Keygen's layout (under `basePath`). */
  urls?: Urls;
  /**
   * Each engine's own host or path prefix, as Keygen's seed offers them: `{ pypi: "pypi.dl.example.com" }` serves
   * `pypi.dl.example.com/<account>/simple/…` (`/simple/…` with `account`), `tauri` `/<account>/<package>`, `raw`
   * `/<account>/<product>[/@<package>]/<release>/<artifact>`; a value starting with `/` is a path prefix instead of a host.
   * Keygen's layout keeps working on those hosts, and their links stay on them.
   */
  shortHosts?: ShortHosts;
  /** npm registry: upstream registry unknown packages redirect to (default none: 404), and the largest `npm publish` body (default 100 MiB). */
  npm?: NpmOptions & { maxPublishBytes?: number };
}

/** The parts of a `Request` the handler reads: any `Request` is one, and adapters may pass a lighter object. */
export interface RequestLike {
  url: string;
  method: string;
  headers: Headers;
  /** The URL and headers already split by an adapter (node:http), so that the handler parses nothing twice. */
  parts?: RequestParts;
  /** The request body (a `Request` has one; write routes read it with a byte cap). */
  body?: ReadableStream<Uint8Array> | null;
}

/** A request's URL and headers as an adapter split them: what `new URL(request.url)` and `request.headers` would give. */
export interface RequestParts {
  /** `url.protocol`, e.g. `http:`. */
  protocol: string;
  /** `url.origin`. */
  origin: string;
  /** `url.pathname`. */
  pathname: string;
  /** `url.search` (with its `?`, or empty). */
  search: string;
  /** The request headers, read by name. */
  headers: HeaderLookup;
  /** At least the header bytes {@link RequestLike.headers} counts (names and values, 4 more per field); the exact count is taken only above the limit. */
  headerBytesBound: number;
  /** `url.host` of a `Request`'s own URL, whose origin must match its `Host` header; absent when an adapter took the origin from `Host` itself. */
  urlHost?: string;
  /** Set by the handler once it has matched the path: the route's name, or null for none (adapters read it for access logs). */
  route?: RouteName | null;
}

/** A request as route handlers see it. */
export interface RouteRequest {
  request: RequestLike;
  match: RouteMatch;
  /** The request's path, as `URL.pathname` gives it. */
  pathname: string;
  /** The request's query string with its `?` (or empty), as `URL.search` gives it. */
  search: string;
  /** The query parameters (made on first use). */
  readonly query: URLSearchParams;
  /** The request headers, read by name. */
  headers: HeaderLookup;
}

/** A route implementation: the context of the call and the request. */
export type RouteHandler = (ctx: EngineContext, req: RouteRequest) => Promise<EngineResult>;

const MAX_URL_LENGTH = 8192;
/** Total bytes of header names and values a request may carry (node:http's own limit in `serve` is 16 KB too). */
const MAX_HEADER_BYTES = 16 * 1024;

function headerBytes(headers: Headers): number {
  let total = 0;
  for (const [k, v] of headers) total += k.length + v.length + 4;
  return total;
}

/** The parts of a request no adapter split: its URL parsed once, its `Headers` counted. */
export function partsOf(request: RequestLike): RequestParts {
  const url = new URL(request.url);
  return { protocol: url.protocol, origin: url.origin, pathname: url.pathname, search: url.search, headers: request.headers, headerBytesBound: headerBytes(request.headers), urlHost: url.host };
}

/** A Host value as `URL.host` writes it for a protocol, or null when it is not a plain host. */
function hostAs(protocol: string, host: string): string | null {
  if (!isPlainHost(host)) return null;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

/** {@link RouteRequest} with its query parameters parsed only when a route reads them. */
class Routed implements RouteRequest {
  private params: URLSearchParams | undefined;
  readonly pathname: string;
  readonly search: string;
  readonly headers: HeaderLookup;

  constructor(readonly request: RequestLike, readonly match: RouteMatch, parts: RequestParts) {
    this.pathname = parts.pathname;
    this.search = parts.search;
    this.headers = parts.headers;
  }

  get query(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.search));
  }
}

/** A request's credential source; the query is parsed only when the credential is read from it. */
class CredentialsOf implements CredentialSource {
  readonly authorization: string | null;

  constructor(private readonly req: RouteRequest) {
    this.authorization = req.headers.get("authorization");
  }

  get query(): URLSearchParams {
    return this.req.query;
  }
}

/** The origin absolute links use: `baseUrl`, a trusted forwarded host, or the request's own (checked against its `Host`). */
export function originOf(parts: RequestParts, options: Pick<FetchHandlerOptions, "baseUrl" | "trustProxy">): string {
  if (options.baseUrl) return options.baseUrl.replace(/\/+$/, "");
  if (options.trustProxy) {
    const proto = parts.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
    const host = parts.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
    if (host && isPlainHost(host)) return `${proto === "https" ? "https" : proto === "http" ? "http" : parts.protocol.slice(0, -1)}://${host}`;
  }
  if (parts.urlHost !== undefined) {
    const host = parts.headers.get("host");
    if (host !== null && hostAs(parts.protocol, host) !== parts.urlHost) {
      throw new ValidationError("The request URL's host is not its Host header", { code: "HOST_MISMATCH", source: { header: "Host" } });
    }
  }
  return parts.origin;
}

/** Decoded segments of recent paths (a pure function of the path; the arrays are only read). */
const segmentsOf = boundedMemo((pathname: string) => decodeSegmentsOf(pathname), 1024);

function decodeSegments(pathname: string): readonly string[] {
  return segmentsOf(pathname);
}

function decodeSegmentsOf(pathname: string): string[] {
  const segments: string[] = [];
  try {
    for (const s of pathname.split("/")) if (s !== "") segments.push(s.includes("%") ? decodeURIComponent(s) : s);
  } catch {
    throw new ValidationError("The request URI is invalid", { code: "URI_INVALID" });
  }
  return segments;
}

/** Request headers as an engine sees them when the runtime, not the handler, compresses answers. */
function withoutAcceptEncoding(headers: HeaderLookup): HeaderLookup {
  return { get: (name) => (name.toLowerCase() === "accept-encoding" ? null : headers.get(name)) };
}

/** Route handlers by name; engines not built yet are absent and answer 404. */
function routeHandlers(options: FetchHandlerOptions, pageCache: PageCache): Partial<Record<RouteName, RouteHandler>> {
  const compress = options.pypi?.compress ?? !runtimeEncodesBodies();
  const pypi = (ctx: EngineContext, req: RouteRequest) => {
    // Built with assignments: conditional spreads cost microseconds per request in V8.
    const headers = compress ? req.headers : withoutAcceptEncoding(req.headers);
    const input: Pep503Input = { trailingSlash: req.match.trailingSlash, search: req.search, headers, cache: pageCache };
    if (req.match.params.project !== undefined) input.project = req.match.params.project;
    if (req.match.account !== undefined) input.accountSegment = req.match.account;
    if (options.pypi?.upstream !== undefined) input.upstream = options.pypi.upstream;
    if (options.pypi?.htmlOnly !== undefined) input.htmlOnly = options.pypi.htmlOnly;
    return renderPep503Index(ctx, input);
  };
  const npmAccount = (req: RouteRequest) => (req.pathname.startsWith("/v1/accounts/") ? (req.match.account as string) : null);
  return {
    "npm.package": (ctx, req) => {
      const input: NpmPackumentInput = { name: req.match.params.package as string, headers: req.headers, accountSegment: npmAccount(req), cache: pageCache };
      if (options.npm?.upstream !== undefined) input.upstream = options.npm.upstream;
      return renderNpmPackument(ctx, input);
    },
    "npm.tarball": (ctx, req) => {
      const input: NpmTarballInput = { name: req.match.params.package as string, filename: req.match.params.filename as string, query: req.query, headers: req.request.headers };
      if (options.blobs !== undefined) input.blobs = options.blobs;
      return resolveNpmTarball(ctx, input);
    },
    "pypi.index": pypi,
    "pypi.project": pypi,
    "engines.list": (ctx, req) => listEngines(ctx, { path: req.pathname, query: req.query, headers: req.headers }),
    "engines.show": (ctx, req) => retrieveEngine(ctx, { id: req.match.params.id as string, headers: req.headers }),
    "artifacts.download": (ctx, req) =>
      downloadArtifact(ctx, {
        id: req.match.params.id as string,
        ...(req.match.params.filename !== undefined ? { filename: req.match.params.filename } : {}),
        query: req.query,
        headers: req.request.headers,
        ...(options.blobs !== undefined ? { blobs: options.blobs } : {}),
      }),
    "raw.artifact": (ctx, req) => resolveRawArtifact(ctx, new RawRouteInput(req)),
    "tauri.upgrade": (ctx, req) =>
      resolveTauriUpdate(ctx, new TauriRouteInput(req)),
    "releases.upgrade": (ctx, req) => upgradeRelease(ctx, { release: req.match.params.release as string, query: req.query }),
  };
}

/** The Tauri route's input: the query is parsed only when the answer is not remembered (`search` finds a remembered one). */
class TauriRouteInput implements TauriUpdateInput {
  readonly package: string;
  readonly search: string;
  readonly headers: HeaderLookup;

  constructor(private readonly req: RouteRequest) {
    this.package = req.match.params.package as string;
    this.search = req.search;
    this.headers = req.headers;
  }

  get query(): URLSearchParams {
    return this.req.query;
  }
}

/** The raw route's input: the query is parsed only when the redirect is not remembered (`search` finds a remembered one). */
class RawRouteInput implements RawArtifactInput {
  readonly product: string;
  readonly package?: string;
  readonly release: string;
  readonly artifact: string;
  readonly search: string;

  constructor(private readonly req: RouteRequest) {
    const params = req.match.params;
    this.product = params.product as string;
    if (params.package !== undefined) this.package = params.package;
    this.release = params.release as string;
    this.artifact = params.artifact as string;
    this.search = req.search;
  }

  get query(): URLSearchParams {
    return this.req.query;
  }
}

/** How {@link createRequestHandler} hands text bodies to an adapter. */
export interface WireOptions {
  /** Turns text bodies into bytes (default: `TextEncoder`; node:http adapters pass `Buffer.from`, faster there). */
  encodeText?: (text: string) => Uint8Array;
  /** Leave ASCII-only text bodies as strings (their length is their byte count), for adapters that write strings. */
  keepAsciiText?: boolean;
}

/**
 * A request handler that answers plain results (finalized, ready for the wire); adapters that write
 * to a socket themselves use it to skip building a `Response`. See {@link WireOptions} for how text
 * bodies are handed over.
 */
export function createRequestHandler(options: FetchHandlerOptions, wire: WireOptions = {}): (request: RequestLike) => Promise<EngineResult> {
  const encodeText = wire.encodeText ?? utf8;
  const keepAscii = wire.keepAsciiText === true;
  const now = options.now ?? (() => new Date());
  const store = wrapStore(options.store, { timeoutMs: options.storeTimeoutMs ?? 10_000 });
  const accountNow = keptReadOf(store, "getAccount");
  const handlers = routeHandlers(options, options.pypi?.cache ?? createPageCache());
  const writes = publishHandlers(options);
  writes["pypi.legacy"] = { POST: (ctx, req) => twineUpload(ctx, req, options) };
  const mounts = mountsOf(options);
  const hostOptions = { trustProxy: options.trustProxy === true };
  Object.assign(writes, npmHandlers(options));
  return async (request: RequestLike): Promise<EngineResult> => {
    // `toUpperCase` leaves V8's compiled code for its runtime on every call: the common methods skip it.
    const given = request.method;
    const method = given === "GET" || given === "HEAD" ? given : given.toUpperCase();
    let match: RouteMatch | null = null;
    const state: DispatchState = {};
    try {
      if (request.url.length > MAX_URL_LENGTH) throw new SdkError(414, "The request URI is too long", { code: "URI_TOO_LONG" });
      const split = request.parts;
      // An adapter's bound is exact enough below the limit; above it, count as `Headers` does.
      if ((split === undefined || split.headerBytesBound > MAX_HEADER_BYTES) && headerBytes(request.headers) > MAX_HEADER_BYTES) {
        throw new SdkError(431, "The request's header fields are too large", { code: "HEADERS_TOO_LARGE" });
      }
      const parts = split ?? partsOf(request);
      const trailing = parts.pathname.endsWith("/");
      const segments = decodeSegments(parts.pathname);
      if (mounts === null) match = matchRoute(segments, trailing) ?? (options.account !== undefined ? matchAccountless(segments, trailing, options.account) : null);
      else {
        const requestOrigin = mounts.byHost ? originOf(parts, hostOptions) : null;
        const mounted = matchMounted(mounts, segments, trailing, requestOrigin === null ? null : requestOrigin.slice(requestOrigin.indexOf("://") + 3));
        match = mounted.match;
        if (mounted.urls !== undefined) state.urls = mounted.urls;
        // An engine's own host keeps its links on itself, even when `baseUrl` names another host.
        if (mounted.onShortHost === true && requestOrigin !== null && options.baseUrl) state.origin = `${new URL(options.baseUrl).protocol}//${requestOrigin.slice(requestOrigin.indexOf("://") + 3)}`;
      }
      if (split !== undefined) split.route = match === null ? null : match.name;
      if (match !== null && match.name === "blobs.download" && options.blobs?.serve !== undefined && (method === "GET" || method === "HEAD")) {
        const served = await options.blobs.serve({ path: match.params.path as string, query: new URLSearchParams(parts.search), headers: request.headers, method, store, now: now() });
        return finalizeResult(served, method, encodeText, keepAscii);
      }
      if (match !== null && match.name === "blobs.upload" && options.blobs?.receive !== undefined && method === "PUT") {
        if (!isWritableStore(store)) throw new ReadOnlyStoreError();
        const body = (request as Partial<Request>).body ?? null;
        const at = now();
        const upload: BlobUploadRequest = { path: match.params.path as string, query: new URLSearchParams(parts.search), headers: parts.headers, body, store, now: at };
        const onEvent = options.onEvent;
        if (onEvent !== undefined) upload.uploaded = (artifact) => emitUploaded(onEvent, artifact, at, (error) => options.onError?.(error, request));
        const received = await options.blobs.receive(upload);
        return finalizeResult(received, method, encodeText, keepAscii);
      }
      // Keygen's request_migrations middleware checks the version before any route runs.
      state.version = requestedApiVersion(parts.headers);
      const handler = match === null ? undefined : handlerFor(handlers, writes, match.name, method);
      if (match === null || handler === undefined) throw new NotFoundError();
      const result = await dispatch(match, handler, new Routed(request, match, parts), store, options, now(), state, parts, accountNow);
      return withApiVersion(finalizeResult(result, method, encodeText, keepAscii), state.version);
    } catch (error) {
      if (!isSdkError(error) || error.code === "STORE_UNAVAILABLE") options.onError?.(error, request);
      const result = match?.name === "pypi.legacy" ? legacyUploadErrorResult(error) : match !== null && isPypiRoute(match.name) ? pypiErrorResult(error) : match !== null && isNpmRoute(match.name) ? npmErrorResult(error, crypto.randomUUID()) : errorResult(error, crypto.randomUUID());
      // PyPI answers every 401 (bad credentials included) with a Basic challenge (SPEC §3 item 9).
      if (result.status === 401 && match !== null && (isPypiRoute(match.name) || match.name === "pypi.legacy")) result.headers["WWW-Authenticate"] = pypiChallenge(state.account?.slug ?? match.account ?? "pypi");
      if (result.status === 401 && match !== null && isNpmRoute(match.name)) result.headers["WWW-Authenticate"] = npmChallenge(state.account?.slug ?? match.account ?? "npm");
      return withApiVersion(finalizeResult(result, method, encodeText, keepAscii), state.version);
    }
  };
}

/**
 * A web-standard request handler serving every route of the SDK.
 * @example const handler = createFetchHandler({ store }); Bun.serve({ fetch: handler });
 */
export function createFetchHandler(options: FetchHandlerOptions): (request: RequestLike) => Promise<Response> {
  const handle = createRequestHandler(options);
  return async (request) => toResponse(await handle(request));
}

/** A finalized result answering in the request's API version (Keygen's `Keygen-Version` response header). */
function withApiVersion(result: EngineResult, version: string | undefined): EngineResult {
  if (version !== undefined) result.headers["Keygen-Version"] = version;
  return result;
}

/** The handler of a route for a method: reads (GET, and HEAD as GET) first, then the write routes'. */
function handlerFor(reads: Partial<Record<RouteName, RouteHandler>>, writes: Partial<Record<RouteName, MethodHandlers>>, name: RouteName, method: string): RouteHandler | undefined {
  if (method === "GET" || method === "HEAD") return reads[name] ?? writes[name]?.GET;
  if (method === "POST" || method === "PATCH" || method === "PUT" || method === "DELETE") return writes[name]?.[method];
  return undefined;
}

/** What a request carries from matching to dispatch (and its error answer). */
interface DispatchState {
  account?: Account;
  /** The Keygen-Version the answer carries. */
  version?: string;
  /** The links of a mounted route. */
  urls?: Urls;
  /** The origin of an engine's own host, when it is not `baseUrl`'s. */
  origin?: string;
}

/**
 * Authenticate and run a route. With an in-process store, or a kept account (`accountNow`: store/wrap
 * `keptReadOf`), the account is read without an `await`, and a principal {@link knownPrincipal} knows
 * is used without one: then the route's own promise is the only one made (no async frame of its own around it).
 */
function dispatch(match: RouteMatch, handler: RouteHandler, req: RouteRequest, store: Store, options: FetchHandlerOptions, at: Date, state: DispatchState, parts: RequestParts, accountNow: ((segment: string) => Account | null | typeof NOT_KEPT) | undefined): Promise<EngineResult> {
  if (match.account === undefined) return runRoute(handler, req, store, options, at, state, parts, null, ANONYMOUS);
  const account = accountNow === undefined ? NOT_KEPT : accountNow(match.account);
  if (account === NOT_KEPT) return dispatchAwaiting(match, handler, req, store, options, at, state, parts);
  const auth = accountAuth(match, account, store, at, state, req);
  const credentials = new CredentialsOf(req);
  const principal = knownPrincipal(auth, account as Account, credentials);
  if (principal !== undefined) return runRoute(handler, req, store, options, at, state, parts, account, principal);
  return authenticate(auth, account as Account, credentials).then((found) => runRoute(handler, req, store, options, at, state, parts, account, found));
}

/** {@link dispatch} on a store whose reads are awaited. */
async function dispatchAwaiting(match: RouteMatch, handler: RouteHandler, req: RouteRequest, store: Store, options: FetchHandlerOptions, at: Date, state: DispatchState, parts: RequestParts): Promise<EngineResult> {
  const account = await store.getAccount(match.account as string);
  const auth = accountAuth(match, account, store, at, state, req);
  const credentials = new CredentialsOf(req);
  const principal = knownPrincipal(auth, account as Account, credentials) ?? (await authenticate(auth, account as Account, credentials));
  return runRoute(handler, req, store, options, at, state, parts, account, principal);
}

/**
 * The account a route names, checked before authentication: 404 when there is none, and an environment refused (CE).
 * @throws {NotFoundError} for an unknown account; {@link refuseEnvironment}'s error for an environment.
 */
function accountAuth(match: RouteMatch, account: Account | null, store: Store, at: Date, state: DispatchState, req: RouteRequest): { store: Store; now: Date; tokenMayBeLicenseKey?: boolean } {
  if (account === null) throw notFound("account", match.account as string);
  state.account = account;
  // CE: an environment is refused once the account is known, before authentication (current_environment_scope.rb).
  refuseEnvironment(req.headers);
  return isNpmRoute(match.name) ? { store, now: at, tokenMayBeLicenseKey: true } : { store, now: at };
}

/** Run a route's handler for an authenticated caller. */
function runRoute(handler: RouteHandler, req: RouteRequest, store: Store, options: FetchHandlerOptions, at: Date, state: DispatchState, parts: RequestParts, account: Account | null, principal: Principal): Promise<EngineResult> {
  const ctx: EngineContext = {
    store,
    now: at,
    account: account as Account,
    principal,
    scope: scopeOf(principal, at),
    lookupScope: scopeOf(principal, at, true),
    origin: state.origin ?? originOf(parts, options),
  };
  if (state.urls !== undefined) ctx.urls = state.urls;
  if (options.onEvent !== undefined) ctx.emit = safeEmitter(options.onEvent, (error) => options.onError?.(error, req.request));
  return handler(ctx, req);
}

/** Largest file `twine upload` may send by default (PyPI's own default limit). */
const TWINE_MAX_BYTES = 100 * 1024 * 1024;

/** `POST /engines/pypi/legacy/`: the multipart form read with a byte cap, then {@link legacyUpload}. */
async function twineUpload(ctx: EngineContext, req: RouteRequest, options: FetchHandlerOptions): Promise<EngineResult> {
  const type = req.headers.get("content-type") ?? "";
  const body = (req.request as Partial<Request>).body ?? null;
  if (!/^multipart\/form-data\s*;/i.test(type) || body === null) {
    if (body !== null && !body.locked) void body.cancel().catch(() => {});
    throw new LegacyUploadError(400, "The upload must be multipart/form-data, as twine sends it");
  }
  const form = await readCappedForm(body, req.headers, type, options.pypi?.upload?.maxBytes ?? TWINE_MAX_BYTES);
  if (form === null) throw new LegacyUploadError(400, "The multipart form could not be read");
  const input: LegacyUploadInput = {
    form,
    blobs: options.blobs,
    onUploaded: (artifact, release, created) => {
      if (created.release) ctx.emit?.(releaseEvent(release.status === "PUBLISHED" ? "release.published" : "release.created", release, ctx.now));
      ctx.emit?.(artifactEvent("artifact.uploaded", artifact, ctx.now));
    },
  };
  if (options.pypi?.upload?.releaseStatus !== undefined) input.releaseStatus = options.pypi.upload.releaseStatus;
  return legacyUpload(ctx, input);
}
