/**
 * @module store/sync-reads — a store whose reads are answered in process (the memory store) as
 * plain functions, with the promise-returning `Store` made from them; `wrapStore` finds the plain
 * function behind each such method and calls it directly: one settled promise per call, no deadline
 * (a call that has returned cannot hang), instead of the deadline list's three promises and two closures.
 */
import type { Store } from "./types.js";

/** A store's methods as plain functions: the same names and arguments, each returning its value. */
export type SyncReads<S> = { [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : S[K] };

type Plain = (...args: unknown[]) => unknown;

/** The plain function behind each method {@link storeOfSyncReads} made (a method replaced later is not found). */
const plainOf = new WeakMap<object, Plain>();

/** The plain function a store method calls, when {@link storeOfSyncReads} made that method. */
export function plainFunctionOf(method: unknown): Plain | undefined {
  return typeof method === "function" ? plainOf.get(method) : undefined;
}

/** A `Store` whose every method calls its plain function as an `async` function would: a throw becomes a rejection. */
export function storeOfSyncReads(reads: SyncReads<Store>): Store {
  const store: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(reads as unknown as Record<string, Plain>)) {
    const method = (...args: unknown[]): Promise<unknown> => {
      try {
        return Promise.resolve(fn(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    plainOf.set(method, fn);
    store[name] = method;
  }
  return store as unknown as Store;
}
