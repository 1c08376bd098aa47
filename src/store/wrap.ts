/**
 * @module store/wrap — wrap an injected store once: failures and hangs become a StoreError (503, no internals).
 *
 * Each call still gets its own deadline, but calls share one timer: pending calls wait in a list
 * ordered by deadline (they start in order and all wait the same time), and a single timer, armed
 * for the oldest, rejects whatever has expired when it fires. A call that settles leaves the list
 * in O(1); no timer is created or cleared per call. A store answered in process (store/sync-reads)
 * is called through its plain functions: one settled promise per call and no deadline; a cached
 * store's kept answer (sql/cache) is returned as the fulfilled promise it is kept as, with no deadline.
 */
import { StoreError, isSdkError } from "../core/errors.js";
import { inheritCredentialsVersion, keptLookupOf, NOT_KEPT, plainFunctionOf, type KeptAnswer, type KeptReads } from "./sync-reads.js";
import type { Store } from "./types.js";

/** Options of {@link wrapStore}. */
export interface WrapStoreOptions {
  /** Milliseconds after which a store call counts as failed; 0 or absent: no limit. */
  timeoutMs?: number;
}

function unavailable(cause: unknown): StoreError {
  return new StoreError("The service is temporarily unavailable", { cause, status: 503 });
}

/** A store failure as the client may see it: SDK errors pass, anything else becomes a generic StoreError. */
function asStoreError(error: unknown): unknown {
  return isSdkError(error) ? error : unavailable(error);
}

/** A pending call in the deadline list. */
interface Waiting {
  deadline: number;
  name: string;
  reject: (error: unknown) => void;
  prev: Waiting | null;
  next: Waiting | null;
  done: boolean;
}

/** Pending calls in deadline order, and the one timer that expires them. */
class Deadlines {
  private head: Waiting | null = null;
  private tail: Waiting | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(name: string, reject: (error: unknown) => void): Waiting {
    const entry: Waiting = { deadline: Date.now() + this.timeoutMs, name, reject, prev: this.tail, next: null, done: false };
    if (this.tail === null) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    if (this.timer === undefined) this.arm(entry.deadline);
    return entry;
  }

  remove(entry: Waiting): void {
    if (entry.done) return;
    entry.done = true;
    if (entry.prev === null) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = null;
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, deadline - Date.now()));
    // Where timers can be unreferenced (Node, Bun, Deno), a pending deadline alone does not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.head !== null && this.head.deadline <= now) {
      const entry = this.head;
      this.remove(entry);
      // The client sees the generic detail; onError gets the method in the cause.
      entry.reject(unavailable(new Error(`store call ${entry.name} timed out after ${this.timeoutMs} ms`)));
    }
    if (this.head !== null) this.arm(this.head.deadline);
  }
}

/** A store whose every method rejects with a StoreError when the underlying call throws, rejects or hangs. */
export function wrapStore(store: Store, options: WrapStoreOptions = {}): Store {
  const timeoutMs = options.timeoutMs ?? 0;
  const deadlines = timeoutMs > 0 ? new Deadlines(timeoutMs) : null;
  const wrapped: Record<string, unknown> = {};
  const kept: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of methodNames(store)) {
    const method = (store as unknown as Record<string, unknown>)[name];
    const plain = plainFunctionOf(method);
    if (plain !== undefined) {
      kept[name] = (...args: unknown[]): unknown => {
        try {
          return plain(...args);
        } catch (error) {
          throw asStoreError(error);
        }
      };
      // Answered in process: the value (or the throw) is there on return, so there is no hang to time out.
      wrapped[name] = (...args: unknown[]): Promise<unknown> => {
        try {
          return Promise.resolve(plain(...args));
        } catch (error) {
          return Promise.reject(asStoreError(error));
        }
      };
      continue;
    }
    const fn = method as (...args: unknown[]) => unknown;
    const lookup = keptLookupOf(method);
    if (lookup !== undefined) {
      kept[name] = (...args: unknown[]): unknown => {
        let answer: KeptAnswer | undefined;
        try {
          answer = lookup(...args);
        } catch (error) {
          throw asStoreError(error);
        }
        return answer === undefined ? NOT_KEPT : answer.value;
      };
      // A kept answer is its own fulfilled promise, returned as it is (it cannot hang); else the call as any other.
      wrapped[name] = (...args: unknown[]): Promise<unknown> => {
        let answer: KeptAnswer | undefined;
        try {
          answer = lookup(...args);
        } catch (error) {
          return Promise.reject(asStoreError(error));
        }
        return answer !== undefined ? answer.promise : call(store, name, fn, args, deadlines);
      };
      continue;
    }
    wrapped[name] = (...args: unknown[]): Promise<unknown> => call(store, name, fn, args, deadlines);
  }
  // The write contract's marker is a property, not a method.
  if ((store as { writable?: unknown }).writable === true) wrapped.writable = true;
  inheritCredentialsVersion(store, wrapped, new Set(Object.keys(kept)));
  keptReadsOf.set(wrapped, kept);
  return wrapped as unknown as Store;
}

/** One call of a store method that answers asynchronously: its failures as StoreErrors, and its deadline when there is one. */
function call(store: Store, name: string, fn: (...args: unknown[]) => unknown, args: unknown[], deadlines: Deadlines | null): Promise<unknown> {
  let result: unknown;
  try {
    result = fn.apply(store, args);
  } catch (error) {
    return Promise.reject(asStoreError(error));
  }
  if (deadlines === null) return Promise.resolve(result).then(undefined, (error: unknown) => Promise.reject(asStoreError(error)));
  return new Promise((resolve, reject) => {
    const entry = deadlines.add(name, reject);
    Promise.resolve(result).then(
      (value) => {
        deadlines.remove(entry);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.remove(entry);
        reject(asStoreError(error));
      },
    );
  });
}

/** The kept reads of each store {@link wrapStore} made: its in-process reads and its cached ones (sql/cache). */
const keptReadsOf = new WeakMap<object, Record<string, (...args: unknown[]) => unknown>>();

/**
 * A read of a store {@link wrapStore} made, as a plain function that answers when the store holds
 * the answer in process (always for an in-process store; a SQL store's kept answers, sql/cache) and
 * returns {@link NOT_KEPT} otherwise (then call the method); it throws what the method would reject
 * with. Undefined when the store has no such path for `name`.
 */
export function keptReadOf<K extends keyof Store>(store: Store, name: K): KeptReads<Store>[K] | undefined {
  return keptReadsOf.get(store)?.[name as string] as KeptReads<Store>[K] | undefined;
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
