/**
 * @module sql/write — the write contract's changes over SQL: each method is one transaction.
 *
 * Uniqueness is left to the unique indexes (a violation becomes a {@link ConflictError} in
 * sql/conflicts), so racing servers cannot both win; a change that reads before it writes locks
 * the row first (PostgreSQL `FOR UPDATE`; SQLite transactions take the write lock at BEGIN), so a
 * status transition is a compare-and-set. Revisions move through the schema's triggers on every
 * row written (a release moved between packages bumps both).
 */
import { ConflictError } from "../core/errors.js";
import { uuidV5 } from "../core/uuid.js";
import { parseStrict } from "../core/version.js";
import { ENGINE_NAMES, type Artifact, type EngineKey, type Package, type Release } from "../model/records.js";
import type { WritableStore } from "../store/write.js";
import type { SqlClient } from "./client.js";
import { missing, constraintConflict } from "./conflicts.js";
import { join, list, raw, sql, type Fragment } from "./fragment.js";
import { COLUMNS, toArtifact, toPackage, toRelease } from "./rows.js";

/** The write methods a SQL store adds to the read ones (lists are in sql/write-lists). */
export type SqlWrites = Pick<
  WritableStore,
  | "createPackage" | "updatePackage" | "deletePackage"
  | "createRelease" | "updateRelease" | "setReleaseStatus" | "deleteRelease"
  | "createArtifact" | "updateArtifact" | "completeArtifact" | "failArtifact" | "deleteArtifact"
>;

type Values = Record<string, unknown>;
const json = (v: unknown) => JSON.stringify(v);
const returning = (kind: "packages" | "releases" | "artifacts") => raw(COLUMNS[kind].join(", "));

function insert(table: "packages" | "releases" | "artifacts", values: Values): Fragment {
  const columns = Object.keys(values);
  return sql`INSERT INTO ${raw(table)} (${raw(columns.join(", "))}) VALUES (${join(columns.map((c) => sql`${values[c]}`), ", ")})
    RETURNING ${returning(table)}`;
}

function update(table: "packages" | "releases" | "artifacts", id: string, values: Values): Fragment {
  const sets = Object.keys(values).map((c) => sql`${raw(c)} = ${values[c]}`);
  return sql`UPDATE ${raw(table)} SET ${join(sets, ", ")} WHERE id = ${id} RETURNING ${returning(table)}`;
}

/** The artifact statuses an upload may complete (a FAILED upload may be retried). */
const COMPLETABLE = new Set<Artifact["status"]>(["WAITING", "FAILED"]);

/** Keygen's release columns derived from a canonical version. */
function versionColumns(version: string): Values {
  const parsed = parseStrict(version);
  if (parsed === null) throw new ConflictError("must be a valid version", { code: "VERSION_INVALID", pointer: "/data/attributes/version" });
  return {
    version: parsed.version, version_key: parsed.key, pre_word: parsed.preWord, pre_num: parsed.preNum,
    build_word: parsed.buildWord, build_num: parsed.buildNum,
  };
}

/** An instant in the stored form (`toISOString`, whose text order is time order, for SQLite). */
function instant(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Build the write methods over a client; `ensure` runs migrations first. */
export function createSqlWrites(client: SqlClient, ensure: () => Promise<void>): SqlWrites {
  const lock = raw(client.dialect.name === "postgres" ? " FOR UPDATE" : "");

  /** Run `fn` in one transaction; a unique violation (or a reference deleted meanwhile) becomes its ConflictError. */
  const write = async <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => {
    await ensure();
    try {
      return await client.transaction(fn);
    } catch (error) {
      throw constraintConflict(error) ?? error;
    }
  };
  const first = async (tx: SqlClient, q: Fragment) => (await tx.all(q))[0] ?? null;
  /** The row an `INSERT … RETURNING` wrote. */
  const inserted = async (tx: SqlClient, q: Fragment) => {
    const row = (await tx.all(q))[0];
    if (row === undefined) throw new Error("INSERT … RETURNING returned no row");
    return row;
  };

  const lockPackage = async (tx: SqlClient, accountId: string, id: string) => {
    const row = await first(tx, sql`SELECT ${returning("packages")} FROM packages WHERE id = ${id} AND account_id = ${accountId}${lock}`);
    return row && toPackage(row);
  };
  const lockRelease = async (tx: SqlClient, accountId: string, id: string) => {
    const row = await first(tx, sql`SELECT ${returning("releases")} FROM releases WHERE id = ${id} AND account_id = ${accountId}${lock}`);
    return row && toRelease(row);
  };
  const lockArtifact = async (tx: SqlClient, accountId: string, id: string) => {
    const row = await first(tx, sql`SELECT ${returning("artifacts")} FROM artifacts WHERE id = ${id} AND account_id = ${accountId}${lock}`);
    return row && toArtifact(row);
  };

  /** The engine row a package's engine needs, made as a dataset import makes it (same id, Keygen's name). */
  const ensureEngine = async (tx: SqlClient, accountId: string, engine: EngineKey | null, at: string) => {
    if (engine === null) return;
    await tx.all(sql`INSERT INTO engines (id, account_id, key, name, created, updated)
      VALUES (${uuidV5(`engine:${accountId}:${engine}`)}, ${accountId}, ${engine}, ${ENGINE_NAMES[engine]}, ${at}, ${at}) ON CONFLICT DO NOTHING`);
  };
  const checkProduct = async (tx: SqlClient, accountId: string, productId: string) => {
    const row = await first(tx, sql`SELECT id FROM products WHERE id = ${productId} AND account_id = ${accountId}`);
    if (row === null) throw missing("product");
  };
  /** A release's package must be a package of its product in the account (Keygen: "package product must match release product"). */
  const checkPackage = async (tx: SqlClient, accountId: string, productId: string, packageId: string | null) => {
    if (packageId === null) return;
    const row = await first(tx, sql`SELECT product_id FROM packages WHERE id = ${packageId} AND account_id = ${accountId}`);
    if (row === null) throw missing("package");
    if (String(row.product_id) !== productId) {
      throw new ConflictError("package product must match release product", { code: "PACKAGE_INVALID", pointer: "/data/relationships/package" });
    }
  };
  /** The distinct codes, each an entitlement of the account. */
  const checkEntitlements = async (tx: SqlClient, accountId: string, codes: readonly string[]) => {
    const wanted = [...new Set(codes)];
    if (wanted.length === 0) return wanted;
    const rows = await tx.all(sql`SELECT code FROM entitlements WHERE account_id = ${accountId} AND code IN ${list(wanted)}`);
    if (rows.length !== wanted.length) throw missing("entitlement");
    return wanted;
  };

  /** Delete the artifacts of the releases a condition selects, then those releases; the artifacts removed. */
  const deleteReleases = async (tx: SqlClient, where: Fragment): Promise<Artifact[]> => {
    const gone = await tx.all(sql`DELETE FROM artifacts WHERE release_id IN (SELECT id FROM releases WHERE ${where}) RETURNING ${returning("artifacts")}`);
    await tx.all(sql`DELETE FROM releases WHERE ${where}`);
    return gone.map((r) => toArtifact(r));
  };

  return {
    createPackage(accountId, input, at) {
      return write(async (tx) => {
        const now = at.toISOString();
        await checkProduct(tx, accountId, input.productId);
        await ensureEngine(tx, accountId, input.engine, now);
        const row = await inserted(tx, insert("packages", {
          id: input.id ?? crypto.randomUUID(), account_id: accountId, product_id: input.productId, key: input.key, name: input.name,
          engine: input.engine, metadata: json(input.metadata), created: now, updated: now,
        }));
        return toPackage(row);
      });
    },
    updatePackage(accountId, id, changes, at) {
      return write(async (tx) => {
        const current = await lockPackage(tx, accountId, id);
        if (current === null) return null;
        const now = at.toISOString();
        const next: Package = { ...current, ...definedOnly(changes) };
        if (next.engine !== current.engine) await ensureEngine(tx, accountId, next.engine, now);
        const row = await first(tx, update("packages", current.id, {
          key: next.key, name: next.name, engine: next.engine, metadata: json(next.metadata), updated: now,
        }));
        return row && toPackage(row);
      });
    },
    deletePackage(accountId, id) {
      return write(async (tx) => {
        const current = await lockPackage(tx, accountId, id);
        if (current === null) return null;
        const gone = await deleteReleases(tx, sql`package_id = ${current.id}`);
        await tx.all(sql`DELETE FROM packages WHERE id = ${current.id}`);
        return gone;
      });
    },

    createRelease(accountId, input, at) {
      return write(async (tx) => {
        const now = at.toISOString();
        await checkProduct(tx, accountId, input.productId);
        await checkPackage(tx, accountId, input.productId, input.packageId);
        const entitlements = await checkEntitlements(tx, accountId, input.entitlements);
        const row = await inserted(tx, insert("releases", {
          id: input.id ?? crypto.randomUUID(), account_id: accountId, product_id: input.productId, package_id: input.packageId,
          ...versionColumns(input.version), channel: input.channel, status: input.status, tag: input.tag, name: input.name,
          description: input.description, entitlements: json(entitlements), metadata: json(input.metadata),
          created: now, updated: now, backdated: instant(input.backdated), yanked: null,
        }));
        return toRelease(row);
      });
    },
    updateRelease(accountId, id, changes, at) {
      return write(async (tx) => {
        const current = await lockRelease(tx, accountId, id);
        if (current === null) return null;
        const next: Release = { ...current, ...definedOnly(changes) };
        if (next.packageId !== current.packageId) await checkPackage(tx, accountId, current.productId, next.packageId);
        const entitlements = changes.entitlements === undefined ? current.entitlements : await checkEntitlements(tx, accountId, changes.entitlements);
        const row = await first(tx, update("releases", current.id, {
          package_id: next.packageId, tag: next.tag, name: next.name, description: next.description, backdated: instant(next.backdated),
          entitlements: json(entitlements), metadata: json(next.metadata), updated: at.toISOString(),
        }));
        return row && toRelease(row);
      });
    },
    setReleaseStatus(accountId, id, status, at, reason) {
      return write(async (tx) => {
        const current = await lockRelease(tx, accountId, id);
        if (current === null) return null;
        const now = at.toISOString();
        const metadata = withKey(current.metadata, "yankReason", status === "YANKED" ? reason : null);
        const row = await first(tx, update("releases", current.id, {
          status, yanked: status === "YANKED" ? now : null, metadata: json(metadata), updated: now,
        }));
        return row && toRelease(row);
      });
    },
    deleteRelease(accountId, id) {
      return write(async (tx) => {
        const current = await lockRelease(tx, accountId, id);
        if (current === null) return null;
        return deleteReleases(tx, sql`id = ${current.id}`);
      });
    },

    createArtifact(accountId, input, at) {
      return write(async (tx) => {
        const release = await first(tx, sql`SELECT id FROM releases WHERE id = ${input.releaseId} AND account_id = ${accountId}`);
        if (release === null) throw missing("release");
        const now = at.toISOString();
        const row = await inserted(tx, insert("artifacts", {
          id: input.id ?? crypto.randomUUID(), account_id: accountId, release_id: input.releaseId, filename: input.filename,
          filetype: input.filetype, platform: input.platform, arch: input.arch, filesize: input.filesize, checksum: input.checksum,
          signature: input.signature, status: "WAITING", metadata: json(input.metadata), created: now, updated: now, blob: null,
        }));
        return toArtifact(row);
      });
    },
    updateArtifact(accountId, id, changes, at) {
      return write(async (tx) => {
        const current = await lockArtifact(tx, accountId, id);
        if (current === null) return null;
        const next: Artifact = { ...current, ...definedOnly(changes) };
        const row = await first(tx, update("artifacts", current.id, {
          signature: next.signature, checksum: next.checksum, metadata: json(next.metadata), filetype: next.filetype,
          platform: next.platform, arch: next.arch, updated: at.toISOString(),
        }));
        return row && toArtifact(row);
      });
    },
    completeArtifact(accountId, id, bytes, at) {
      return write(async (tx) => {
        const current = await lockArtifact(tx, accountId, id);
        if (current === null) return null;
        if (!COMPLETABLE.has(current.status)) throw notWaiting();
        // A declared checksum is kept; the computed sha256 goes beside it unless it is that checksum.
        const checksum = current.checksum ?? bytes.sha256;
        let metadata = withKey({ ...current.metadata, ...bytes.metadata }, "failureReason", null);
        metadata = withKey(metadata, "sha256", checksum.toLowerCase() === bytes.sha256 ? null : bytes.sha256);
        // The status condition repeats the check: the update itself is the compare-and-set.
        const row = await first(tx, sql`UPDATE artifacts SET status = 'UPLOADED', filesize = ${bytes.filesize},
            checksum = ${checksum}, blob = ${bytes.blob}, metadata = ${json(metadata)},
            updated = ${at.toISOString()}
          WHERE id = ${current.id} AND status IN ('WAITING', 'FAILED') RETURNING ${returning("artifacts")}`);
        if (row === null) throw notWaiting();
        return toArtifact(row);
      });
    },
    failArtifact(accountId, id, reason, at) {
      return write(async (tx) => {
        const current = await lockArtifact(tx, accountId, id);
        if (current === null) return null;
        if (current.status === "UPLOADED") return current;
        const row = await first(tx, update("artifacts", current.id, {
          status: "FAILED", metadata: json({ ...current.metadata, failureReason: reason }), updated: at.toISOString(),
        }));
        return row && toArtifact(row);
      });
    },
    deleteArtifact(accountId, id) {
      return write(async (tx) => {
        const row = await first(tx, sql`DELETE FROM artifacts WHERE id = ${id} AND account_id = ${accountId} RETURNING ${returning("artifacts")}`);
        return row && toArtifact(row);
      });
    },
  };
}

/** ARTIFACT_NOT_WAITING: an upload URL cannot be replayed onto an UPLOADED artifact. */
function notWaiting(): ConflictError {
  return new ConflictError("artifact is not waiting for an upload", { code: "ARTIFACT_NOT_WAITING" });
}

/** The metadata with `key` set to `value`, or without it when `value` is null or absent. */
function withKey(metadata: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...metadata };
  if (value === null || value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** The changes that are set (an absent key and an explicit `undefined` both mean "unchanged"). */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}
