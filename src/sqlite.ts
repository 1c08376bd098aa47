/**
 * @module release-engines/sqlite — the embedded store on disk: SQLite through better-sqlite3.
 */
import Database from "better-sqlite3";
import type { SqlClient, Row } from "./sql/client.js";
import { SQLITE_DIALECT } from "./sql/dialects.js";
import type { Fragment } from "./sql/fragment.js";
import { migrateOnce } from "./sql/migrate.js";
import { SQLITE_MIGRATIONS } from "./sql/schema-sqlite.js";
import { createSqlStore, type SqlStore } from "./sql/store.js";
import { attachClient } from "./sql/import.js";
import { cacheReads } from "./sql/cache.js";
import { watchWalIndex, type WalIndexWatch } from "./node/sqlite-wal-index.js";

export { importDataset, type ImportSummary } from "./sql/import.js";
export type { SqlStore } from "./sql/store.js";

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (created when missing), or `:memory:`. */
  filename: string;
  /** Milliseconds to wait for another process's write lock; default 5000. */
  busyTimeoutMs?: number;
  /**
   * Keep reads until the file changes (default true): this store's own writes drop them at once; a
   * commit by another connection or process is seen through the wal-index header (one read of the
   * `-shm` file; `PRAGMA data_version` where the file is not in WAL mode), checked at the start of
   * each request (`getAccount`) and before any read when the last check is over 100 ms old.
   */
  cache?: boolean;
}

type Db = InstanceType<typeof Database>;
type Statement = Database.Statement<unknown[]>;

function bindable(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  return value === undefined ? null : value;
}

/**
 * Take the write lock without blocking the event loop: `BEGIN IMMEDIATE` with no busy wait, retried
 * after a short sleep until `waitMs` have passed. SQLite's own busy wait is synchronous, so a second
 * connection in the same process (or a request of this server while another process writes) would
 * stall everything, including the transaction it waits for.
 */
async function beginImmediate(db: Db, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let pause = 1;
  db.pragma("busy_timeout = 0");
  try {
    for (;;) {
      try {
        db.exec("BEGIN IMMEDIATE");
        return;
      } catch (error) {
        if (!String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY") || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 25);
    }
  } finally {
    db.pragma(`busy_timeout = ${waitMs}`);
  }
}

function sqliteClient(db: Db, busyTimeoutMs: number, committed: () => void, closed: () => void): SqlClient {
  // Prepared statements by the fragment's shape: a statement asked again with other values is found
  // without building or hashing its text.
  const cache = new Map<string, Statement>();
  const prepare = (query: Fragment) => {
    let stmt = cache.get(query.shape);
    if (stmt === undefined) {
      stmt = db.prepare<unknown[]>(query.text);
      if (cache.size > 500) cache.clear();
      cache.set(query.shape, stmt);
    }
    return stmt;
  };
  const run = (query: Fragment): Row[] => {
    const stmt = prepare(query);
    const params = query.params.map(bindable);
    if (stmt.reader) return stmt.all(...params) as Row[];
    stmt.run(...params);
    return [];
  };
  // Queries are synchronous; a transaction holds this lock so nothing else runs inside it.
  let lock: Promise<void> = Promise.resolve();
  const client: SqlClient = {
    dialect: SQLITE_DIALECT,
    async all(query) {
      await lock;
      return run(query);
    },
    async exec(script) {
      await lock;
      db.exec(script);
    },
    async transaction(fn) {
      const previous = lock;
      let release!: () => void;
      lock = new Promise<void>((r) => (release = r));
      await previous;
      const tx: SqlClient = {
        dialect: SQLITE_DIALECT,
        all: async (query) => run(query),
        exec: async (script) => void db.exec(script),
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      try {
        await beginImmediate(db, busyTimeoutMs);
        try {
          const out = await fn(tx);
          db.exec("COMMIT");
          return out;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      } finally {
        release();
        committed();
      }
    },
    async close() {
      await lock;
      db.close();
      closed();
    },
  };
  return client;
}

/**
 * A {@link SqlStore} on a SQLite file; the schema is created or migrated before the first query.
 * @example const store = createSqliteStore({ filename: "releases.sqlite" });
 */
export function createSqliteStore(options: SqliteStoreOptions): SqlStore {
  const db = new Database(options.filename);
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const onDisk = options.filename !== ":memory:" && options.filename !== "";
  const wal = onDisk && db.pragma("journal_mode = WAL", { simple: true }) === "wal";
  db.pragma("foreign_keys = ON");
  let changed = () => {};
  /** The wal-index watch: null until the first check (the `-shm` file exists once a read has run), undefined where `data_version` stays. */
  let walIndex: WalIndexWatch | undefined | null = wal ? null : undefined;
  const client = sqliteClient(db, busyTimeoutMs, () => changed(), () => walIndex?.close());
  const ensure = migrateOnce(client, SQLITE_MIGRATIONS);
  const plain = createSqlStore(client, ensure);
  if (options.cache === false) {
    attachClient(plain, client, ensure);
    return plain;
  }
  // data_version changes when another connection commits; it needs no schema (the first read migrates).
  // In WAL mode the wal-index header tells the same with one pread (node/sqlite-wal-index); the switch
  // from one token to the other reads as one change, so no commit between the two is missed.
  const dataVersion = db.prepare("PRAGMA data_version").pluck();
  const versionNow = (): string => {
    if (!db.open) return "closed";
    if (walIndex) {
      try {
        return walIndex.version();
      } catch {
        walIndex.close();
        walIndex = undefined;
      }
    }
    const version = String(dataVersion.get());
    if (walIndex === null) walIndex = watchWalIndex(options.filename);
    return version;
  };
  const cached = cacheReads(plain, {
    live: () => false,
    version: async () => versionNow(),
    // Synchronous (better-sqlite3): a request's check is made at once, and its kept answers are there without a promise.
    versionNow,
    subscribe: () => {},
  });
  changed = cached.changed;
  attachClient(cached.store, client, ensure);
  return cached.store;
}
