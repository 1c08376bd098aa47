/**
 * @module store/wrap — wrap an injected store once: failures and hangs become a StoreError (503, no internals).
 */
import { StoreError, isSdkError } from "../core/errors.js";
import type { Store } from "./types.js";

/** Options of {@link wrapStore}. */
export interface WrapStoreOptions {
  /** Milliseconds after which a store call counts as failed; 0 or absent: no limit. */
  timeoutMs?: number;
}

/** A store whose every method rejects with a StoreError when the underlying call throws, rejects or hangs. */
export function wrapStore(store: Store, options: WrapStoreOptions = {}): Store {
  const timeoutMs = options.timeoutMs ?? 0;
  const wrapped: Record<string, unknown> = {};
  for (const name of methodNames(store)) {
    const fn = (store as unknown as Record<string, (...args: unknown[]) => unknown>)[name] as (...args: unknown[]) => unknown;
    wrapped[name] = async (...args: unknown[]) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const call = Promise.resolve().then(() => fn.apply(store, args));
        if (timeoutMs <= 0) return await call;
        const timeout = new Promise<never>((_, reject) => {
          // The client sees the generic detail; onError gets the method in the cause. Both errors are
          // made only when the timer fires: capturing a stack on every call costs more than the call.
          timer = setTimeout(() => {
            const cause = new Error(`store call ${name} timed out after ${timeoutMs} ms`);
            reject(new StoreError("The service is temporarily unavailable", { cause, status: 503 }));
          }, timeoutMs);
        });
        return await Promise.race([call, timeout]);
      } catch (error) {
        if (isSdkError(error)) throw error;
        throw new StoreError("The service is temporarily unavailable", { cause: error, status: 503 });
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    };
  }
  return wrapped as unknown as Store;
}

function methodNames(store: Store): string[] {
  const names = new Set<string>();
  for (let o: object | null = store; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (k !== "constructor" && typeof (store as unknown as Record<string, unknown>)[k] === "function") names.add(k);
    }
  }
  return [...names];
}
