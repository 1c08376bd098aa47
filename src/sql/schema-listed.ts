/**
 * @module sql/schema-listed — the listed revision of each package (SQLite and PostgreSQL): a
 * counter that moves only when a change could be seen by a caller who sees no drafts (access/scope:
 * PUBLISHED or YANKED releases, UPLOADED artifacts, the package and its product), so creating a
 * draft, a WAITING artifact or uploading into a draft leaves the pages such callers read cached.
 * A change moves it when the row before or after it is of that kind; the full package revision
 * (package_revisions) still moves on every change.
 */
import { counterBump, postgresStatementTriggers } from "./schema-triggers.js";

/** Release statuses such a caller may see (statusVisible under withYanked). */
const LISTED_RELEASE = "IN ('PUBLISHED', 'YANKED')";

/** Per table: which packages' listed revisions a written row `x` moves, as a SELECT of `pid` (from `rows`, aliased x). */
const LISTED_BUMPS: Record<string, (rows: string) => string> = {
  releases: (rows) => `SELECT x.package_id AS pid FROM ${rows} x WHERE x.status ${LISTED_RELEASE}`,
  artifacts: (rows) => `SELECT r.package_id AS pid FROM ${rows} x JOIN releases r ON r.id = x.release_id WHERE x.status = 'UPLOADED' AND r.status ${LISTED_RELEASE}`,
  packages: (rows) => `SELECT x.id AS pid FROM ${rows} x`,
  products: (rows) => `SELECT pk.id AS pid FROM ${rows} x JOIN packages pk ON pk.product_id = x.id`,
};

/** The counters; a package without a row has listed revision 0. */
const tableDdl = (text: string) => `CREATE TABLE IF NOT EXISTS package_listed_revisions (package_id ${text} PRIMARY KEY, revision BIGINT NOT NULL);`;

const bump = (select: string) => counterBump("package_listed_revisions", "package_id", "pid", select);

/** Columns of each table the bumps read (SQLite builds its one-row sources from them). */
const COLUMNS: Record<string, string[]> = {
  releases: ["package_id", "status"],
  artifacts: ["release_id", "status"],
  packages: ["id"],
  products: ["id"],
};

/** SQLite: the table and a row trigger per table and operation (NEW and OLD as one-row sources). */
export function sqliteListedRevisions(): string {
  const out = [tableDdl("TEXT")];
  for (const [table, pids] of Object.entries(LISTED_BUMPS)) {
    for (const op of ["INSERT", "UPDATE", "DELETE"] as const) {
      const rows = op === "INSERT" ? ["NEW"] : op === "DELETE" ? ["OLD"] : ["NEW", "OLD"];
      // A one-row source per row alias: SQLite triggers read NEW and OLD only as values.
      const select = rows.map((row) => pids(`(SELECT ${(COLUMNS[table] as string[]).map((c) => `${row}.${c} AS ${c}`).join(", ")})`)).join(" UNION ALL ");
      out.push(`CREATE TRIGGER IF NOT EXISTS ${table}_listed_${op.toLowerCase()} AFTER ${op} ON ${table} FOR EACH ROW BEGIN
  ${bump(select)}
END;`);
    }
  }
  return out.join("\n");
}

/** PostgreSQL: the table and statement triggers over transition tables (one bump per package per statement). */
export function postgresListedRevisions(): string {
  const out = [tableDdl('text COLLATE "C"')];
  for (const [table, pids] of Object.entries(LISTED_BUMPS)) {
    out.push(postgresStatementTriggers(table, `re_${table}_listed`, `${table}_listed`, (rows) => bump(pids(rows))));
  }
  return out.join("\n");
}
