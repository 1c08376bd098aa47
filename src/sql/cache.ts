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
 *
 * A kept answer is also there without a promise (store/wrap `keptReadOf`, which the HTTP handler
 * uses): at once while changes are pushed, or when the check due is made at once (SQLite's
 * `PRAGMA data_version`, {@link ChangeFeed.versionNow}); when a check must wait for the database
 * (PostgreSQL without a live feed) the lookup answers nothing and the caller awaits the method.
 */
import { markCredentialsVersion, markKeptAnswers, type KeptAnswer } from "../store/sync-reads.js";
import { KeptAnswers } from "./kept-answers.js";
import type { KeepAnswer, SqlStore } from "./store.js";

/** Where a cache learns that the database changed. */
export interface ChangeFeed {
  /** True while changes are pushed (then no check is made); false falls back to {@link ChangeFeed.version}. */
  live(): boolean;
  /** The database's current change version: one statement; equal strings mean nothing changed. */
  version(): Promise<string>;
  /** The same version read at once, for a database answered in process (SQLite): then a check never waits, and a kept answer is there without a promise. */
  versionNow?(): string;
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

/** Answers kept at least (the most recently used), and at most twice as many (sql/kept-answers). */
const MAX_ENTRIES = 20_000;
/** A store used without the HTTP handler (no `getAccount` per request) still re-checks this often. */
export const STALE_MS = 100;

/** Methods that are not reads: never cached. */
const NOT_READS = new Set(["migrate", "close", "invalidate"]);
const isWrite = (name: string) => /^(create|update|delete|set|complete|fail)[A-Z]/.test(name);

/** An answer in the cache: the promise every caller gets, and its value once it is fulfilled (then it can be answered without a promise). */
class Entry implements KeptAnswer {
  done = false;
  value: unknown = undefined;
  constructor(readonly promise: Promise<unknown>) {}
}

/**
 * Wrap `store` so that its reads are kept per change version; `changed` must be called after each
 * transaction of its client. Each read method also answers through a kept-answer lookup
 * (store/sync-reads `markKeptAnswers`): the kept value at once when it is there and no check is due,
 * or when the due check is made at once ({@link ChangeFeed.versionNow}); else nothing (call the method).
 */
export function cacheReads(store: SqlStore, feed: ChangeFeed): { store: CachedSqlStore; changed: () => void; keep: KeepAnswer } {
  let entries = new KeptAnswers<Entry>(MAX_ENTRIES);
  let epoch = 0;
  /** The version last seen by a check, or null when unknown (then the next check drops everything). */
  let seen: string | null = null;
  let checkedAt = -Infinity;
  let checking: Promise<void> | null = null;
  const versionNow = feed.versionNow === undefined ? undefined : () => (feed.versionNow as () => string).call(feed);

  const drop = () => {
    epoch++;
    entries = new KeptAnswers<Entry>(MAX_ENTRIES);
  };
  feed.subscribe(() => {
    drop();
    // Changes missed while the feed was down are not known: the first check after it drops everything.
    seen = null;
  });

  const saw = (version: string) => {
    checkedAt = Date.now();
    if (version !== seen) {
      drop();
      seen = version;
    }
  };
  const check = (): Promise<void> => {
    checking ??= feed.version().then(
      (version) => {
        checking = null;
        saw(version);
      },
      (error: unknown) => {
        checking = null;
        throw error;
      },
    );
    return checking;
  };
  /** Whether a read must check the version first: at the start of a request, or when the last check is stale, unless changes are pushed. */
  const due = (startsRequest: boolean) => !feed.live() && (startsRequest || Date.now() - checkedAt > STALE_MS);
  /**
   * Whether the version this cache knows is current now: no check is due, or the due check was made at
   * once ({@link ChangeFeed.versionNow}); false when the check must wait for the database.
   */
  const currentNow = (startsRequest: boolean): boolean => {
    feed.start?.();
    if (!due(startsRequest)) return true;
    if (versionNow === undefined) return false;
    saw(versionNow());
    return true;
  };

  /** A statement that also answers a later call keeps that answer, unless a change was seen since it began. */
  const keep: KeepAnswer = () => {
    const started = epoch;
    const mine = entries;
    return (method, args, value) => {
      if (started === epoch && !mine.has(method, args)) {
        const entry = new Entry(Promise.resolve(value));
        entry.value = value;
        entry.done = true;
        mine.set(method, args, entry);
      }
    };
  };
  const lookup = (name: string, fn: (...args: unknown[]) => Promise<unknown>, args: unknown[]): Promise<unknown> => {
    const kept = entries.get(name, args);
    if (kept !== undefined) return kept.promise;
    const started = epoch;
    let answer: Promise<unknown>;
    try {
      answer = fn.apply(store, args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (started === epoch) {
      const mine = entries;
      const entry = new Entry(answer);
      mine.set(name, args, entry);
      // A failure is not kept; nor is an answer whose read began before a drop (the map it went into is gone).
      answer.then(
        (value) => {
          entry.value = value;
          entry.done = true;
        },
        () => {
          mine.delete(name, args, entry);
        },
      );
    }
    return answer;
  };

  // Not `async`: a kept answer is returned as the very promise kept, with no frame of its own; only a due check that must wait does.
  const read = (name: string, fn: (...args: unknown[]) => Promise<unknown>, startsRequest: boolean) =>
    (...args: unknown[]): Promise<unknown> => {
      try {
        if (!currentNow(startsRequest)) return check().then(() => lookup(name, fn, args));
        return lookup(name, fn, args);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  /** The kept-answer path of a read: its fulfilled entry, when there is one and the version is known to be current. */
  const kept = (name: string, startsRequest: boolean) =>
    (...args: unknown[]): KeptAnswer | undefined => {
      if (!currentNow(startsRequest)) return undefined;
      const entry = entries.get(name, args);
      return entry !== undefined && entry.done ? entry : undefined;
    };

  const cached: Record<string, unknown> = { ...store };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function" || NOT_READS.has(name) || isWrite(name)) continue;
    const startsRequest = name === "getAccount";
    const method = read(name, value as (...args: unknown[]) => Promise<unknown>, startsRequest);
    markKeptAnswers(method, kept(name, startsRequest));
    cached[name] = method;
  }
  cached.invalidate = drop;
  // Authentications may be remembered while nothing was dropped (every change drops), the version known current as for a read.
  markCredentialsVersion(cached, () => (currentNow(false) ? epoch : undefined));
  return { store: cached as unknown as CachedSqlStore, changed: drop, keep };
}
