/**
 * @module sql/schema-triggers — the trigger SQL the revision counters share: one bump of a counter
 * table for every key a SELECT yields, and (PostgreSQL) a table's three statement triggers over
 * transition tables. Migrations emit their text through these, so it must never change for one
 * already released (test/sql/migrations-frozen.test.ts).
 */

/**
 * Add 1 to `table`'s revision for each distinct `alias` (not NULL) of `select`, starting a missing
 * row at 1; `column` is its key.
 */
export function counterBump(table: string, column: string, alias: string, select: string): string {
  return `INSERT INTO ${table} (${column}, revision)
      SELECT DISTINCT ${alias}, 1 FROM (${select}) s WHERE ${alias} IS NOT NULL
      ON CONFLICT (${column}) DO UPDATE SET revision = ${table}.revision + 1;`;
}

/**
 * PostgreSQL: function `fn` running `body(rows)` over the rows a statement wrote on `table` (new
 * rows, old rows, or both for an UPDATE), and triggers `<trigger>_insert|update|delete` calling it.
 */
export function postgresStatementTriggers(table: string, fn: string, trigger: string, body: (rows: string) => string): string {
  return `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${body("new_rows")}
  ELSIF TG_OP = 'DELETE' THEN
    ${body("old_rows")}
  ELSE
    ${body("(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)")}
  END IF;
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS ${trigger}_insert ON ${table};
DROP TRIGGER IF EXISTS ${trigger}_update ON ${table};
DROP TRIGGER IF EXISTS ${trigger}_delete ON ${table};
CREATE TRIGGER ${trigger}_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
CREATE TRIGGER ${trigger}_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
CREATE TRIGGER ${trigger}_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`;
}
