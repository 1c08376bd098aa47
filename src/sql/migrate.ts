/**
 * @module sql/migrate — apply versioned schema migrations once, in one transaction.
 */
import type { SqlClient } from "./client.js";
import { raw, sql } from "./fragment.js";

/** One schema migration: a script, or a step that also moves data (run inside the migration transaction). */
export type Migration = string | ((tx: SqlClient) => Promise<void>);

/** Apply every migration not yet applied; refuses a database whose schema is newer than this code. */
export async function migrate(client: SqlClient, migrations: readonly Migration[]): Promise<number> {
  return client.transaction(async (tx) => {
    // Serialise concurrent starters on one PostgreSQL database (SQLite's BEGIN IMMEDIATE already does).
    if (tx.dialect.name === "postgres") await tx.all(raw("SELECT pg_advisory_xact_lock(727100701)"));
    await tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied text NOT NULL)");
    const rows = await tx.all(raw("SELECT max(version) AS version FROM schema_migrations"));
    const current = Number(rows[0]?.version ?? 0);
    if (current > migrations.length) {
      throw new Error(`the database schema is version ${current}, newer than this release-engines supports (${migrations.length})`);
    }
    for (let v = current + 1; v <= migrations.length; v++) {
      const step = migrations[v - 1] as Migration;
      if (typeof step === "string") await tx.exec(step);
      else await step(tx);
      await tx.all(sql`INSERT INTO schema_migrations (version, applied) VALUES (${v}, ${new Date().toISOString()})`);
    }
    return migrations.length;
  });
}

/** A function that migrates once on first call, and again after a failed attempt (e.g. the database was down). */
export function migrateOnce(client: SqlClient, migrations: readonly Migration[]): () => Promise<void> {
  let ready: Promise<void> | null = null;
  return () => {
    ready ??= migrate(client, migrations).then(
      () => undefined,
      (error: unknown) => {
        ready = null;
        throw error;
      },
    );
    return ready;
  };
}
