/**
 * @module sql/cache — a SQL store's reads kept until the data changes: a warm request makes one
 * revision check (none while change notification is live) instead of a statement per lookup.
 *
 * What is kept is records and query answers, never a decision: whether a license has expired or a
 * token is past its expiry is decided per request against the clock, so a license stops working
 * on time, to the second, whether its record came from the cache or not.
 *
 * When the cache is right:
 * - a write through this store (every write is a transaction of its client) drops everything when
 *   it settles, so the next request on this server sees it;
 * - a change made elsewhere (another server, SQL by hand) moves a revision; revisions are either
 *   pushed ({@link ChangeFeed.live}: e.g. PostgreSQL LISTEN/NOTIFY, delivered at commit) or checked
 *   with one statement at the start of each request (`getAccount`, the first call the HTTP handler
 *   makes) and before any read when the last check is older than {@link STALE_MS}.
 * - an answer read before a change and returned after it is not kept (an epoch counts the drops).
 */
import type { KeepAnswer, SqlStore } from "./store.js";

/** Where a cache learns that the database changed. */
export interface ChangeFeed {
  /** True while changes are pushed (then no check is made); false falls back to {@link ChangeFeed.version}. */
  live(): boolean;
  /** The database's current change version: one statement; equal strings mean nothing changed. */
  version(): Promise<string>;
  /** Call `onChange` for every pushed change, and when the feed goes live or stops being live. */
  subscribe(onChange: () => void): void;
  /** Begin pushing (called on the first read, so a store never used opens nothing). */
  start?(): void;
}

/** A cached store: the store itself plus what the cache did (for tests and benchmarks). */
export interface CachedSqlStore extends SqlStore {
  /** Drop every kept answer now. */
  invalidate(): void;
}

/** Most answers kept; the oldest is dropped beyond. */
const MAX_ENTRIES = 20_000;
/** A store used without the HTTP handler (no `getAccount` per request) still re-checks this often. */
export const STALE_MS = 100;

/** Methods that are not reads: never cached. */
const NOT_READS = new Set(["migrate", "close", "invalidate"]);
const isWrite = (name: string) => /^(create|update|delete|set|complete|fail)[A-Z]/.test(name);

/** Wrap `store` so that its reads are kept per change version; `onTransaction` must be called after each transaction of its client. */
export function cacheReads(store: SqlStore, feed: ChangeFeed): { store: CachedSqlStore; changed: () => void; keep: KeepAnswer } {
  let entries = new Map<string, Promise<unknown>>();
  let epoch = 0;
  /** The version last seen by a check, or null when unknown (then the next check drops everything). */
  let seen: string | null = null;
  let checkedAt = -Infinity;
  let checking: Promise<void> | null = null;

  const drop = () => {
    epoch++;
    entries = new Map();
  };
  feed.subscribe(() => {
    drop();
    // Changes missed while the feed was down are not known: the first check after it drops everything.
    seen = null;
  });

  const check = (): Promise<void> => {
    checking ??= feed.version().then(
      (version) => {
        checking = null;
        checkedAt = Date.now();
        if (version !== seen) {
          drop();
          seen = version;
        }
      },
      (error: unknown) => {
        checking = null;
        throw error;
      },
    );
    return checking;
  };

  /** Strings only (most reads: slugs, ids, keys), none holding a NUL: joined, which JSON text (starting `[`) never equals; else JSON. */
  const keyOf = (name: string, args: unknown[]): string => {
    let key = name;
    for (const arg of args) {
      if (typeof arg !== "string" || arg.includes("\u0000")) return `${name}\u0000${JSON.stringify(args)}`;
      key += "\u0000\u0001" + arg;
    }
    return key;
  };
  const put = (map: Map<string, Promise<unknown>>, key: string, answer: Promise<unknown>) => {
    map.set(key, answer);
    if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
  };
  /** A statement that also answers a later call keeps that answer, unless a change was seen since it began. */
  const keep: KeepAnswer = () => {
    const started = epoch;
    const mine = entries;
    return (method, args, value) => {
      const key = keyOf(method, args);
      if (started === epoch && !mine.has(key)) put(mine, key, Promise.resolve(value));
    };
  };

  const lookup = (name: string, fn: (...args: unknown[]) => Promise<unknown>, args: unknown[]): Promise<unknown> => {
    const key = keyOf(name, args);
    const kept = entries.get(key);
    if (kept !== undefined) {
      // Most recently used last, so the oldest is the first in the map.
      entries.delete(key);
      entries.set(key, kept);
      return kept;
    }
    const started = epoch;
    let answer: Promise<unknown>;
    try {
      answer = fn.apply(store, args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (started === epoch) {
      const mine = entries;
      put(mine, key, answer);
      // A failure is not kept; nor is an answer whose read began before a drop (the map it went into is gone).
      answer.catch(() => {
        if (mine.get(key) === answer) mine.delete(key);
      });
    }
    return answer;
  };

  // Not `async`: a kept answer is returned as the very promise kept, with no frame of its own; only a due check waits.
  const read = (name: string, fn: (...args: unknown[]) => Promise<unknown>, startsRequest: boolean) =>
    (...args: unknown[]): Promise<unknown> => {
      try {
        feed.start?.();
        if (!feed.live() && (startsRequest || Date.now() - checkedAt > STALE_MS)) return check().then(() => lookup(name, fn, args));
        return lookup(name, fn, args);
      } catch (error) {
        return Promise.reject(error);
      }
    };

  const cached: Record<string, unknown> = { ...store };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function" || NOT_READS.has(name) || isWrite(name)) continue;
    cached[name] = read(name, value as (...args: unknown[]) => Promise<unknown>, name === "getAccount");
  }
  cached.invalidate = drop;
  return { store: cached as unknown as CachedSqlStore, changed: drop, keep };
}
