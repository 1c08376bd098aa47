/**
 * @module engines/engines — the Engines resource: serialize, list and retrieve.
 */
import { notFound, ValidationError } from "../core/errors.js";
import { jsonResult, type EngineResult } from "../core/result.js";
import type { Engine } from "../model/records.js";
import type { EngineContext } from "./context.js";
import { paginationLinks, parsePagination, toPageQuery } from "./pagination.js";
import { linkPath, type Urls } from "./urls.js";

/** A JSON:API resource object of type `engines`. */
export interface EngineResource {
  id: string;
  type: "engines";
  attributes: { name: string | null; key: string; created: string; updated: string };
  relationships: { account: { data: { type: "accounts"; id: string }; links: { related: string } } };
  links: { related: string };
}

/**
 * One engine as a JSON:API resource object (relative links, account UUID).
 * @example serializeEngine(engine, { accountId: account.id })
 */
export function serializeEngine(engine: Engine, ctx: { accountId: string; urls?: Urls | undefined }): EngineResource {
  return {
    id: engine.id,
    type: "engines",
    attributes: { name: engine.name, key: engine.key, created: engine.created, updated: engine.updated },
    relationships: {
      account: { data: { type: "accounts", id: engine.accountId }, links: { related: linkPath(ctx, "account", { account: engine.accountId }) } },
    },
    links: { related: linkPath(ctx, "engines.show", { account: ctx.accountId, id: engine.id }) },
  };
}

/** Input of {@link listEngines}: the request path (for links) and query. */
export interface ListEnginesInput {
  path: string;
  query: URLSearchParams;
  /** For `Accept` (absent: any). */
  headers?: { get(name: string): string | null };
}

/** Media ranges a JSON:API route renders (Keygen's jsonapi and json formats, or anything). */
const JSONAPI_ACCEPTS = ["application/vnd.api+json", "application/json", "application/*", "*/*"];

/**
 * Keygen answers an `Accept` its JSON:API routes cannot render (e.g. only `text/html`) before the
 * route runs (lib/keygen/middleware.rb).
 * @throws {ValidationError} 400 `MIME_TYPE_INVALID`.
 */
export function checkJsonApiAccept(headers: { get(name: string): string | null } | undefined): void {
  const accept = headers?.get("accept");
  if (accept === null || accept === undefined || accept.trim() === "") return;
  const types = accept.split(",").map((part) => (part.split(";")[0] ?? "").trim().toLowerCase());
  if (types.some((t) => JSONAPI_ACCEPTS.includes(t))) return;
  throw new ValidationError("The mime type of the request is not acceptable (check content-type and accept headers)", { code: "MIME_TYPE_INVALID" });
}

/**
 * The engines the caller may see, paginated as Keygen does.
 * @throws {ValidationError} for bad `limit`, `page[...]` or `order`.
 */
export async function listEngines(ctx: EngineContext, input: ListEnginesInput): Promise<EngineResult> {
  checkJsonApiAccept(input.headers);
  const pagination = parsePagination(input.query);
  const page = toPageQuery(pagination);
  let rows = await ctx.store.listEngines(ctx.account.id, ctx.scope, page);
  let nextCursor: string | null = null;
  if (pagination.mode === "cursor") {
    if (rows.length > pagination.size) {
      rows = rows.slice(0, pagination.size);
      nextCursor = rows[rows.length - 1]?.id ?? null;
    }
  }
  const count = pagination.mode === "number" ? await ctx.store.countEngines(ctx.account.id, ctx.scope) : undefined;
  const links = paginationLinks(pagination, input.path, input.query, { count, nextCursor });
  const doc: Record<string, unknown> = { data: rows.map((e) => serializeEngine(e, { accountId: ctx.account.id, urls: ctx.urls })) };
  if (links !== undefined) doc.links = links;
  return jsonResult(200, doc);
}

/**
 * One engine by UUID or key.
 * @throws {NotFoundError} `The requested release engine '<id>' was not found`.
 */
export async function retrieveEngine(ctx: EngineContext, input: { id: string; headers?: { get(name: string): string | null } }): Promise<EngineResult> {
  checkJsonApiAccept(input.headers);
  const engine = await ctx.store.getEngine(ctx.account.id, input.id, ctx.scope);
  if (engine === null) throw notFound("release engine", input.id);
  return jsonResult(200, { data: serializeEngine(engine, { accountId: ctx.account.id, urls: ctx.urls }) });
}
