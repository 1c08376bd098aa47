/**
 * @module sql/schema — the tables and indexes both SQL stores share, spelled per dialect.
 *
 * Ids and every compared string are byte-ordered (`COLLATE "C"` in PostgreSQL, SQLite's BINARY),
 * so orders and ties match the memory store. `version_key` is the SemVer precedence key
 * (core/version), `pre_word`/`pre_num` Keygen's pre-release split, `package_slot` the package id
 * or '' so that (product, package) lookups use one index. Version 2 adds `build_word`/`build_num`,
 * Keygen's split of the build metadata (`1.0.0+build.7` → `build`, 7), for upgrade constraints.
 */
import { parseStrict } from "../core/version.js";
import { raw, sql } from "./fragment.js";
import type { Migration } from "./migrate.js";

/** Column types of one dialect. */
export interface ColumnTypes {
  text: string;
  time: string;
  now: string;
  json: string;
  bool: string;
  int: string;
  bigint: string;
}

/** Column types for SQLite (times are ISO-8601 text in UTC with milliseconds). */
export const SQLITE_TYPES: ColumnTypes = {
  text: "TEXT",
  time: "TEXT",
  now: "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
  json: "TEXT",
  bool: "INTEGER",
  int: "INTEGER",
  bigint: "INTEGER",
};

/** Column types for PostgreSQL. */
export const POSTGRES_TYPES: ColumnTypes = {
  text: 'text COLLATE "C"',
  time: "timestamptz",
  now: "now()",
  json: "jsonb",
  bool: "boolean",
  int: "integer",
  bigint: "bigint",
};

/** Schema version 1: every table and the index each store query needs. */
export function tablesV1(t: ColumnTypes): string {
  const T = t.text;
  const created = `${t.time} NOT NULL DEFAULT ${t.now}`;
  return withDeferrableKeys(`
CREATE TABLE accounts (
  id ${T} PRIMARY KEY, slug ${T} NOT NULL UNIQUE, name ${T} NOT NULL, secret_key ${T} NOT NULL, created ${created}
);
CREATE TABLE products (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), code ${T}, name ${T} NOT NULL,
  distribution_strategy ${T} NOT NULL DEFAULT 'LICENSED' CHECK (distribution_strategy IN ('OPEN', 'LICENSED', 'CLOSED')),
  created ${created}
);
CREATE UNIQUE INDEX products_code ON products (account_id, code);
CREATE TABLE packages (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), product_id ${T} NOT NULL REFERENCES products (id),
  key ${T} NOT NULL, name ${T} NOT NULL, engine ${T}, metadata ${t.json} NOT NULL DEFAULT '{}',
  created ${created}, updated ${created}
);
CREATE UNIQUE INDEX packages_key ON packages (account_id, key);
CREATE INDEX packages_engine ON packages (account_id, engine, created, id);
CREATE INDEX packages_product ON packages (product_id);
CREATE TABLE engines (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), key ${T} NOT NULL, name ${T},
  created ${created}, updated ${created}
);
CREATE INDEX engines_order ON engines (account_id, created, id);
CREATE INDEX engines_key ON engines (account_id, key);
CREATE TABLE releases (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), product_id ${T} NOT NULL REFERENCES products (id),
  package_id ${T} REFERENCES packages (id),
  package_slot ${T} GENERATED ALWAYS AS (COALESCE(package_id, '')) STORED,
  version ${T} NOT NULL, version_key ${T} NOT NULL, pre_word ${T}, pre_num ${t.bigint},
  channel ${T} NOT NULL DEFAULT 'stable' CHECK (channel IN ('stable', 'rc', 'beta', 'alpha', 'dev')),
  status ${T} NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'YANKED')),
  tag ${T}, name ${T}, description ${T}, entitlements ${t.json} NOT NULL DEFAULT '[]', metadata ${t.json} NOT NULL DEFAULT '{}',
  created ${created}, updated ${created}, backdated ${t.time}, yanked ${t.time}
);
CREATE UNIQUE INDEX releases_version ON releases (product_id, package_slot, version);
CREATE INDEX releases_precedence ON releases (product_id, package_slot, version_key, channel);
CREATE INDEX releases_by_version ON releases (account_id, version);
CREATE INDEX releases_by_tag ON releases (account_id, tag);
CREATE INDEX releases_package ON releases (package_id);
CREATE TABLE artifacts (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), release_id ${T} NOT NULL REFERENCES releases (id),
  filename ${T} NOT NULL, filetype ${T}, platform ${T}, arch ${T}, filesize ${t.bigint}, checksum ${T}, signature ${T},
  status ${T} NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'PROCESSING', 'UPLOADED', 'FAILED', 'YANKED')),
  metadata ${t.json} NOT NULL DEFAULT '{}', created ${created}, updated ${created}, blob ${T}
);
CREATE INDEX artifacts_release ON artifacts (release_id, created, id);
CREATE INDEX artifacts_platform ON artifacts (release_id, platform, arch);
CREATE INDEX artifacts_filename ON artifacts (account_id, filename);
CREATE TABLE entitlements (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), code ${T} NOT NULL, name ${T} NOT NULL
);
CREATE UNIQUE INDEX entitlements_code ON entitlements (account_id, code);
CREATE TABLE policies (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), product_id ${T} NOT NULL REFERENCES products (id),
  name ${T} NOT NULL, expiration_strategy ${T} NOT NULL DEFAULT 'RESTRICT_ACCESS',
  authentication_strategy ${T} NOT NULL DEFAULT 'TOKEN', entitlements ${t.json} NOT NULL DEFAULT '[]'
);
CREATE TABLE users (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), email ${T} NOT NULL,
  role ${T} NOT NULL DEFAULT 'user', banned ${t.bool} NOT NULL DEFAULT FALSE
);
CREATE TABLE licenses (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), policy_id ${T} NOT NULL REFERENCES policies (id),
  product_id ${T} NOT NULL REFERENCES products (id), key ${T} NOT NULL, expiry ${t.time},
  suspended ${t.bool} NOT NULL DEFAULT FALSE, owner_id ${T} REFERENCES users (id), entitlements ${t.json} NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX licenses_key ON licenses (account_id, key);
CREATE INDEX licenses_owner ON licenses (owner_id);
CREATE TABLE license_users (
  license_id ${T} NOT NULL REFERENCES licenses (id) ON DELETE CASCADE, user_id ${T} NOT NULL REFERENCES users (id),
  position ${t.int} NOT NULL DEFAULT 0, PRIMARY KEY (license_id, user_id)
);
CREATE INDEX license_users_user ON license_users (user_id);
CREATE TABLE tokens (
  id ${T} PRIMARY KEY, account_id ${T} NOT NULL REFERENCES accounts (id), bearer_type ${T} NOT NULL, bearer_id ${T} NOT NULL,
  digest ${T} NOT NULL, expiry ${t.time}
);
CREATE UNIQUE INDEX tokens_digest ON tokens (account_id, digest);
CREATE TABLE package_revisions (package_id ${T} PRIMARY KEY, revision ${t.bigint} NOT NULL);
CREATE TABLE account_revisions (account_id ${T} PRIMARY KEY, revision ${t.bigint} NOT NULL);
CREATE TABLE store_meta (key ${T} PRIMARY KEY, value ${T} NOT NULL);
`);
}

/** Schema version 2: the build word/number columns of releases, filled in from each stored version. */
export function buildColumnsV2(t: ColumnTypes): Migration {
  return async (tx) => {
    await tx.exec(`ALTER TABLE releases ADD COLUMN build_word ${t.text};
ALTER TABLE releases ADD COLUMN build_num ${t.bigint};`);
    // Only versions with build metadata need a value; the rest keep NULL, as a fresh import writes.
    const rows = await tx.all(raw("SELECT id, version FROM releases WHERE version LIKE '%+%'"));
    for (const row of rows) {
      const parsed = parseStrict(String(row.version));
      if (parsed === null || (parsed.buildWord === null && parsed.buildNum === null)) continue;
      await tx.all(sql`UPDATE releases SET build_word = ${parsed.buildWord}, build_num = ${parsed.buildNum} WHERE id = ${String(row.id)}`);
    }
  };
}

/** A unique index the write path relies on, and the rows that must not share its key. */
interface UniqueIndex {
  name: string;
  table: string;
  columns: readonly string[];
  where?: string;
  /** What the duplicates are, for the error message. */
  what: string;
}

/** Unique indexes of version 3 (SQLite) / 4 (PostgreSQL): the uniqueness the write contract leaves to the database. */
const WRITE_UNIQUE: readonly UniqueIndex[] = [
  { name: "releases_tag", table: "releases", columns: ["product_id", "package_slot", "tag"], where: "tag IS NOT NULL", what: "releases of one product and package share a tag" },
  { name: "artifacts_release_filename", table: "artifacts", columns: ["release_id", "filename"], what: "artifacts of one release share a filename" },
  { name: "engines_account_key", table: "engines", columns: ["account_id", "key"], what: "engines of one account share a key" },
];

/**
 * The write path's schema: unique indexes for tags per product and package, filenames per release
 * and engine keys per account (versions and package keys were unique from version 1), and the
 * `(account, created, id)` indexes its lists page on. Existing rows that would break a new unique
 * index stop the migration with a message naming them; the transaction then changes nothing.
 * (The dataset loader refuses such duplicates, so only rows written by hand can.)
 */
export function writeIndexes(): Migration {
  return async (tx) => {
    const problems: string[] = [];
    for (const index of WRITE_UNIQUE) {
      const cols = index.columns.join(", ");
      const rows = await tx.all(raw(`SELECT ${cols}, count(*) AS n FROM ${index.table} ${index.where ? `WHERE ${index.where}` : ""}
        GROUP BY ${cols} HAVING count(*) > 1 ORDER BY ${cols} LIMIT 5`));
      for (const row of rows) {
        problems.push(`${index.what}: ${index.columns.map((c) => `${c}=${JSON.stringify(row[c])}`).join(" ")} (${String(row.n)} rows)`);
      }
    }
    if (problems.length > 0) {
      throw new Error(`cannot add the write path's unique indexes: ${problems.join("; ")}. Remove or rename the duplicates, then start again (the database was not changed)`);
    }
    const ddl = WRITE_UNIQUE.map((i) => `CREATE UNIQUE INDEX IF NOT EXISTS ${i.name} ON ${i.table} (${i.columns.join(", ")})${i.where ? ` WHERE ${i.where}` : ""};`);
    // Written to run again over its own result (a database rewound by hand to an older version).
    await tx.exec(`DROP INDEX IF EXISTS engines_key;
${ddl.join("\n")}
CREATE INDEX IF NOT EXISTS releases_created ON releases (account_id, created, id);
CREATE INDEX IF NOT EXISTS artifacts_created ON artifacts (account_id, created, id);
CREATE INDEX IF NOT EXISTS packages_created ON packages (account_id, created, id);`);
  };
}

/** Foreign keys checked at statement end, deferrable to commit (an import replaces rows in any order). */
function withDeferrableKeys(ddl: string): string {
  return ddl.replace(/REFERENCES (\w+) \(id\)( ON DELETE CASCADE)?/g, "REFERENCES $1 (id)$2 DEFERRABLE INITIALLY IMMEDIATE");
}

/** What one table's change bumps: SQL expressions over a row alias (`NEW` or `OLD`). */
export type RevisionBumps = Record<string, { packages: (row: string) => string[]; accounts: (row: string) => string[]; productPackages?: (row: string) => string }>;

/** What each table's change bumps: SQL expressions over a row alias (`NEW` or `OLD`). */
export const REVISION_BUMPS: RevisionBumps = {
  releases: { packages: (r) => [`${r}.package_id`], accounts: () => [] },
  artifacts: { packages: (r) => [`(SELECT package_id FROM releases WHERE id = ${r}.release_id)`], accounts: () => [] },
  packages: { packages: (r) => [`${r}.id`], accounts: (r) => [`${r}.account_id`] },
  engines: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
  products: { packages: () => [], accounts: (r) => [`${r}.account_id`], productPackages: (r) => `${r}.id` },
  accounts: { packages: () => [], accounts: (r) => [`${r}.id`] },
};

/**
 * The artifacts index the "is anything built for this target" probe of an update check walks:
 * (platform, arch, release_id), so a check for a platform nothing is built for reads a few index
 * entries instead of every artifact (the only index was (release_id, platform, arch)).
 */
export const TARGET_INDEX = "CREATE INDEX IF NOT EXISTS artifacts_target ON artifacts (platform, arch, release_id);";

/**
 * Version 6 (PostgreSQL) / 5 (SQLite): what authentication reads bumps the account revision too, so
 * a server that keeps accounts, licenses, policies, users and tokens per account revision sees a
 * license suspended or a token revoked by hand in the database.
 */
export const AUTH_BUMPS: RevisionBumps = {
  licenses: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
  license_users: { packages: () => [], accounts: (r) => [`(SELECT account_id FROM licenses WHERE id = ${r}.license_id)`] },
  policies: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
  users: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
  tokens: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
  entitlements: { packages: () => [], accounts: (r) => [`${r}.account_id`] },
};

/** The package an artifact row's release belongs to (NULL for a release of no package, or one gone). */
const artifactPackage = (r: string) => `(SELECT package_id FROM releases WHERE id = ${r}.release_id)`;

/**
 * Version 7 (PostgreSQL) / 6 (SQLite): a release of no package, and an artifact of one, bump their
 * account's revision (they moved none before, so a server keeping reads per revision missed them:
 * raw links and the releases and artifacts routes read such releases). Releases and artifacts of a
 * package still bump only that package, so a package's pages keep their cache across other writes.
 */
export const NO_PACKAGE_BUMPS: RevisionBumps = {
  releases: { packages: (r) => [`${r}.package_id`], accounts: (r) => [`CASE WHEN ${r}.package_id IS NULL THEN ${r}.account_id END`] },
  artifacts: {
    packages: (r) => [artifactPackage(r)],
    accounts: (r) => [`CASE WHEN ${artifactPackage(r)} IS NULL THEN ${r}.account_id END`],
  },
};
