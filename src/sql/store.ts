/**
 * @module sql/store — the store contract over SQL: every filter, scope rule and order runs in the
 * database on an index; JavaScript only maps the rows it gets back.
 */
import { isUuid } from "../core/uuid.js";
import type { ArtifactLookupFilter, ArtifactWithRelease, PageQuery, RawArtifactQuery, UpgradeQuery } from "../store/types.js";
import type { WritableStore } from "../store/write.js";
import type { EngineKey } from "../model/records.js";
import type { Row, SqlClient } from "./client.js";
import { join, list, raw, sql, type Fragment } from "./fragment.js";
import {
  select, toAccount, toArtifact, toEngine, toLicense, toPackage, toPolicy, toProduct, toRelease, toToken, toUser,
} from "./rows.js";
import { artifactVisible, engineVisible, packageVisible, releaseVisible } from "./visibility.js";
import { createSqlWrites } from "./write.js";
import { createSqlWriteLists } from "./write-lists.js";

/** A store backed by a SQL database; it can publish (the write contract). */
export interface SqlStore extends WritableStore {
  /** Apply pending schema migrations now (they also run before the first query). */
  migrate(): Promise<void>;
  /** Close the database connection or pool. */
  close(): Promise<void>;
}

const NO_ID = "00000000-0000-0000-0000-000000000000";
/** Newest precedence first, then newest, then id: the memory store's tie order. */
const RELEASE_ORDER = raw("r.version_key DESC, r.created DESC, r.id ASC");
const ARTIFACT_ORDER = raw("a.created DESC, a.id DESC");
const ARTIFACT_WITH_RELEASE = sql`${select("artifacts", "a", "a_")}, ${select("releases", "r", "r_")}`;

const pair = (row: Row): ArtifactWithRelease => ({ artifact: toArtifact(row, "a_"), release: toRelease(row, "r_") });
/** A UUID-shaped term, or an id that matches nothing (so a non-UUID never reaches an id column). */
const idTerm = (term: string) => (isUuid(term) ? term : NO_ID);

/** `AND …` conditions of an artifact lookup's Keygen filters (a, r aliased as in findArtifact). */
function lookupWhere(f: ArtifactLookupFilter): Fragment {
  const parts: Fragment[] = [];
  const nullable = (column: string, value: string | null) => (value === null ? raw(`${column} IS NULL`) : sql`${raw(column)} = ${value}`);
  if (f.productId !== undefined) parts.push(sql`r.product_id = ${f.productId}`);
  if (f.releaseId !== undefined) parts.push(sql`r.id = ${f.releaseId}`);
  if (f.packageId !== undefined) parts.push(sql`r.package_slot = ${f.packageId ?? ""}`);
  if (f.engine === null) parts.push(raw("NOT EXISTS (SELECT 1 FROM packages pk WHERE pk.id = r.package_id AND pk.engine IS NOT NULL)"));
  else if (f.engine !== undefined) parts.push(sql`EXISTS (SELECT 1 FROM packages pk WHERE pk.id = r.package_id AND pk.engine = ${f.engine})`);
  if (f.channels !== undefined) parts.push(f.channels.length === 0 ? raw("FALSE") : sql`r.channel IN ${list(f.channels)}`);
  if (f.platform !== undefined) parts.push(nullable("a.platform", f.platform));
  if (f.arch !== undefined) parts.push(nullable("a.arch", f.arch));
  if (f.filetype !== undefined) parts.push(nullable("a.filetype", f.filetype));
  if (f.status !== undefined) parts.push(sql`a.status = ${f.status}`);
  return parts.length === 0 ? raw("") : sql` AND ${join(parts, " AND ")}`;
}

/**
 * Where a statement's answer to a later call can be kept: called when the statement begins, it
 * returns a function that keeps `value` as the answer of `method(...args)` (or null: nothing keeps).
 */
export type KeepAnswer = () => ((method: string, args: unknown[], value: unknown) => void) | null;

/** Build a {@link SqlStore} over a client; `ensure` runs migrations before the first query (retried after a failure). */
export function createSqlStore(client: SqlClient, ensure: () => Promise<void>, keep?: KeepAnswer): SqlStore {
  const d = client.dialect;
  const all = async (q: Fragment) => {
    await ensure();
    return client.all(q);
  };
  const one = async (q: Fragment) => (await all(q))[0] ?? null;

  /** Ids of the releases of an account that a term names: its id, a version or a tag. */
  const releaseTerm = (accountId: string, term: string) =>
    sql`(SELECT id FROM releases WHERE id = ${idTerm(term)} AND account_id = ${accountId}
      UNION ALL SELECT id FROM releases WHERE account_id = ${accountId} AND version = ${term}
      UNION ALL SELECT id FROM releases WHERE account_id = ${accountId} AND tag = ${term})`;

  const licenseQuery = (where: Fragment) =>
    sql`SELECT ${select("licenses", "l")}, ${d.licenseUserIds("l")} AS user_ids FROM licenses l WHERE ${where}`;

  const store: SqlStore = {
    writable: true,
    ...createSqlWriteLists(client, ensure),
    ...createSqlWrites(client, ensure),
    async migrate() {
      await ensure();
    },
    async close() {
      await client.close();
    },

    async getAccount(idOrSlug) {
      const row = await one(sql`SELECT 0 AS rank, ${select("accounts", "x")} FROM accounts x WHERE x.id = ${idTerm(idOrSlug)}
        UNION ALL SELECT 1 AS rank, ${select("accounts", "y")} FROM accounts y WHERE y.slug = ${idOrSlug} ORDER BY rank LIMIT 1`);
      return row && toAccount(row);
    },
    async getProduct(accountId, idOrCode) {
      const row = await one(sql`SELECT 0 AS rank, ${select("products", "x")} FROM products x WHERE x.id = ${idTerm(idOrCode)} AND x.account_id = ${accountId}
        UNION ALL SELECT 1 AS rank, ${select("products", "y")} FROM products y WHERE y.account_id = ${accountId} AND y.code = ${idOrCode} ORDER BY rank LIMIT 1`);
      return row && toProduct(row);
    },
    async getProducts(accountId, ids) {
      const wanted = ids.filter(isUuid);
      if (wanted.length === 0) return [];
      return (await all(sql`SELECT ${select("products", "p")} FROM products p WHERE p.account_id = ${accountId} AND p.id IN ${list(wanted)}`)).map((r) => toProduct(r));
    },

    async getPackage(accountId, idOrKey, engine?: EngineKey) {
      const byEngine = engine === undefined ? raw("TRUE") : sql`pk.engine = ${engine}`;
      const row = await one(sql`SELECT ${select("packages", "pk")} FROM packages pk
        WHERE pk.id IN (SELECT id FROM packages WHERE id = ${idTerm(idOrKey)} AND account_id = ${accountId}
                        UNION ALL SELECT id FROM packages WHERE account_id = ${accountId} AND key = ${idOrKey})
          AND ${byEngine} ORDER BY pk.created ASC, pk.id ASC LIMIT 1`);
      return row && toPackage(row);
    },
    async listPackages(accountId, engine, scope) {
      const rows = await all(sql`SELECT ${select("packages", "pk")} FROM packages pk JOIN products p ON p.id = pk.product_id
        WHERE pk.account_id = ${accountId} AND pk.engine = ${engine} AND ${packageVisible(scope)}
        ORDER BY pk.created DESC, pk.id DESC`);
      return rows.map((r) => toPackage(r));
    },

    async listEngines(accountId, scope, page: PageQuery) {
      const dir = raw(page.order === "desc" ? "DESC" : "ASC");
      const cmp = raw(page.order === "desc" ? "<" : ">");
      const after = page.after === undefined
        ? raw("TRUE")
        : sql`EXISTS (SELECT 1 FROM engines x WHERE x.id = ${idTerm(page.after)} AND x.account_id = ${accountId}
            AND ${engineVisible(scope, "x")} AND (e.created, e.id) ${cmp} (x.created, x.id))`;
      const offset = page.after === undefined ? (page.offset ?? 0) : 0;
      const rows = await all(sql`SELECT ${select("engines", "e")} FROM engines e
        WHERE e.account_id = ${accountId} AND ${engineVisible(scope)} AND ${after}
        ORDER BY e.created ${dir}, e.id ${dir} LIMIT ${page.limit} OFFSET ${offset}`);
      return rows.map((r) => toEngine(r));
    },
    async countEngines(accountId, scope) {
      const row = await one(sql`SELECT count(*) AS n FROM engines e WHERE e.account_id = ${accountId} AND ${engineVisible(scope)}`);
      return Number(row?.n ?? 0);
    },
    async getEngine(accountId, idOrKey, scope) {
      const visible = scope.all ? raw("TRUE") : engineVisible(scope);
      const row = await one(sql`SELECT ${select("engines", "e")} FROM engines e
        WHERE e.id IN (SELECT id FROM engines WHERE id = ${idTerm(idOrKey)} AND account_id = ${accountId}
                       UNION ALL SELECT id FROM engines WHERE account_id = ${accountId} AND key = ${idOrKey})
          AND ${visible} ORDER BY e.created ASC, e.id ASC LIMIT 1`);
      return row && toEngine(row);
    },

    async getRelease(accountId, id) {
      const row = await one(sql`SELECT ${select("releases", "r")} FROM releases r WHERE r.id = ${idTerm(id)} AND r.account_id = ${accountId}`);
      return row && toRelease(row);
    },
    async getReleaseByVersion(accountId, productId, packageId, version, scope) {
      const row = await one(sql`SELECT ${select("releases", "r")} FROM releases r JOIN products p ON p.id = r.product_id
        WHERE r.product_id = ${productId} AND r.package_slot = ${packageId ?? ""} AND r.version = ${version}
          AND r.account_id = ${accountId} AND ${releaseVisible(d, scope)}`);
      return row && toRelease(row);
    },
    async findRelease(accountId, term, scope, where = {}) {
      const byProduct = where.productId === undefined ? raw("TRUE") : sql`r.product_id = ${where.productId}`;
      const byPackage = where.packageId === undefined ? raw("TRUE") : sql`r.package_slot = ${where.packageId ?? ""}`;
      const row = await one(sql`SELECT ${select("releases", "r")} FROM releases r JOIN products p ON p.id = r.product_id
        WHERE r.id IN ${releaseTerm(accountId, term)} AND ${byProduct} AND ${byPackage} AND ${releaseVisible(d, scope)}
        ORDER BY r.created ASC, r.id ASC LIMIT 1`);
      return row && toRelease(row);
    },
    async findUpgrade(q: UpgradeQuery) {
      // Taken before any await, so that a change seen meanwhile stops the keeping (see KeepAnswer).
      const put = q.artifact !== undefined && d.name === "postgres" ? (keep?.() ?? null) : null;
      if (q.channels.length === 0) return null;
      const range = q.range;
      // What the precedence index answers: product, package, key range, channel.
      const indexed: Fragment[] = [
        sql`r.product_id = ${q.productId}`,
        sql`r.package_slot = ${q.packageId ?? ""}`,
        sql`r.version_key > ${q.afterKey}`,
      ];
      if (range) indexed.push(sql`r.version_key >= ${range.minKey}`, sql`r.version_key < ${range.maxKey}`);
      // What is checked per candidate release, in index order. One channel is an index condition
      // too; a list of them is not (an index scan with `channel IN (…)` on the last index column
      // no longer returns rows in key order, so every candidate was read and sorted).
      const channel = q.channels.length === 1 ? sql`r.channel = ${q.channels[0]}` : sql`r.channel IN ${list(q.channels)}`;
      if (q.channels.length === 1) indexed.push(channel);
      const checked: Fragment[] = q.channels.length === 1 ? [] : [channel];
      checked.push(sql`r.status = 'PUBLISHED'`, sql`r.account_id = ${q.accountId}`);
      if (range?.preWord !== undefined) checked.push(sql`r.pre_word = ${range.preWord}`);
      if (range?.preNum !== undefined) checked.push(sql`r.pre_num = ${range.preNum}`);
      if (range?.buildWord !== undefined) checked.push(sql`r.build_word = ${range.buildWord}`);
      if (range?.buildNum !== undefined) checked.push(sql`r.build_num = ${range.buildNum}`);
      checked.push(releaseVisible(d, q.scope));
      if (q.artifact) {
        checked.push(sql`EXISTS (SELECT 1 FROM artifacts a WHERE a.release_id = r.id
          AND a.platform = ${q.artifact.platform} AND a.arch = ${q.artifact.arch}
          AND a.signature IS NOT NULL AND a.signature <> '' AND a.filetype IS NOT NULL AND a.filetype <> 'sig'
          AND ${artifactVisible(d, q.scope)})`);
      }
      // Two steps in one statement, so the database stops at the first match: the newest matching
      // precedence key (a backward walk of the precedence index that ends at the first row that
      // qualifies), then the tie-break among that key's few releases. A single ORDER BY over
      // (key, created, id) cannot use the index order, so it filtered and sorted every candidate.
      // The per-release checks sit in a scalar subquery run per candidate, so a plan that reads and
      // sorts every candidate costs what it does; as plain conditions their estimate fell to one
      // row, and a plan prepared once for any parameters (PostgreSQL's generic plan) then chose to
      // read and sort every candidate instead of walking the index.
      const passes = sql`(SELECT 1 FROM products p WHERE p.id = r.product_id AND ${join(checked, " AND ")}) = 1`;
      const where = sql`${join(indexed, " AND ")} AND ${passes}`;
      // A walk for a platform the package has no signed artifact for would visit every candidate:
      // one ordered probe of the artifacts (evaluated once, not per release) answers that first. It
      // walks the (platform, arch, release_id) index and checks each entry's release in a scalar
      // subquery: as a join, the planner walked every release of the package in id order instead
      // (100,000 index probes for a platform nothing is built for); as EXISTS, a plan for any
      // parameters may scan the whole table for a first match.
      const probe = q.artifact === undefined ? null : sql`(SELECT t.release_id FROM artifacts t
          WHERE t.platform = ${q.artifact.platform} AND t.arch = ${q.artifact.arch}
            AND t.signature IS NOT NULL AND t.signature <> '' AND t.filetype IS NOT NULL AND t.filetype <> 'sig'
            AND (SELECT 1 FROM releases tr WHERE tr.id = t.release_id AND tr.product_id = ${q.productId} AND tr.package_slot = ${q.packageId ?? ""}) = 1
          ORDER BY t.platform, t.arch, t.release_id LIMIT 1)`;
      // SQLite does not hoist the probe out of the walk (it tested it per candidate): there it is a
      // statement of its own first, which in process costs microseconds.
      if (probe !== null && d.name !== "postgres" && (await one(sql`SELECT ${probe} AS hit`))?.hit == null) return null;
      const built = probe === null || d.name !== "postgres" ? raw("TRUE") : sql`${probe} IS NOT NULL`;
      const upgrade = (columns: Fragment) => sql`SELECT ${columns} FROM releases r
        WHERE ${where} AND r.version_key = (SELECT r.version_key FROM releases r WHERE ${built} AND ${where} ORDER BY r.version_key DESC LIMIT 1)
        ORDER BY ${RELEASE_ORDER} LIMIT 1`;
      if (put === null || q.artifact === undefined) {
        const row = await one(upgrade(select("releases", "r")));
        return row && toRelease(row);
      }
      // A Tauri check asks next for the upgrade's artifacts for this target (listReleaseArtifacts with
      // the same scope): PostgreSQL answers both in this one statement, one row per artifact (or one
      // with no artifact), and that answer is kept for the call, so a cold check makes one round trip
      // for upgrade and artifacts instead of two.
      const { platform, arch } = q.artifact;
      const rows = await all(sql`SELECT ${select("releases", "r", "r_")}, ${select("artifacts", "a", "a_")} FROM (${upgrade(raw("r.*"))}) r
        LEFT JOIN LATERAL (SELECT a.* FROM artifacts a JOIN products p ON p.id = r.product_id
          WHERE a.release_id = r.id AND a.platform = ${platform} AND a.arch = ${arch} AND ${artifactVisible(d, q.scope)}) a ON TRUE
        ORDER BY ${ARTIFACT_ORDER}`);
      const first = rows[0];
      if (first === undefined) return null;
      const release = toRelease(first, "r_");
      const artifacts = first.a_id === null || first.a_id === undefined ? [] : rows.map((r) => toArtifact(r, "a_"));
      put("listReleaseArtifacts", [q.accountId, release.id, q.scope, { platform, arch }], artifacts);
      return release;
    },

    async getArtifact(accountId, id) {
      const row = await one(sql`SELECT ${ARTIFACT_WITH_RELEASE} FROM artifacts a JOIN releases r ON r.id = a.release_id
        WHERE a.id = ${idTerm(id)} AND a.account_id = ${accountId}`);
      return row && pair(row);
    },
    async listReleaseArtifacts(accountId, releaseId, scope, filter = {}) {
      const platform = filter.platform === undefined ? raw("TRUE") : sql`a.platform = ${filter.platform}`;
      const arch = filter.arch === undefined ? raw("TRUE") : sql`a.arch = ${filter.arch}`;
      const rows = await all(sql`SELECT ${select("artifacts", "a")} FROM artifacts a JOIN releases r ON r.id = a.release_id JOIN products p ON p.id = r.product_id
        WHERE a.release_id = ${idTerm(releaseId)} AND r.account_id = ${accountId} AND ${platform} AND ${arch} AND ${artifactVisible(d, scope)}
        ORDER BY ${ARTIFACT_ORDER}`);
      return rows.map((r) => toArtifact(r));
    },
    async listPackageArtifacts(accountId, packageId, scope) {
      const rows = await all(sql`SELECT ${ARTIFACT_WITH_RELEASE} FROM packages pk
        JOIN releases r ON r.product_id = pk.product_id AND r.package_slot = pk.id
        JOIN products p ON p.id = r.product_id
        JOIN artifacts a ON a.release_id = r.id
        WHERE pk.id = ${idTerm(packageId)} AND pk.account_id = ${accountId} AND ${artifactVisible(d, scope)}
        ORDER BY ${RELEASE_ORDER}, ${ARTIFACT_ORDER}`);
      return rows.map(pair);
    },
    async findRawArtifact(q: RawArtifactQuery) {
      const slot = sql`p.account_id = ${q.accountId} AND r.product_id = ${q.productId} AND r.package_slot = ${q.packageId ?? ""}`;
      const file = sql`(a.filename = ${q.artifact} OR a.id = ${idTerm(q.artifact)})`;
      let releases: Fragment = sql`r.id IN ${releaseTerm(q.accountId, q.release)}`;
      if (q.release === "latest") {
        const tagged = await one(sql`SELECT 1 AS hit FROM releases r JOIN products p ON p.id = r.product_id WHERE r.account_id = ${q.accountId} AND r.tag = 'latest'
          AND r.product_id = ${q.productId} AND r.package_slot = ${q.packageId ?? ""} AND ${releaseVisible(d, q.scope)} LIMIT 1`);
        if (tagged === null) releases = sql`r.channel = 'stable' AND r.status = 'PUBLISHED' AND ${releaseVisible(d, q.scope)}`;
      }
      const row = await one(sql`SELECT ${ARTIFACT_WITH_RELEASE} FROM releases r JOIN products p ON p.id = r.product_id
        JOIN artifacts a ON a.release_id = r.id
        WHERE ${slot} AND ${releases} AND ${file} AND ${artifactVisible(d, q.scope)}
        ORDER BY ${RELEASE_ORDER}, ${ARTIFACT_ORDER} LIMIT 1`);
      return row && pair(row);
    },
    async findArtifact(accountId, idOrFilename, scope, filter) {
      const id = idTerm(idOrFilename);
      const row = await one(sql`SELECT ${ARTIFACT_WITH_RELEASE} FROM artifacts a JOIN releases r ON r.id = a.release_id JOIN products p ON p.id = r.product_id
        WHERE a.id IN (SELECT id FROM artifacts WHERE id = ${id} AND account_id = ${accountId}
                       UNION ALL SELECT id FROM artifacts WHERE account_id = ${accountId} AND filename = ${idOrFilename})
          AND ${artifactVisible(d, scope)}${filter === undefined ? raw("") : lookupWhere(filter)}
        ORDER BY CASE WHEN a.id = ${id} THEN 0 ELSE 1 END, ${RELEASE_ORDER}, ${ARTIFACT_ORDER} LIMIT 1`);
      return row && pair(row);
    },

    async getPackageRevision(accountId, packageId, audience = "all") {
      if (audience === "listed") {
        const row = await one(sql`SELECT m.value AS instance, lr.revision AS revision FROM store_meta m
          LEFT JOIN package_listed_revisions lr ON lr.package_id = ${packageId} WHERE m.key = 'instance'`);
        return `${String(row?.instance ?? "")}:${accountId}:${packageId}:l${String(row?.revision ?? 0)}`;
      }
      const row = await one(sql`SELECT m.value AS instance, pr.revision AS revision FROM store_meta m
        LEFT JOIN package_revisions pr ON pr.package_id = ${packageId} WHERE m.key = 'instance'`);
      return `${String(row?.instance ?? "")}:${accountId}:${packageId}:${String(row?.revision ?? 0)}`;
    },
    async getAccountRevision(accountId) {
      const row = await one(sql`SELECT m.value AS instance, ar.revision AS revision FROM store_meta m
        LEFT JOIN account_revisions ar ON ar.account_id = ${accountId} WHERE m.key = 'instance'`);
      return `${String(row?.instance ?? "")}:${accountId}:${String(row?.revision ?? 0)}`;
    },

    async getLicenseByKey(accountId, key) {
      const row = await one(licenseQuery(sql`l.account_id = ${accountId} AND l.key = ${key}`));
      return row && toLicense(row);
    },
    async getLicense(accountId, id) {
      const row = await one(licenseQuery(sql`l.id = ${idTerm(id)} AND l.account_id = ${accountId}`));
      return row && toLicense(row);
    },
    async listUserLicenses(accountId, userId) {
      const uid = idTerm(userId);
      const rows = await all(licenseQuery(sql`l.id IN (SELECT id FROM licenses WHERE owner_id = ${uid}
          UNION SELECT license_id FROM license_users WHERE user_id = ${uid}) AND l.account_id = ${accountId} ORDER BY l.id`));
      return rows.map(toLicense);
    },
    async getPolicy(accountId, id) {
      const row = await one(sql`SELECT ${select("policies", "x")} FROM policies x WHERE x.id = ${idTerm(id)} AND x.account_id = ${accountId}`);
      return row && toPolicy(row);
    },
    async getUser(accountId, id) {
      const row = await one(sql`SELECT ${select("users", "x")} FROM users x WHERE x.id = ${idTerm(id)} AND x.account_id = ${accountId}`);
      return row && toUser(row);
    },
    async getTokenByDigest(accountId, digest) {
      const row = await one(sql`SELECT ${select("tokens", "x")} FROM tokens x WHERE x.account_id = ${accountId} AND x.digest = ${digest}`);
      return row && toToken(row);
    },
  };
  return store;
}
