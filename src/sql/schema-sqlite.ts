/**
 * @module sql/schema-sqlite — SQLite migrations: the shared tables plus revision triggers.
 */
import type { Migration } from "./migrate.js";
import { sqliteListedRevisions } from "./schema-listed.js";
import { AUTH_BUMPS, buildColumnsV2, NO_PACKAGE_BUMPS, REVISION_BUMPS, SQLITE_TYPES, tablesV1, TARGET_INDEX, writeIndexes, type RevisionBumps } from "./schema.js";

function bumpPackage(expr: string): string {
  return `INSERT INTO package_revisions (package_id, revision) SELECT ${expr}, 1 WHERE ${expr} IS NOT NULL
    ON CONFLICT (package_id) DO UPDATE SET revision = package_revisions.revision + 1;`;
}

function bumpAccount(expr: string): string {
  return `INSERT INTO account_revisions (account_id, revision) SELECT ${expr}, 1 WHERE ${expr} IS NOT NULL
    ON CONFLICT (account_id) DO UPDATE SET revision = account_revisions.revision + 1;`;
}

function triggers(tables: RevisionBumps = REVISION_BUMPS, ifNotExists = false): string {
  const out: string[] = [];
  for (const [table, bumps] of Object.entries(tables)) {
    for (const op of ["INSERT", "UPDATE", "DELETE"] as const) {
      const rows = op === "INSERT" ? ["NEW"] : op === "DELETE" ? ["OLD"] : ["NEW", "OLD"];
      const body: string[] = [];
      for (const row of rows) {
        for (const e of bumps.packages(row)) body.push(bumpPackage(e));
        for (const e of bumps.accounts(row)) body.push(bumpAccount(e));
        if (bumps.productPackages) {
          body.push(`UPDATE package_revisions SET revision = revision + 1 WHERE package_id IN (SELECT id FROM packages WHERE product_id = ${bumps.productPackages(row)});`);
        }
      }
      out.push(`CREATE TRIGGER ${ifNotExists ? "IF NOT EXISTS " : ""}${table}_revision_${op.toLowerCase()} AFTER ${op} ON ${table} FOR EACH ROW BEGIN\n${body.join("\n")}\nEND;`);
    }
  }
  return out.join("\n");
}

/** Drop the revision triggers of these tables (a later version replaces them). */
function dropTriggers(tables: RevisionBumps): string {
  return Object.keys(tables).flatMap((table) => ["insert", "update", "delete"].map((op) => `DROP TRIGGER IF EXISTS ${table}_revision_${op};`)).join("\n");
}

/** SQLite migrations, in order; index + 1 is the schema version. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  `${tablesV1(SQLITE_TYPES)}
INSERT INTO store_meta (key, value) VALUES ('instance', lower(hex(randomblob(8))));
${triggers()}`,
  buildColumnsV2(SQLITE_TYPES),
  writeIndexes(),
  TARGET_INDEX,
  // Version 5: authentication's tables bump their account's revision (a suspended license is seen by a cache per revision).
  triggers(AUTH_BUMPS, true),
  // Version 6: releases of no package and their artifacts bump their account (see NO_PACKAGE_BUMPS).
  `${dropTriggers(NO_PACKAGE_BUMPS)}\n${triggers(NO_PACKAGE_BUMPS)}`,
  // Version 7: the listed revision, which writes callers without sight of drafts cannot see leave alone.
  sqliteListedRevisions(),
];
