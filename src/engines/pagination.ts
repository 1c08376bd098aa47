/**
 * @module engines/pagination — Keygen's list pagination: limit, page number and keyset cursor modes.
 */
import { ValidationError } from "../core/errors.js";
import { isUuid } from "../core/uuid.js";
import type { Order, PageQuery } from "../store/types.js";

/** A parsed pagination request. */
export type Pagination =
  | { mode: "limit"; order: Order; size: number }
  | { mode: "number"; order: Order; size: number; number: number }
  | { mode: "cursor"; order: Order; size: number; cursor: string };

/** Ruby's `String#to_i`: leading integer or 0. */
function toI(value: string | null): number {
  const m = /^\s*([+-]?\d+)/.exec(value ?? "");
  return m ? Number.parseInt(m[1] as string, 10) : 0;
}

function bad(detail: string, parameter: string): ValidationError {
  return new ValidationError(detail, { source: { parameter } });
}

function readSize(query: URLSearchParams, fallback: number): number {
  if (!query.has("page[size]")) return fallback;
  const size = toI(query.get("page[size]"));
  if (size < 1 || size > 100) throw bad(`page size must be a number between 1 and 100 (got ${size})`, "page[size]");
  return size;
}

/**
 * Parse `limit`, `page[...]` and `order` as Keygen does.
 * @throws {ValidationError} with Keygen's texts and `source.parameter`.
 */
export function parsePagination(query: URLSearchParams): Pagination {
  const rawOrder = query.get("order");
  let order: Order = "desc";
  if (rawOrder !== null) {
    const lc = rawOrder.toLowerCase();
    if (lc !== "asc" && lc !== "desc") throw bad("order is invalid", "order");
    order = lc;
  }
  const pageKeys = [...query.keys()].filter((k) => k === "page" || k.startsWith("page["));
  if (pageKeys.length === 0) {
    const limit = query.has("limit") ? toI(query.get("limit")) : 10;
    if (limit < 1 || limit > 100) throw bad(`limit must be a number between 1 and 100 (got ${limit})`, "limit");
    return { mode: "limit", order, size: limit };
  }
  const allowed = new Set(["page[number]", "page[size]", "page[cursor]"]);
  const shapeError = () => bad("page must be an object containing a cursor or number and optional size", "page");
  if (pageKeys.some((k) => !allowed.has(k))) throw shapeError();
  if (query.has("page[cursor]")) {
    const cursor = query.get("page[cursor]") ?? "";
    if (cursor !== "" && !isUuid(cursor)) throw bad(`page cursor must be a valid UUID (got ${JSON.stringify(cursor)})`, "page[cursor]");
    return { mode: "cursor", order, size: readSize(query, 10), cursor };
  }
  if (query.has("page[number]")) {
    const number = toI(query.get("page[number]"));
    if (number < 1 || number > 100) {
      const hint = number > 100 ? ", please use cursor-based pagination instead" : "";
      throw bad(`page number must be a number between 1 and 100 (got ${number})${hint}`, "page[number]");
    }
    const limit = query.has("limit") ? toI(query.get("limit")) : 10;
    return { mode: "number", order, size: readSize(query, limit >= 1 && limit <= 100 ? limit : 10), number };
  }
  throw shapeError();
}

/** The store page for a parsed pagination; keyset mode asks one extra row to know if more follow. */
export function toPageQuery(p: Pagination): PageQuery {
  switch (p.mode) {
    case "limit":
      return { order: p.order, limit: p.size };
    case "number":
      return { order: p.order, limit: p.size, offset: (p.number - 1) * p.size };
    case "cursor":
      return p.cursor === "" ? { order: p.order, limit: p.size + 1 } : { order: p.order, limit: p.size + 1, after: p.cursor };
  }
}

/** Ruby's `CGI.escape`: everything but `A-Za-z0-9_.-~` percent-encoded, spaces as `+`. */
function cgiEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * Rails `query_parameters.to_query`: a repeated key keeps its last value (unless it ends in `[]`),
 * each `key=value` is CGI-escaped, and the parameters are sorted by their escaped text.
 */
function toQuery(params: Array<[string, string]>): string {
  const groups = new Map<string, string[]>();
  for (const [k, v] of params) {
    const pair = `${cgiEscape(k)}=${cgiEscape(v)}`;
    const group = k.endsWith("[]") ? groups.get(k) : undefined;
    if (group) group.push(pair);
    else groups.set(k, [pair]);
  }
  return [...groups.values()]
    .map((g) => g.join("&"))
    .sort()
    .join("&");
}

function linkFor(path: string, query: URLSearchParams, page: Record<string, string>): string {
  const kept: Array<[string, string]> = [];
  for (const [k, v] of query) {
    if (k === "token" || k === "auth" || k === "page" || k.startsWith("page[")) continue;
    kept.push([k, v]);
  }
  for (const [k, v] of Object.entries(page)) kept.push([`page[${k}]`, v]);
  return `${path}?${toQuery(kept)}`;
}

/** Top-level `links` of a list, or undefined in limit mode (Keygen emits none there). */
export function paginationLinks(
  p: Pagination,
  path: string,
  query: URLSearchParams,
  info: { count?: number; nextCursor?: string | null },
): Record<string, unknown> | undefined {
  if (p.mode === "limit") return undefined;
  if (p.mode === "cursor") {
    const next = info.nextCursor ?? null;
    return {
      self: linkFor(path, query, { cursor: p.cursor, size: String(p.size) }),
      next: next === null ? null : linkFor(path, query, { cursor: next, size: String(p.size) }),
    };
  }
  const count = info.count ?? 0;
  const pages = Math.ceil(count / p.size);
  const at = (n: number | null) => (n === null ? null : linkFor(path, query, { number: String(n), size: String(p.size) }));
  return {
    self: at(p.number),
    // As Kaminari: no prev on the first page or past the last one, no next from the last one on.
    prev: at(p.number > 1 && p.number <= pages ? p.number - 1 : null),
    next: at(p.number < pages ? p.number + 1 : null),
    first: at(1),
    last: at(Math.max(pages, 1)),
    meta: { pages, count },
  };
}
