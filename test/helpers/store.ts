/**
 * The store behind the HTTP-level tests: memory by default, or a SQL store when `RE_TEST_STORE`
 * says so, so that one suite checks every backend (issue 7 item 4).
 *
 * - `RE_TEST_STORE=sqlite`: a fresh SQLite file per store, in a temp folder removed after the file's tests.
 * - `RE_TEST_STORE=postgres`: a fresh database per store, in the throwaway cluster that
 *   `test/helpers/pg-global.ts` starts once for the whole run (vitest `globalSetup`), cloned from a
 *   database migrated once there.
 *
 * Stores made here are closed (and their databases or files deleted) after the test file (`afterAll`);
 * {@link closeStore} closes one sooner.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";
import type { Dataset } from "../../src/dataset/load.js";
import { createPostgresStore } from "../../src/postgres.js";
import { createSqliteStore, importDataset, type SqlStore } from "../../src/sqlite.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { Store } from "../../src/store/types.js";
import { isWritableStore, type WritableStore } from "../../src/store/write.js";

/** The backends a test run can choose. */
export type TestStoreKind = "memory" | "sqlite" | "postgres";

/** The backend this run uses, from `RE_TEST_STORE` (default memory). */
export function testStoreKind(): TestStoreKind {
  const kind = process.env.RE_TEST_STORE ?? "memory";
  if (kind !== "memory" && kind !== "sqlite" && kind !== "postgres") throw new Error(`RE_TEST_STORE must be memory, sqlite or postgres, not ${kind}`);
  return kind;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's throwaway PostgreSQL cluster (only when RE_TEST_STORE=postgres): admin URL and migrated template database. */
    reTestPg: { url: string; template: string };
  }
}

const open = new Map<SqlStore, () => Promise<void>>();
const where = new WeakMap<Store, string>();
const drops: Promise<void>[] = [];
let admin: Promise<pg.Client> | null = null;
let dir: string | null = null;
let serial = 0;
const prefix = `t${process.pid}_${Date.now().toString(36)}`;

afterAll(async () => {
  const closers = [...open.values()];
  open.clear();
  await Promise.all(closers.map((close) => close()));
  await Promise.all(drops.splice(0));
  if (admin !== null) await (await admin).end();
  admin = null;
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** Run one statement on the cluster's `postgres` database, over one connection per test file. */
async function asAdmin(url: string, text: string): Promise<void> {
  admin ??= (async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  })();
  // One statement at a time on the one connection (stores made and dropped together would overlap: pg warns and pg@9 refuses).
  const mine = adminTurn.then(async () => void (await (await admin!).query(text)));
  adminTurn = mine.catch(() => {});
  await mine;
}

/** The admin connection's last statement: the next waits for it. */
let adminTurn: Promise<void> = Promise.resolve();

/**
 * A new database cloned from the run's migrated template (cloning skips re-running the migrations
 * for every store; test/sql covers them), with its own instance id as a fresh migration would give.
 */
async function postgresStore(): Promise<{ store: SqlStore; close: () => Promise<void> }> {
  const pgRun = inject("reTestPg");
  if (pgRun === undefined) throw new Error("RE_TEST_STORE=postgres needs the cluster of test/helpers/pg-global.ts (vitest globalSetup)");
  const name = `${prefix}_${serial++}`;
  await asAdmin(pgRun.url, `CREATE DATABASE "${name}" TEMPLATE "${pgRun.template}" STRATEGY FILE_COPY`);
  const pool = new pg.Pool({ connectionString: pgRun.url.replace(/\/[^/]*$/, `/${name}`), max: 2 });
  // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing; that is expected.
  pool.on("error", () => {});
  await pool.query("UPDATE store_meta SET value = md5(random()::text || clock_timestamp()::text) WHERE key = 'instance'");
  const store = createPostgresStore({ pool });
  where.set(store, pgRun.url.replace(/\/[^/]*$/, `/${name}`));
  // Dropped when closed (every database weighs megabytes, and a run makes hundreds), in the
  // background so the next test need not wait; afterAll waits for every drop.
  return { store, close: async () => {
    await pool.end();
    drops.push(asAdmin(pgRun.url, `DROP DATABASE "${name}" WITH (FORCE)`));
  } };
}

async function sqlStore(): Promise<{ store: SqlStore; close: () => Promise<void> }> {
  if (testStoreKind() === "postgres") return postgresStore();
  dir ??= mkdtempSync(join(tmpdir(), "re-test-store-"));
  const filename = join(dir, `store-${serial++}.sqlite`);
  const store = createSqliteStore({ filename });
  where.set(store, filename);
  return { store, close: async () => {
    await store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(filename + suffix, { force: true });
  } };
}

/** A store holding `dataset`, of the backend `RE_TEST_STORE` names (memory by default). */
export async function makeStore(dataset: Dataset): Promise<Store> {
  if (testStoreKind() === "memory") return createMemoryStore(dataset);
  const { store, close } = await sqlStore();
  open.set(store, close);
  await importDataset(store, dataset);
  return store;
}

/**
 * A store that can publish, holding `dataset`, of the backend `RE_TEST_STORE` names (memory by default).
 * @throws {Error} when that backend's store does not implement the write contract.
 */
export async function makeWritableStore(dataset: Dataset): Promise<WritableStore> {
  if (testStoreKind() === "memory") return createWritableMemoryStore(dataset);
  const store = await makeStore(dataset);
  if (!isWritableStore(store)) throw new Error(`the ${testStoreKind()} store does not implement the write contract`);
  return store;
}

/** Close a store made by {@link makeStore} now (a no-op for memory stores). */
export async function closeStore(store: Store): Promise<void> {
  const close = open.get(store as SqlStore);
  if (close === undefined) return;
  open.delete(store as SqlStore);
  await close();
}

/** Where a store made by {@link makeStore} keeps its data: the SQLite file or PostgreSQL URL; null for memory. */
export function storeLocation(store: Store): string | null {
  return where.get(store) ?? null;
}
