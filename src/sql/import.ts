/**
 * @module sql/import — load a dataset into a SQL store: one transaction, idempotent.
 *
 * The file's records are inserted or updated (a row that already matches is not written, so no
 * trigger fires and no revision moves). By default that is all: records the store has and the file
 * lacks (a release published through the API, other products) stay. With `prune`, the file is the
 * truth for the accounts it holds and their other records are deleted. Accounts not in the file
 * are always untouched. With `dryRun`, the same work runs and is rolled back: the plan, no change.
 * Validation happens before (`loadDataset` / `loadDatasetFile`), so a bad file never gets here.
 */
import { parseStrict } from "../core/version.js";
import type { Dataset } from "../dataset/load.js";
import type { SqlClient } from "./client.js";
import { constraintConflict } from "./conflicts.js";
import { join, list, raw, sql, statement, type Fragment } from "./fragment.js";
import type { SqlStore } from "./store.js";

/** What an import wrote (or, in a dry run, would write). */
export interface ImportSummary {
  /** Accounts in the file. */
  accounts: number;
  /** Rows inserted or changed. */
  written: number;
  /** Rows deleted because the file no longer has them (only with `prune`). */
  deleted: number;
  /** Per table: rows added, changed and deleted. Tables with nothing to do are left out. */
  plan: Record<string, { add: number; change: number; delete: number }>;
  /** True when nothing was changed because `dryRun` was asked. */
  dryRun: boolean;
}

/** Options of {@link importDataset}. */
export interface ImportOptions {
  /** Also delete the records of the file's accounts that the file lacks (default: keep them). */
  prune?: boolean;
  /** Work out the plan and roll it back: nothing changes. */
  dryRun?: boolean;
  /** Called as rows of the file are written: how many so far, of how many in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Thrown inside the transaction to roll a dry run back. */
class DryRun extends Error {
  constructor(readonly summary: ImportSummary) {
    super("dry run");
  }
}

function tally(summary: ImportSummary, table: string, kind: "add" | "change" | "delete", n: number): void {
  if (n <= 0) return;
  const row = (summary.plan[table] ??= { add: 0, change: 0, delete: 0 });
  row[kind] += n;
}

/** How many of `ids` the table does not hold yet (rows an upsert will add). */
async function countNew(tx: SqlClient, table: string, accountId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const existing = new Set((await tx.all(sql`SELECT id FROM ${raw(table)} WHERE account_id = ${accountId}`)).map((r) => String(r.id)));
  let n = 0;
  for (const id of ids) if (!existing.has(id)) n += 1;
  return n;
}

const attached = new WeakMap<object, { client: SqlClient; ensure: () => Promise<void> }>();

/** Register the client behind a SQL store so that {@link importDataset} can reach it. */
export function attachClient(store: SqlStore, client: SqlClient, ensure: () => Promise<void>): void {
  attached.set(store, { client, ensure });
}

type Values = Record<string, unknown>;
const jsonText = (v: unknown) => JSON.stringify(v);

/** Rows of each table for one account, in insertion (parent-first) order. */
function tableRows(dataset: Dataset, accountId: string): Array<[table: string, rows: Values[]]> {
  const mine = <T extends { accountId: string }>(records: T[]) => records.filter((r) => r.accountId === accountId);
  return [
    ["products", mine(dataset.products).map((p) => ({ id: p.id, account_id: p.accountId, code: p.code, name: p.name, distribution_strategy: p.distributionStrategy, created: p.created }))],
    ["packages", mine(dataset.packages).map((p) => ({
      id: p.id, account_id: p.accountId, product_id: p.productId, key: p.key, name: p.name, engine: p.engine,
      metadata: jsonText(p.metadata), created: p.created, updated: p.updated,
    }))],
    ["engines", mine(dataset.engines).map((e) => ({ id: e.id, account_id: e.accountId, key: e.key, name: e.name, created: e.created, updated: e.updated }))],
    ["entitlements", mine(dataset.entitlements).map((e) => ({ id: e.id, account_id: e.accountId, code: e.code, name: e.name }))],
    ["releases", mine(dataset.releases).map((r) => {
      const parsed = parseStrict(r.version);
      return {
        id: r.id, account_id: r.accountId, product_id: r.productId, package_id: r.packageId, version: r.version, version_key: r.versionKey,
        pre_word: parsed?.preWord ?? null, pre_num: parsed?.preNum ?? null,
        build_word: parsed?.buildWord ?? null, build_num: parsed?.buildNum ?? null, channel: r.channel, status: r.status, tag: r.tag, name: r.name,
        description: r.description, entitlements: jsonText(r.entitlements), metadata: jsonText(r.metadata), created: r.created,
        updated: r.updated, backdated: r.backdated, yanked: r.yanked,
      };
    })],
    ["artifacts", mine(dataset.artifacts).map((a) => ({
      id: a.id, account_id: a.accountId, release_id: a.releaseId, filename: a.filename, filetype: a.filetype, platform: a.platform,
      arch: a.arch, filesize: a.filesize, checksum: a.checksum, signature: a.signature, status: a.status, metadata: jsonText(a.metadata),
      created: a.created, updated: a.updated, blob: a.blob,
    }))],
    ["policies", mine(dataset.policies).map((p) => ({
      id: p.id, account_id: p.accountId, product_id: p.productId, name: p.name, expiration_strategy: p.expirationStrategy,
      authentication_strategy: p.authenticationStrategy, entitlements: jsonText(p.entitlements),
    }))],
    ["users", mine(dataset.users).map((u) => ({ id: u.id, account_id: u.accountId, email: u.email, role: u.role, banned: u.banned }))],
    ["licenses", mine(dataset.licenses).map((l) => ({
      id: l.id, account_id: l.accountId, policy_id: l.policyId, product_id: l.productId, key: l.key, expiry: l.expiry,
      suspended: l.suspended, owner_id: l.ownerId, entitlements: jsonText(l.entitlements),
    }))],
    ["tokens", mine(dataset.tokens).map((t) => ({ id: t.id, account_id: t.accountId, bearer_type: t.bearerType, bearer_id: t.bearerId, digest: t.digest, expiry: t.expiry }))],
  ];
}

/** Most parameters one statement binds (SQLite's default limit is 32,766; PostgreSQL's 65,535). */
const MAX_PARAMS = 8000;
/** Rows per PostgreSQL statement: each column is one array parameter, so only memory bounds it. */
const ROWS_PER_ARRAY_STATEMENT = 10_000;

/** The SQL type of each column of a table (PostgreSQL), for casting array parameters. */
type ColumnTypeMap = Map<string, string>;
const typeCache = new WeakMap<SqlClient, Map<string, Promise<ColumnTypeMap>>>();

function columnTypes(tx: SqlClient, table: string): Promise<ColumnTypeMap> {
  let tables = typeCache.get(tx);
  if (tables === undefined) typeCache.set(tx, (tables = new Map()));
  let types = tables.get(table);
  if (types === undefined) {
    types = tx.all(sql`SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
      WHERE attrelid = ${table}::regclass AND attnum > 0 AND NOT attisdropped`)
      .then((rows) => new Map(rows.map((r) => [String(r.name), String(r.type)])));
    tables.set(table, types);
  }
  return types;
}

/** The conflict clause: update a row only where it differs, so an unchanged row is not written. */
function onConflict(tx: SqlClient, table: string, columns: readonly string[], key: readonly string[]): Fragment {
  const updates = columns.filter((c) => !key.includes(c));
  return updates.length === 0
    ? raw(`ON CONFLICT (${key.join(", ")}) DO NOTHING`)
    : raw(`ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(", ")} WHERE ${tx.dialect.rowsDiffer(table, "excluded", updates)}`);
}

/**
 * Insert rows (all with the same columns), or update each only where it differs; returns how many
 * were written. PostgreSQL gets each column as one array (`unnest`), so a statement carries
 * 10,000 rows in a short text that parses at once; SQLite gets multi-row VALUES statements.
 */
async function upsertMany(tx: SqlClient, table: string, rows: readonly Values[], key: readonly string[], onRows?: (n: number) => void): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0] as Values);
  const conflict = onConflict(tx, table, columns, key);
  let written = 0;
  if (tx.dialect.name === "postgres") {
    const types = await columnTypes(tx, table);
    const arrays = join(columns.map((c) => raw(`?::${types.get(c) ?? "text"}[]`)), ", ");
    const text = `WITH w AS (INSERT INTO ${table} (${columns.join(", ")}) SELECT * FROM unnest(${arrays.text}) ${conflict.text} RETURNING 1)
      SELECT count(*)::integer AS n FROM w`;
    for (let i = 0; i < rows.length; i += ROWS_PER_ARRAY_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_ARRAY_STATEMENT);
      const params = columns.map((c) => chunk.map((row) => row[c]));
      const result = await tx.all(statement(text, params));
      written += Number(result[0]?.n ?? 0);
      onRows?.(chunk.length);
    }
    return written;
  }
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const slice = rows.slice(i, i + perStatement);
    const tuples = slice.map((row) => sql`(${join(columns.map((c) => sql`${row[c]}`), ", ")})`);
    const result = await tx.all(sql`INSERT INTO ${raw(table)} (${raw(columns.join(", "))}) VALUES ${join(tuples, ", ")}
      ${conflict} RETURNING 1 AS written`);
    written += result.length;
    onRows?.(slice.length);
  }
  return written;
}

/** Delete the rows of `table` in the account whose ids are not in `keep`; returns how many. */
async function deleteOthers(tx: SqlClient, table: string, accountId: string, keep: readonly string[]): Promise<number> {
  if (tx.dialect.name === "postgres") {
    // An anti-join against the kept ids: the database compares, nothing comes back but a count.
    const result = await tx.all(sql`WITH d AS (DELETE FROM ${raw(table)} t WHERE t.account_id = ${accountId}
        AND NOT EXISTS (SELECT 1 FROM unnest(${keep}::text[]) AS k(id) WHERE k.id = t.id) RETURNING 1)
      SELECT count(*)::integer AS n FROM d`);
    return Number(result[0]?.n ?? 0);
  }
  const kept = new Set(keep);
  const existing = await tx.all(sql`SELECT id FROM ${raw(table)} WHERE account_id = ${accountId}`);
  return deleteIds(tx, table, existing.map((r) => String(r.id)).filter((id) => !kept.has(id)));
}

/** Delete the rows of `table` whose ids are in `ids`, in chunks. */
async function deleteIds(tx: SqlClient, table: string, ids: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 500) {
    deleted += (await tx.all(sql`DELETE FROM ${raw(table)} WHERE id IN ${list(ids.slice(i, i + 500))} RETURNING 1 AS gone`)).length;
  }
  return deleted;
}

async function importAccount(tx: SqlClient, dataset: Dataset, accountId: string, summary: ImportSummary, prune: boolean, onRows?: (n: number) => void): Promise<void> {
  const account = dataset.accounts.find((a) => a.id === accountId);
  if (account === undefined) return;
  const isNew = (await tx.all(sql`SELECT id FROM accounts WHERE id = ${accountId}`)).length === 0;
  const wroteAccount = await upsertMany(tx, "accounts", [{ id: account.id, slug: account.slug, name: account.name, secret_key: account.secretKey, created: account.created }], ["id"]);
  summary.written += wroteAccount;
  tally(summary, "accounts", isNew ? "add" : "change", wroteAccount);
  const tables = tableRows(dataset, accountId);

  // License users: drop pairs the file no longer has.
  const pairs = dataset.licenses.filter((l) => l.accountId === accountId).flatMap((l) => l.userIds.map((u, position) => ({ license_id: l.id, user_id: u, position })));
  const wanted = new Set(pairs.map((p) => `${p.license_id}|${p.user_id}`));
  const existingPairs = await tx.all(sql`SELECT lu.license_id, lu.user_id FROM license_users lu JOIN licenses l ON l.id = lu.license_id WHERE l.account_id = ${accountId}`);
  const havePairs = new Set(existingPairs.map((p) => `${String(p.license_id)}|${String(p.user_id)}`));
  if (prune) {
    for (const p of existingPairs) {
      if (wanted.has(`${String(p.license_id)}|${String(p.user_id)}`)) continue;
      const gone = (await tx.all(sql`DELETE FROM license_users WHERE license_id = ${p.license_id} AND user_id = ${p.user_id} RETURNING 1 AS gone`)).length;
      summary.deleted += gone;
      tally(summary, "license_users", "delete", gone);
    }
    // Then rows the file no longer has, children first.
    for (const [table, rows] of [...tables].reverse()) {
      const gone = await deleteOthers(tx, table, accountId, rows.map((r) => r.id as string));
      summary.deleted += gone;
      tally(summary, table, "delete", gone);
    }
  }
  await vacateMovedValues(tx, accountId, tables);
  for (const [table, rows] of tables) {
    const added = await countNew(tx, table, accountId, rows.map((r) => r.id as string));
    const wrote = await upsertMany(tx, table, rows, ["id"], onRows);
    summary.written += wrote;
    tally(summary, table, "add", added);
    tally(summary, table, "change", wrote - added);
  }
  const newPairs = pairs.filter((p) => !havePairs.has(`${p.license_id}|${p.user_id}`)).length;
  const wrotePairs = await upsertMany(tx, "license_users", pairs, ["license_id", "user_id"]);
  summary.written += wrotePairs;
  tally(summary, "license_users", "add", newPairs);
  tally(summary, "license_users", "change", wrotePairs - newPairs);
}

/**
 * Free the tags and filenames the file gives to other rows than the database does (the `latest`
 * tag moving to a newer release, two files of a release swapping names): the unique indexes are
 * checked row by row, so the upsert would otherwise trip over a value it is about to move. Only
 * rows whose value changes are touched, and the upsert writes those rows anyway.
 */
async function vacateMovedValues(tx: SqlClient, accountId: string, tables: ReadonlyArray<[string, Values[]]>): Promise<void> {
  const rowsOf = (table: string) => tables.find(([t]) => t === table)?.[1] ?? [];
  // Tags are few: compare them here.
  const tags = new Map(rowsOf("releases").map((r) => [r.id as string, r.tag as string | null]));
  const held = await tx.all(sql`SELECT id, tag FROM releases WHERE account_id = ${accountId} AND tag IS NOT NULL`);
  const retag = held.filter((r) => tags.has(String(r.id)) && tags.get(String(r.id)) !== String(r.tag)).map((r) => String(r.id));
  for (let i = 0; i < retag.length; i += 500) await tx.all(sql`UPDATE releases SET tag = NULL WHERE id IN ${list(retag.slice(i, i + 500))}`);
  // Filenames are many: PostgreSQL joins against the file's; SQLite (which reads every id anyway) compares here.
  // The stand-in `/<id>` is no file name the dataset loader accepts, and unique by its id.
  const files = rowsOf("artifacts");
  if (files.length === 0) return;
  if (tx.dialect.name === "postgres") {
    await tx.all(sql`UPDATE artifacts t SET filename = '/' || t.id FROM unnest(${files.map((a) => a.id)}::text[], ${files.map((a) => a.filename)}::text[]) AS f(id, filename)
      WHERE t.id = f.id AND t.account_id = ${accountId} AND t.filename <> f.filename`);
    return;
  }
  const names = new Map(files.map((a) => [a.id as string, a.filename as string]));
  const existing = await tx.all(sql`SELECT id, filename FROM artifacts WHERE account_id = ${accountId}`);
  const renamed = existing.filter((r) => names.has(String(r.id)) && names.get(String(r.id)) !== String(r.filename)).map((r) => String(r.id));
  for (let i = 0; i < renamed.length; i += 500) await tx.all(sql`UPDATE artifacts SET filename = '/' || id WHERE id IN ${list(renamed.slice(i, i + 500))}`);
}

/**
 * Import a loaded dataset into a SQL store in one transaction, merging by default (see the module
 * doc for `prune` and `dryRun`). Importing the same dataset twice writes nothing the second time;
 * any failure rolls everything back.
 */
export async function importDataset(store: SqlStore, dataset: Dataset, options: ImportOptions = {}): Promise<ImportSummary> {
  const entry = attached.get(store);
  if (entry === undefined) throw new TypeError("importDataset needs a store made by createSqliteStore or createPostgresStore");
  await entry.ensure();
  const prune = options.prune === true;
  try {
    return await entry.client.transaction(async (tx) => {
    // PostgreSQL: no statement timeout inside an import (it guards serving; checking 100,000s of
    // deferred foreign keys at COMMIT alone can take longer than one).
    await tx.exec(tx.dialect.name === "postgres" ? "SET CONSTRAINTS ALL DEFERRED; SET LOCAL statement_timeout = 0" : "PRAGMA defer_foreign_keys = ON");
    const summary: ImportSummary = { accounts: dataset.accounts.length, written: 0, deleted: 0, plan: {}, dryRun: options.dryRun === true };
    const total = dataset.products.length + dataset.packages.length + dataset.engines.length + dataset.releases.length + dataset.artifacts.length +
      dataset.entitlements.length + dataset.policies.length + dataset.users.length + dataset.licenses.length + dataset.tokens.length;
    let done = 0;
    const onRows = options.onProgress === undefined ? undefined : (n: number) => {
      done += n;
      options.onProgress?.(Math.min(done, total), total);
    };
    for (const account of dataset.accounts) await importAccount(tx, dataset, account.id, summary, prune, onRows);
    if (summary.dryRun) throw new DryRun(summary);
    return summary;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.summary;
    throw takenByOthers(error) ?? error;
  }
}

/**
 * A merge that meets a unique index: a version, tag, key or filename of the file already used by
 * a record the file does not hold (say, one published through the API). Nothing was written.
 */
function takenByOthers(error: unknown): Error | null {
  const conflict = constraintConflict(error);
  if (conflict === null || conflict.code === undefined || !conflict.code.endsWith("_TAKEN")) return null;
  const what = conflict.code.slice(0, -"_TAKEN".length).toLowerCase();
  return new Error(`cannot import: a ${what} in the file is already used by a record the file does not hold (${conflict.code}); `
    + "change it in the file, or import with --prune to make the file the truth for its accounts (nothing was changed)", { cause: error });
}
