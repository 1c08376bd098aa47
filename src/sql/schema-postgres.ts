/**
 * @module sql/schema-postgres — PostgreSQL migrations: the shared tables plus revision triggers.
 */
import type { Migration } from "./migrate.js";
import { postgresListedRevisions } from "./schema-listed.js";
import { counterBump, postgresStatementTriggers } from "./schema-triggers.js";
import { AUTH_BUMPS, buildColumnsV2, NO_PACKAGE_BUMPS, POSTGRES_TYPES, REVISION_BUMPS, tablesV1, TARGET_INDEX, writeIndexes, type RevisionBumps } from "./schema.js";

function triggers(): string {
  const out: string[] = [
    `CREATE FUNCTION re_bump_package(pid text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF pid IS NOT NULL THEN
    INSERT INTO package_revisions (package_id, revision) VALUES (pid, 1)
      ON CONFLICT (package_id) DO UPDATE SET revision = package_revisions.revision + 1;
  END IF;
END $fn$;`,
    `CREATE FUNCTION re_bump_account(aid text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF aid IS NOT NULL THEN
    INSERT INTO account_revisions (account_id, revision) VALUES (aid, 1)
      ON CONFLICT (account_id) DO UPDATE SET revision = account_revisions.revision + 1;
  END IF;
END $fn$;`,
  ];
  for (const [table, bumps] of Object.entries(REVISION_BUMPS)) {
    const lines = (row: string) => [
      ...bumps.packages(row).map((e) => `PERFORM re_bump_package(${e});`),
      ...bumps.accounts(row).map((e) => `PERFORM re_bump_account(${e});`),
      ...(bumps.productPackages
        ? [`UPDATE package_revisions SET revision = revision + 1 WHERE package_id IN (SELECT id FROM packages WHERE product_id = ${bumps.productPackages(row)});`]
        : []),
    ];
    out.push(`CREATE FUNCTION re_${table}_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    NULL;
    ${lines("NEW").join("\n    ")}
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    NULL;
    ${lines("OLD").join("\n    ")}
  END IF;
  RETURN NULL;
END $fn$;`);
    out.push(`CREATE TRIGGER ${table}_revision AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION re_${table}_changed();`);
  }
  return out.join("\n");
}

/**
 * Version 3: the same bumps once per statement instead of once per row. Each table gets three
 * statement-level triggers whose transition tables hold the rows written; every package or account
 * they touch is bumped once per statement (DISTINCT, as one INSERT … ON CONFLICT may not update a
 * row twice). A statement that writes no row bumps nothing, as before. Per-row bumps made an import
 * of 10,000s of rows update the same revision row 10,000s of times in one transaction, each update
 * walking the chain of its earlier versions: quadratic.
 */
function statementTriggers(tables: RevisionBumps = REVISION_BUMPS): string {
  const out: string[] = [];
  for (const [table, bumps] of Object.entries(tables)) {
    const body = (rows: string) => {
      const lines: string[] = [];
      const packages = bumps.packages("x");
      const accounts = bumps.accounts("x");
      if (packages.length > 0) lines.push(counterBump("package_revisions", "package_id", "pid", packages.map((e) => `SELECT ${e} AS pid FROM ${rows} x`).join(" UNION ALL ")));
      if (accounts.length > 0) lines.push(counterBump("account_revisions", "account_id", "aid", accounts.map((e) => `SELECT ${e} AS aid FROM ${rows} x`).join(" UNION ALL ")));
      if (bumps.productPackages) {
        lines.push(`UPDATE package_revisions SET revision = revision + 1
      WHERE package_id IN (SELECT id FROM packages WHERE product_id IN (SELECT ${bumps.productPackages("x")} FROM ${rows} x));`);
      }
      return lines.join("\n    ");
    };
    out.push(`DROP TRIGGER IF EXISTS ${table}_revision ON ${table};
DROP FUNCTION IF EXISTS re_${table}_changed();
${postgresStatementTriggers(table, `re_${table}_written`, `${table}_revision`, body)}`);
  }
  return out.join("\n");
}

/** The channel a committed revision change is announced on (payload `a:<account id>` or `p:<package id>`). */
export const CHANGES_CHANNEL = "release_engines_changes";

/**
 * Version 6: authentication's tables bump their account's revision, and every revision change is
 * announced with NOTIFY (delivered at commit, and only then), so a listening server drops what it
 * cached without asking the database on each request.
 */
function changeNotifications(): string {
  return `${statementTriggers(AUTH_BUMPS)}
CREATE OR REPLACE FUNCTION re_revision_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'account_revisions' THEN
    PERFORM pg_notify('${CHANGES_CHANNEL}', 'a:' || NEW.account_id);
  ELSE
    PERFORM pg_notify('${CHANGES_CHANNEL}', 'p:' || NEW.package_id);
  END IF;
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS account_revisions_notify ON account_revisions;
DROP TRIGGER IF EXISTS package_revisions_notify ON package_revisions;
CREATE TRIGGER account_revisions_notify AFTER INSERT OR UPDATE ON account_revisions FOR EACH ROW EXECUTE FUNCTION re_revision_notify();
CREATE TRIGGER package_revisions_notify AFTER INSERT OR UPDATE ON package_revisions FOR EACH ROW EXECUTE FUNCTION re_revision_notify();`;
}

/** Every table a read comes from, and the revision tables themselves. */
const TRUNCATABLE = ["accounts", "products", "packages", "engines", "releases", "artifacts", "entitlements", "policies", "users", "licenses", "license_users", "tokens", "account_revisions", "package_revisions", "package_listed_revisions"];

/**
 * Version 9: a TRUNCATE (by hand; row triggers do not fire for it)
 * moves every account's revision and is announced, so kept reads of the emptied table are dropped.
 */
function truncateTriggers(): string {
  return `CREATE OR REPLACE FUNCTION re_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE account_revisions SET revision = revision + 1;
  INSERT INTO account_revisions (account_id, revision) SELECT id, 1 FROM accounts WHERE id NOT IN (SELECT account_id FROM account_revisions);
  PERFORM pg_notify('${CHANGES_CHANNEL}', 't:' || TG_TABLE_NAME);
  RETURN NULL;
END $fn$;
${TRUNCATABLE.map((t) => `DROP TRIGGER IF EXISTS ${t}_truncated ON ${t};
CREATE TRIGGER ${t}_truncated AFTER TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION re_truncated();`).join("\n")}`;
}

/** PostgreSQL migrations, in order; index + 1 is the schema version. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  `${tablesV1(POSTGRES_TYPES)}
INSERT INTO store_meta (key, value) VALUES ('instance', substr(md5(random()::text || clock_timestamp()::text), 1, 16));
${triggers()}`,
  buildColumnsV2(POSTGRES_TYPES),
  statementTriggers(),
  writeIndexes(),
  TARGET_INDEX,
  changeNotifications(),
  // Version 7: releases of no package and their artifacts bump their account (see NO_PACKAGE_BUMPS).
  statementTriggers(NO_PACKAGE_BUMPS),
  // Version 8: the listed revision, which writes callers without sight of drafts cannot see leave alone.
  postgresListedRevisions(),
  // Version 9: a TRUNCATE by hand moves every account's revision and is announced.
  truncateTriggers(),
];
