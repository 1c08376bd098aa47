/**
 * @module sql/conflicts — the database's unique violations and missing references as Keygen's 422s.
 *
 * Uniqueness is the database's: a write inserts and lets the unique index refuse it, so two
 * servers racing on one database cannot both win. This module names the index a violation hit
 * (PostgreSQL reports it as `constraint`; SQLite lists the index's columns in its message) and
 * turns it into the {@link ConflictError} Keygen answers for it.
 */
import { ConflictError } from "../core/errors.js";

/** Keygen's detail for a taken value. */
const TAKEN = "has already been taken";

/** A taken value as Keygen reports it: `<ATTRIBUTE>_TAKEN` at `/data/attributes/<attribute>`. */
export function taken(attribute: "version" | "tag" | "key" | "filename"): ConflictError {
  return new ConflictError(TAKEN, { code: `${attribute.toUpperCase()}_TAKEN`, pointer: `/data/attributes/${attribute}` });
}

/** A relationship naming a record that does not exist in the account: `<NAME>_NOT_FOUND`, "must exist". */
export function missing(relationship: "product" | "package" | "release" | "entitlement"): ConflictError {
  return new ConflictError("must exist", { code: `${relationship.toUpperCase()}_NOT_FOUND`, pointer: `/data/relationships/${relationship}` });
}

/** The index (by PostgreSQL name) each unique violation maps to. */
const BY_INDEX: Record<string, () => ConflictError> = {
  releases_version: () => taken("version"),
  releases_tag: () => taken("tag"),
  packages_key: () => taken("key"),
  artifacts_release_filename: () => taken("filename"),
};

/** SQLite names the columns, not the index: `UNIQUE constraint failed: releases.product_id, releases.package_slot, releases.tag`. */
const BY_COLUMNS: Record<string, () => ConflictError> = {
  "releases.product_id,releases.package_slot,releases.version": () => taken("version"),
  "releases.product_id,releases.package_slot,releases.tag": () => taken("tag"),
  "packages.account_id,packages.key": () => taken("key"),
  "artifacts.release_id,artifacts.filename": () => taken("filename"),
};

/** PostgreSQL foreign keys (default names) a write can break when a referenced row is deleted by a racing transaction. */
const BY_FOREIGN_KEY: Record<string, () => ConflictError> = {
  artifacts_release_id_fkey: () => missing("release"),
  releases_package_id_fkey: () => missing("package"),
  releases_product_id_fkey: () => missing("product"),
  packages_product_id_fkey: () => missing("product"),
};

/** An id given by the caller that another record already has. */
const idTaken = () => new ConflictError(TAKEN, { code: "ID_TAKEN", pointer: "/data/id" });

/**
 * The ConflictError for a driver's unique violation (or, on PostgreSQL, a reference deleted by a
 * racing transaction after the write checked it; SQLite's writers never interleave), or null when
 * the error is something else.
 */
export function constraintConflict(error: unknown): ConflictError | null {
  if (typeof error !== "object" || error === null) return null;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === "23505") {
    const name = String(e.constraint ?? "");
    return BY_INDEX[name]?.() ?? (name.endsWith("_pkey") ? idTaken() : null);
  }
  if (e.code === "23503") return BY_FOREIGN_KEY[String(e.constraint ?? "")]?.() ?? null;
  if (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const columns = String(e.message ?? "").replace(/^UNIQUE constraint failed: /, "").split(/,\s*/).join(",");
    return BY_COLUMNS[columns]?.() ?? (/^\w+\.id$/.test(columns) ? idTaken() : null);
  }
  return null;
}
