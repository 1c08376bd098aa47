/**
 * @module cli/store-source — the SQL store `serve` and `import` open, from `--db` or
 * `--database-url`, loaded only when asked for (its optional peer named in one line when missing)
 * and checked to answer before it is used.
 */
import { CommandUsageError } from "./flags.js";
import { CliFailure, databaseFailure, importWithPeer, redactUrl } from "./fatal.js";
import type { SqlStore } from "../sql/store.js";

/** Where a SQL store lives, from --db or --database-url; `cache` is how a PostgreSQL store keeps reads (default `check`). */
export type StoreSource = { kind: "sqlite" | "postgres"; target: string; cache?: PostgresCacheMode };

/** The PostgreSQL cache modes `serve --cache` takes (as postgres.ts's CacheOptions, without loading pg for a usage error). */
export const POSTGRES_CACHE_MODES = ["listen", "check", "off"] as const;

/** One of {@link POSTGRES_CACHE_MODES}. */
export type PostgresCacheMode = (typeof POSTGRES_CACHE_MODES)[number];

/** The `--cache` flag's mode; undefined when not given. @throws {CommandUsageError} for a mode not known or given without --database-url. */
export function cacheModeOf(values: Record<string, string | boolean | undefined>, source: StoreSource | null, usage: string): PostgresCacheMode | undefined {
  const mode = values.cache as string | undefined;
  if (mode === undefined) return undefined;
  if (!(POSTGRES_CACHE_MODES as readonly string[]).includes(mode)) throw new CommandUsageError(`--cache must be one of ${POSTGRES_CACHE_MODES.join(", ")} (got '${mode}')`, usage);
  if (source?.kind !== "postgres") throw new CommandUsageError("--cache chooses how a PostgreSQL store keeps its reads: it needs --database-url", usage);
  return mode as PostgresCacheMode;
}

/** The store a command's `--db` / `--database-url` name; null when neither is given and `optional`. @throws {CommandUsageError}. */
export function storeSource(values: Record<string, string | boolean | undefined>, optional: boolean, usage: string): StoreSource | null {
  const db = values.db as string | undefined;
  const url = values["database-url"] as string | undefined;
  if (db !== undefined && url !== undefined) throw new CommandUsageError("give either --db or --database-url, not both", usage);
  if (db !== undefined) {
    if (db === "") throw new CommandUsageError("--db needs a file name", usage);
    return { kind: "sqlite", target: db };
  }
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\/./.test(url)) throw new CommandUsageError(`--database-url must be a postgres:// or postgresql:// URL (got '${redactUrl(url)}')`, usage);
    return { kind: "postgres", target: url };
  }
  if (optional) return null;
  throw new CommandUsageError("give --db FILE.sqlite or --database-url URL", usage);
}

/**
 * Open the store and make one query, so a database that cannot be reached, entered or opened is
 * one line (a {@link CliFailure}) at start, not a failure on the first request.
 */
export async function openSqlStore(source: StoreSource): Promise<SqlStore> {
  let store: SqlStore;
  try {
    if (source.kind === "sqlite") {
      const { createSqliteStore } = await importWithPeer(() => import("../sqlite.js"));
      store = createSqliteStore({ filename: source.target });
    } else {
      const { createPostgresStore } = await importWithPeer(() => import("../postgres.js"));
      store = createPostgresStore({ connectionString: source.target, ...(source.cache !== undefined ? { cache: source.cache } : {}) });
    }
  } catch (error) {
    throw databaseFailure(error, source.kind, source.target) ?? error;
  }
  try {
    await store.getAccount("release-engines-cli-probe");
  } catch (error) {
    await store.close().catch(() => {});
    throw databaseFailure(error, source.kind, source.target) ?? error;
  }
  return store;
}

/** Re-throw a database error met after opening as one line when it is a connection failure. */
export function asDatabaseFailure(error: unknown, source: StoreSource): unknown {
  return error instanceof CliFailure ? error : (databaseFailure(error, source.kind, source.target) ?? error);
}
