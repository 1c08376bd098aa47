/**
 * @module sql/client — what the shared SQL store needs from a database driver.
 */
import type { Fragment } from "./fragment.js";

/** A result row: column name to driver value. */
export type Row = Record<string, unknown>;

/** The SQL the two dialects spell differently. */
export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** True when the JSON array in `column` holds only values from `codes`. */
  subsetOf(column: string, codes: readonly string[]): Fragment;
  /** True when the JSON array in `column` is empty. */
  emptyArray(column: string): Fragment;
  /** A JSON array of the ids of a license's users, in their order. */
  licenseUserIds(licenseAlias: string): Fragment;
  /** True when any of the paired columns differ (NULL-safe). */
  rowsDiffer(left: string, right: string, columns: readonly string[]): string;
}

/** A database connection (or pool) the SQL store runs its queries on. */
export interface SqlClient {
  readonly dialect: Dialect;
  /** Run one statement and return its rows ([] for statements without any). */
  all(query: Fragment): Promise<Row[]>;
  /** Run a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Run `fn` in one transaction on one connection; commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Close the connection or pool. */
  close(): Promise<void>;
}
