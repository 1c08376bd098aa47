/**
 * @module sql/schema-postgres — PostgreSQL migrations: the shared tables plus revision triggers.
 */
import type { Migration } from "./migrate.js";
import { buildColumnsV2, POSTGRES_TYPES, REVISION_BUMPS, tablesV1 } from "./schema.js";

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

/** PostgreSQL migrations, in order; index + 1 is the schema version. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  `${tablesV1(POSTGRES_TYPES)}
INSERT INTO store_meta (key, value) VALUES ('instance', substr(md5(random()::text || clock_timestamp()::text), 1, 16));
${triggers()}`,
  buildColumnsV2(POSTGRES_TYPES),
];
