/**
 * @module http/context — `createEngineContext`: what a custom route needs to call an engine, in one call
 * (the account, the authenticated caller, its scopes, the origin and the links), as `createFetchHandler` builds it.
 */
import { authenticate } from "../auth/authenticate.js";
import { scopeOf } from "../access/principal.js";
import { notFound } from "../core/errors.js";
import type { EngineContext } from "../engines/context.js";
import { safeEmitter } from "../engines/publish/events.js";
import { originOf, type FetchHandlerOptions, type RequestLike, type RequestParts } from "./fetch.js";

/** Options of {@link createEngineContext}: the handler's own options, and the account the route serves. */
export interface EngineContextOptions extends Pick<FetchHandlerOptions, "store" | "baseUrl" | "trustProxy" | "now" | "urls" | "onEvent" | "onError"> {
  /** The account (UUID or slug) the request is for. */
  account: string;
}

function partsOf(request: RequestLike): RequestParts {
  if (request.parts !== undefined) return request.parts;
  const url = new URL(request.url);
  return { protocol: url.protocol, origin: url.origin, pathname: url.pathname, search: url.search, headers: request.headers, headerBytesBound: 0, urlHost: url.host };
}

/**
 * The engine context of a request: the account, the caller authenticated from its `Authorization` header or
 * `?auth=`/`?token=` (anonymous without one), its scopes, the origin of absolute links and where links point.
 * @throws {NotFoundError} when the account does not exist.
 * @throws {UnauthorizedError} for an invalid, expired or unknown credential.
 * @throws {ForbiddenError} for a banned user or a suspended license where Keygen refuses it.
 * @throws {ValidationError} `HOST_MISMATCH` when the request's URL and `Host` header disagree.
 * @example const ctx = await createEngineContext({ store, account: "demo" }, request);
 */
export async function createEngineContext(options: EngineContextOptions, request: RequestLike): Promise<EngineContext> {
  const at = options.now?.() ?? new Date();
  const parts = partsOf(request);
  const origin = originOf(parts, options);
  const account = await options.store.getAccount(options.account);
  if (account === null) throw notFound("account", options.account);
  let query: URLSearchParams | undefined;
  const source = { authorization: request.headers.get("authorization"), get query() { return (query ??= new URLSearchParams(parts.search)); } };
  const principal = await authenticate({ store: options.store, now: at }, account, source);
  const ctx: EngineContext = { store: options.store, now: at, account, principal, scope: scopeOf(principal, at), lookupScope: scopeOf(principal, at, true), origin };
  if (options.urls !== undefined) ctx.urls = options.urls;
  if (options.onEvent !== undefined) ctx.emit = safeEmitter(options.onEvent, (error) => options.onError?.(error, request));
  return ctx;
}
