/**
 * @module sql/dialects — the SQLite and PostgreSQL spellings of what the two differ on.
 */
import type { Dialect } from "./client.js";
import { list, raw, sql } from "./fragment.js";

/** SQLite: JSON arrays are text read with json_each. */
export const SQLITE_DIALECT: Dialect = {
  name: "sqlite",
  subsetOf(column, codes) {
    if (codes.length === 0) return raw(`json_array_length(${column}) = 0`);
    return sql`NOT EXISTS (SELECT 1 FROM json_each(${raw(column)}) je WHERE je.value NOT IN ${list(codes)})`;
  },
  emptyArray(column) {
    return raw(`json_array_length(${column}) = 0`);
  },
  licenseUserIds(l) {
    return raw(`(SELECT json_group_array(user_id) FROM (SELECT lu.user_id FROM license_users lu WHERE lu.license_id = ${l}.id ORDER BY lu.position, lu.user_id))`);
  },
  rowsDiffer(left, right, columns) {
    return columns.map((c) => `${left}.${c} IS NOT ${right}.${c}`).join(" OR ");
  },
};

/** PostgreSQL: JSON arrays are jsonb, compared with containment. */
export const POSTGRES_DIALECT: Dialect = {
  name: "postgres",
  subsetOf(column, codes) {
    return sql`${raw(column)} <@ ${JSON.stringify(codes)}::jsonb`;
  },
  emptyArray(column) {
    return raw(`${column} = '[]'::jsonb`);
  },
  licenseUserIds(l) {
    return raw(`(SELECT COALESCE(json_agg(lu.user_id ORDER BY lu.position, lu.user_id), '[]'::json) FROM license_users lu WHERE lu.license_id = ${l}.id)`);
  },
  rowsDiffer(left, right, columns) {
    return `(${columns.map((c) => `${left}.${c}`).join(", ")}) IS DISTINCT FROM (${columns.map((c) => `${right}.${c}`).join(", ")})`;
  },
};
