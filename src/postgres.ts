/**
 * @module release-engines/postgres — the shared store many servers use: PostgreSQL through `pg`.
 *
 * Connections are made lazily and re-made after a failure, so a server started while the
 * database is down answers 503 until it is back, then recovers without a restart.
 */
import pg from "pg";
import type { Row, SqlClient } from "./sql/client.js";
import { POSTGRES_DIALECT } from "./sql/dialects.js";
import type { Fragment } from "./sql/fragment.js";
import { attachClient } from "./sql/import.js";
import { migrateOnce } from "./sql/migrate.js";
import { POSTGRES_MIGRATIONS } from "./sql/schema-postgres.js";
import { createSqlStore, type KeepAnswer, type SqlStore } from "./sql/store.js";
import { cacheReads } from "./sql/cache.js";
import { pgChangeFeed } from "./sql/pg-changes.js";

export { importDataset, type ImportSummary } from "./sql/import.js";
export type { SqlStore } from "./sql/store.js";

/** Options of {@link createPostgresStore}: a connection string, or a pool you own. */
export type PostgresStoreOptions =
  | ({ connectionString: string; pool?: undefined; maxConnections?: number; connectTimeoutMs?: number; statementTimeoutMs?: number } & CacheOptions)
  | ({ pool: pg.Pool; connectionString?: undefined } & CacheOptions);

/** How a PostgreSQL store keeps its reads (see sql/cache). */
export interface CacheOptions {
  /**
   * Keep reads per revision: `check` (default) checks every revision in one statement at the start
   * of each request, so a write on any server, or by hand in the database, is seen by the very next
   * request; `listen` also learns of changes by LISTEN/NOTIFY on a connection of its own and then
   * makes no statement for a warm request (another server's write is seen once its notification
   * arrives, a few milliseconds after commit), checking per request only while that connection is
   * down: use it when servers reach PostgreSQL directly or through session pooling (a
   * transaction-pooling proxy such as PgBouncer's `pool_mode = transaction` does not deliver
   * notifications); `off` asks the database on every call.
   */
  cache?: "listen" | "check" | "off";
}

/** `?` placeholders as `$1, $2, …` (the SQL text never holds a literal `?`). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** Most distinct statements prepared by name; the store's queries vary only with scope shape, so a few hundred at most. */
const MAX_PREPARED = 2_000;
/** Longer texts (bulk statements) are sent unnamed: they run once and would only fill each connection's cache. */
const MAX_PREPARED_TEXT = 16_384;

/** Named prepared statements by the fragment's shape (which names one text): each connection parses and plans a statement once, then only binds. */
const statements = new Map<string, { name: string; text: string }>();

/** The query config for a fragment: a named statement when the text is one the store repeats. */
function prepared(query: Fragment): pg.QueryConfig {
  const values = query.params as unknown[];
  let statement = statements.get(query.shape);
  if (statement === undefined) {
    const text = numbered(query.text);
    if (query.text.length > MAX_PREPARED_TEXT || statements.size >= MAX_PREPARED) return { text, values };
    statement = { name: `re_${statements.size + 1}`, text };
    statements.set(query.shape, statement);
  }
  return { name: statement.name, text: statement.text, values };
}

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

async function run(on: Queryable, query: Fragment, named = true): Promise<Row[]> {
  const result = await on.query(named ? prepared(query) : { text: numbered(query.text), values: query.params as unknown[] });
  return result.rows as Row[];
}

function postgresClient(pool: pg.Pool, ownsPool: boolean, committed: () => void = () => {}): SqlClient {
  return {
    dialect: POSTGRES_DIALECT,
    all: (query) => run(pool, query),
    async exec(script) {
      await pool.query(script);
    },
    async transaction(fn) {
      const conn = await pool.connect();
      const tx: SqlClient = {
        dialect: POSTGRES_DIALECT,
        // Transactions are imports and migrations: bulk statements run once, planned for their values
        // (unnamed; and `auto` so that the foreign-key checks PostgreSQL prepares itself keep one plan).
        all: (query) => run(conn, query, false),
        exec: async (script) => void (await conn.query(script)),
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      let broken: Error | undefined;
      try {
        await conn.query("BEGIN; SET LOCAL plan_cache_mode = auto");
        const out = await fn(tx);
        await conn.query("COMMIT");
        return out;
      } catch (error) {
        await conn.query("ROLLBACK").catch((e: Error) => (broken = e));
        throw error;
      } finally {
        conn.release(broken);
        // Whatever the transaction did (or might have done, when COMMIT's answer was lost) is seen by the next read.
        committed();
      }
    },
    async close() {
      if (ownsPool) await pool.end();
    },
  };
}

/**
 * A {@link SqlStore} on PostgreSQL; the schema is created or migrated before the first query.
 * @example const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 */
export function createPostgresStore(options: PostgresStoreOptions): SqlStore {
  let pool: pg.Pool;
  if (options.pool !== undefined) pool = options.pool;
  else {
    pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 10_000,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      // The store's statements are prepared by name and written so that one plan for any
      // parameters walks the right index; planning each execution anew cost more than running it.
      options: "-c plan_cache_mode=force_generic_plan",
    });
    // An idle connection dropped by the server (restart, failover) must not crash the process;
    // the pool discards it and the next query connects anew.
    pool.on("error", () => {});
  }
  const mode = options.cache ?? "check";
  let changed = () => {};
  const client = postgresClient(pool, options.pool === undefined, () => changed());
  const ensure = migrateOnce(client, POSTGRES_MIGRATIONS);
  // The cache, once made, keeps what one statement answers for a later call (upgrade + artifacts).
  let keep: KeepAnswer = () => null;
  const plain = createSqlStore(client, ensure, () => keep());
  if (mode === "off") {
    attachClient(plain, client, ensure);
    return plain;
  }
  const feed = pgChangeFeed(client, (pool as unknown as { options: pg.ClientConfig }).options, ensure);
  const cached = cacheReads(plain, mode === "check" ? { live: () => false, version: () => feed.version(), subscribe: () => {} } : feed);
  changed = cached.changed;
  keep = cached.keep;
  const store = cached.store;
  store.close = async () => {
    await feed.close();
    await plain.close();
  };
  attachClient(store, client, ensure);
  return store;
}
