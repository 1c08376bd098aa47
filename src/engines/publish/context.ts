/**
 * @module engines/publish/context — what the write engines receive beyond an engine context: a
 * store that can write, the event emitter and the blob storage; and the list pagination they share.
 */
import type { BlobStorage } from "../../blobs/types.js";
import { ReadOnlyStoreError } from "../../core/errors.js";
import { jsonResult, type EngineResult } from "../../core/result.js";
import { isWritableStore, type Paged, type WritableStore } from "../../store/write.js";
import type { PageQuery } from "../../store/types.js";
import type { Artifact } from "../../model/records.js";
import type { EngineContext } from "../context.js";
import { paginationLinks, parsePagination, toPageQuery } from "../pagination.js";
import { optionalParam } from "../query.js";
import type { Emit } from "./events.js";

/** The context of a write engine: an engine context whose store writes. */
export interface PublishContext extends EngineContext {
  store: WritableStore;
  /** Reports a committed change (never throws). */
  emit: Emit;
  /** Where artifact bytes live (upload URLs; bytes removed on delete). */
  blobs?: BlobStorage;
  /** Receives a failure that must not fail the request (a blob left behind after its artifact was deleted). */
  report: (error: unknown) => void;
}

/**
 * The write context of an engine context.
 * @throws {ReadOnlyStoreError} 405 `STORE_READ_ONLY` when the store does not implement the write contract.
 */
export function publishContext(ctx: EngineContext, emit: Emit, report: (error: unknown) => void, blobs?: BlobStorage): PublishContext {
  if (!isWritableStore(ctx.store)) throw new ReadOnlyStoreError();
  const out: PublishContext = { ...ctx, store: ctx.store, emit, report };
  if (blobs !== undefined) out.blobs = blobs;
  return out;
}

/**
 * The `?product=` filter of a list (product id or code): undefined when not given, the product's id,
 * or null when it names no product of the account (the list is then empty).
 */
export async function productFilter(ctx: PublishContext, query: URLSearchParams): Promise<string | null | undefined> {
  const term = optionalParam(query, "product");
  if (term === undefined) return undefined;
  return (await ctx.store.getProduct(ctx.account.id, term))?.id ?? null;
}

/** What a list route needs: the request path (for links) and query. */
export interface ListInput {
  path: string;
  query: URLSearchParams;
}

/**
 * One page of a list as Keygen answers it (limit, page number or cursor mode, with its links).
 * @throws {ValidationError} for bad `limit`, `page[...]` or `order`.
 */
export async function listResult<T>(
  input: ListInput,
  fetch: (page: PageQuery) => Promise<Paged<T>>,
  serialize: (item: T) => unknown,
  idOf: (item: T) => string = (item) => (item as { id: string }).id,
): Promise<EngineResult> {
  const pagination = parsePagination(input.query);
  const page = await fetch(toPageQuery(pagination));
  let rows = page.items;
  let nextCursor: string | null = null;
  if (pagination.mode === "cursor" && rows.length > pagination.size) {
    rows = rows.slice(0, pagination.size);
    const last = rows[rows.length - 1];
    nextCursor = last === undefined ? null : idOf(last);
  }
  const links = paginationLinks(pagination, input.path, input.query, { count: page.total, nextCursor });
  const doc: Record<string, unknown> = { data: rows.map(serialize) };
  if (links !== undefined) doc.links = links;
  return jsonResult(200, doc);
}

/** Remove the bytes of deleted artifacts; a failure is reported, never thrown (the records are already gone). */
export async function removeBlobs(ctx: PublishContext, artifacts: readonly Artifact[]): Promise<void> {
  const remove = ctx.blobs?.remove;
  if (remove === undefined) return;
  await Promise.all(
    artifacts.map(async (artifact) => {
      try {
        await remove.call(ctx.blobs, ctx.account, artifact);
      } catch (error) {
        ctx.report(error);
      }
    }),
  );
}

/** An empty list (a filter that names nothing the caller may see). */
export function emptyList(): Paged<never> {
  return { items: [], total: 0 };
}
