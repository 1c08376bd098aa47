/**
 * @module sql/write-lists — the write contract's lists over SQL: filter, scope, order and page in the
 * database (on the `(account, created, id)` indexes), with the total count beside each page.
 */
import type { Scope } from "../access/scope.js";
import { isUuid } from "../core/uuid.js";
import type { PageQuery } from "../store/types.js";
import type { WritableStore } from "../store/write.js";
import type { Dialect, Row, SqlClient } from "./client.js";
import { join, list, raw, sql, type Fragment } from "./fragment.js";
import { select, toArtifact, toEntitlement, toPackage, toRelease } from "./rows.js";
import { artifactVisible, packageVisible, releaseVisible } from "./visibility.js";

/** The list methods a SQL store adds to the read ones. */
export type SqlWriteLists = Pick<WritableStore, "getEntitlements" | "listAllPackages" | "listReleases" | "listArtifacts">;

/** Conditions over one set of aliases (the listed rows, or the keyset row they come after). */
type Where = (aliases: { main: string; r: string; p: string }) => Fragment;

/** How one list reads its table: the rows, their joins, and their filter and visibility. */
interface ListSpec {
  main: string;
  /** `FROM … JOIN …` over the aliases. */
  from: (a: { main: string; r: string; p: string }) => string;
  where: Where;
  columns: Fragment;
}

const eq = (column: string, value: unknown) => sql`${raw(column)} = ${value}`;

/** Build the list methods over a client; `ensure` runs migrations first. */
export function createSqlWriteLists(client: SqlClient, ensure: () => Promise<void>): SqlWriteLists {
  const d: Dialect = client.dialect;
  const all = async (q: Fragment) => {
    await ensure();
    return client.all(q);
  };

  /** One page of a list, in (created, id) order, and the count of every row it pages over. */
  const page = async (spec: ListSpec, q: PageQuery): Promise<{ rows: Row[]; total: number }> => {
    const own = { main: spec.main, r: "r", p: "p" };
    const at = { main: `k${spec.main}`, r: "kr", p: "kp" };
    const dir = raw(q.order === "asc" ? "ASC" : "DESC");
    const cmp = raw(q.order === "asc" ? ">" : "<");
    const M = spec.main;
    // Keyset: rows after the given one in this order; a row outside the list (or no such row) ends it.
    const after = q.after === undefined
      ? raw("TRUE")
      : sql`EXISTS (SELECT 1 FROM ${raw(spec.from(at))} WHERE ${raw(at.main)}.id = ${isUuid(q.after) ? q.after : ""} AND ${spec.where(at)}
          AND (${raw(`${M}.created`)}, ${raw(`${M}.id`)}) ${cmp} (${raw(`${at.main}.created`)}, ${raw(`${at.main}.id`)}))`;
    const offset = q.after === undefined ? Math.max(0, q.offset ?? 0) : 0;
    const from = raw(spec.from(own));
    const [rows, count] = await Promise.all([
      all(sql`SELECT ${spec.columns} FROM ${from} WHERE ${spec.where(own)} AND ${after}
        ORDER BY ${raw(`${M}.created`)} ${dir}, ${raw(`${M}.id`)} ${dir} LIMIT ${Math.max(0, q.limit)} OFFSET ${offset}`),
      all(sql`SELECT count(*) AS n FROM ${from} WHERE ${spec.where(own)}`),
    ]);
    return { rows, total: Number(count[0]?.n ?? 0) };
  };

  return {
    async getEntitlements(accountId, idsOrCodes) {
      if (idsOrCodes.length === 0) return [];
      const ids = idsOrCodes.filter(isUuid);
      const byId = ids.length === 0 ? raw("FALSE") : sql`id IN ${list(ids)}`;
      const rows = (await all(sql`SELECT ${select("entitlements", "e")} FROM entitlements e
        WHERE e.account_id = ${accountId} AND (${byId} OR e.code IN ${list(idsOrCodes)})`)).map(toEntitlement);
      const out = [];
      for (const term of idsOrCodes) {
        const found = rows.find((e) => e.id === term) ?? rows.find((e) => e.code === term);
        if (found !== undefined) out.push(found);
      }
      return out;
    },

    async listAllPackages(accountId, scope: Scope, filter, q) {
      const where: Where = ({ main, p }) => join([
        eq(`${main}.account_id`, accountId),
        ...(filter.productId === undefined ? [] : [eq(`${main}.product_id`, filter.productId)]),
        ...(filter.engine === undefined ? [] : [eq(`${main}.engine`, filter.engine)]),
        packageVisible(scope, main, p),
      ], " AND ");
      const { rows, total } = await page({
        main: "pk", where, columns: select("packages", "pk"),
        from: ({ main, p }) => `packages ${main} JOIN products ${p} ON ${p}.id = ${main}.product_id`,
      }, q);
      return { items: rows.map((r) => toPackage(r)), total };
    },

    async listReleases(accountId, scope: Scope, filter, q) {
      const where: Where = ({ main, p }) => join([
        eq(`${main}.account_id`, accountId),
        ...(filter.productId === undefined ? [] : [eq(`${main}.product_id`, filter.productId)]),
        ...(filter.packageId === undefined ? [] : [eq(`${main}.package_slot`, filter.packageId ?? "")]),
        ...(filter.channel === undefined ? [] : [eq(`${main}.channel`, filter.channel)]),
        ...(filter.status === undefined ? [] : [eq(`${main}.status`, filter.status)]),
        ...(filter.version === undefined ? [] : [eq(`${main}.version`, filter.version)]),
        releaseVisible(d, scope, main, p),
      ], " AND ");
      const { rows, total } = await page({
        main: "r", where, columns: select("releases", "r"),
        from: ({ main, p }) => `releases ${main} JOIN products ${p} ON ${p}.id = ${main}.product_id`,
      }, q);
      return { items: rows.map((r) => toRelease(r)), total };
    },

    async listArtifacts(accountId, scope: Scope, filter, q) {
      const where: Where = ({ main, r, p }) => join([
        eq(`${main}.account_id`, accountId),
        ...(filter.releaseId === undefined ? [] : [eq(`${main}.release_id`, filter.releaseId)]),
        ...(filter.productId === undefined ? [] : [eq(`${r}.product_id`, filter.productId)]),
        ...(filter.packageId === undefined ? [] : [eq(`${r}.package_slot`, filter.packageId ?? "")]),
        ...(filter.platform === undefined ? [] : [eq(`${main}.platform`, filter.platform)]),
        ...(filter.arch === undefined ? [] : [eq(`${main}.arch`, filter.arch)]),
        ...(filter.filetype === undefined ? [] : [eq(`${main}.filetype`, filter.filetype)]),
        ...(filter.status === undefined ? [] : [eq(`${main}.status`, filter.status)]),
        artifactVisible(d, scope, main, r, p),
      ], " AND ");
      const { rows, total } = await page({
        main: "a", where, columns: sql`${select("artifacts", "a", "a_")}, ${select("releases", "r", "r_")}`,
        from: ({ main, r, p }) => `artifacts ${main} JOIN releases ${r} ON ${r}.id = ${main}.release_id JOIN products ${p} ON ${p}.id = ${r}.product_id`,
      }, q);
      return { items: rows.map((row) => ({ artifact: toArtifact(row, "a_"), release: toRelease(row, "r_") })), total };
    },
  };
}
