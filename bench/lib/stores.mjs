/**
 * @module bench/lib/stores — one in-process profile run on each store kind asked for: a writable
 * memory store, a SQLite file and a PostgreSQL database (a throwaway cluster, when one can start),
 * each holding the same dataset, closed and removed afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWritableMemoryStore } from "../../dist/index.js";
import { createPostgresStore, importDataset as importPg } from "../../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../../dist/sqlite.js";
import { startPostgres } from "./pg.mjs";

/** Call `profile(name, store)` for each of `kinds` ("memory", "sqlite", "postgres") holding `dataset`, in turn. */
export async function onEachStore(dataset, profile, kinds = ["memory", "sqlite", "postgres"]) {
  const dir = mkdtempSync(join(tmpdir(), "re-profile-"));
  const pg = kinds.includes("postgres") ? await startPostgres(() => {}) : { unavailable: "not asked" };
  try {
    if (kinds.includes("memory")) await profile("memory", createWritableMemoryStore(dataset));
    if (kinds.includes("sqlite")) {
      const sqlite = createSqliteStore({ filename: join(dir, "bench.sqlite") });
      await importSqlite(sqlite, dataset);
      await profile("sqlite", sqlite);
      await sqlite.close();
    }
    if (!pg.unavailable) {
      const store = createPostgresStore({ connectionString: await pg.createDatabase("profile") });
      await importPg(store, dataset);
      await profile("postgres", store);
      await store.close();
    }
  } finally {
    if (!pg.unavailable) pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
