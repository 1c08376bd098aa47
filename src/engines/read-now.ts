/**
 * @module engines/read-now — the store reads a warm request makes, answered in process when the store
 * holds the answer (the memory store; a SQL store's kept answer: store/wrap `keptReadOf`), else the
 * store's promise: a caller awaits only what really waits.
 */
import type { EngineKey, Package, Product } from "../model/records.js";
import { NOT_KEPT } from "../store/sync-reads.js";
import type { RevisionAudience } from "../store/types.js";
import { keptReadOf } from "../store/wrap.js";
import type { EngineContext } from "./context.js";

/** The account's revision (`packageId` null) or a package's, in process when held, else its promise. */
export function revisionNow(ctx: EngineContext, packageId: string | null, audience: RevisionAudience = "all"): string | Promise<string> {
  if (packageId === null) {
    const read = keptReadOf(ctx.store, "getAccountRevision");
    const kept = read === undefined ? NOT_KEPT : read(ctx.account.id);
    return kept !== NOT_KEPT ? kept : ctx.store.getAccountRevision(ctx.account.id);
  }
  const read = keptReadOf(ctx.store, "getPackageRevision");
  const kept = read === undefined ? NOT_KEPT : read(ctx.account.id, packageId, audience);
  return kept !== NOT_KEPT ? kept : ctx.store.getPackageRevision(ctx.account.id, packageId, audience);
}

/** The account's package by id or key (of `engine`, or of any engine), in process when held, else its promise. */
export function packageNow(ctx: EngineContext, idOrKey: string, engine?: EngineKey): Package | null | Promise<Package | null> {
  const read = keptReadOf(ctx.store, "getPackage");
  const kept = read === undefined ? NOT_KEPT : read(ctx.account.id, idOrKey, engine);
  return kept !== NOT_KEPT ? kept : ctx.store.getPackage(ctx.account.id, idOrKey, engine);
}

/** The account's product by id or code, in process when held, else its promise. */
export function productNow(ctx: EngineContext, idOrCode: string): Product | null | Promise<Product | null> {
  const read = keptReadOf(ctx.store, "getProduct");
  const kept = read === undefined ? NOT_KEPT : read(ctx.account.id, idOrCode);
  return kept !== NOT_KEPT ? kept : ctx.store.getProduct(ctx.account.id, idOrCode);
}

/** Whether a read's answer is still to come: a promise, or any thenable a custom store returns (records have no `then`). */
export function isPending<T>(read: T | PromiseLike<T>): read is PromiseLike<T> {
  return typeof read === "object" && read !== null && typeof (read as { then?: unknown }).then === "function";
}
