/**
 * @module sql/visibility — the reference visibility rules of access/scope as SQL conditions.
 *
 * Aliases: `p` products, `pk` packages, `r` releases, `a` artifacts. Each function mirrors the
 * predicate of the same name in access/scope, so every store answers alike.
 */
import type { Scope, WindowRule } from "../access/scope.js";
import type { Dialect } from "./client.js";
import { any, list, raw, sql, type Fragment } from "./fragment.js";
import { iso } from "./rows.js";

/** Normalise an instant to the ISO form stored (so text comparison in SQLite is chronological). */
const instant: (value: string) => string = iso;

/** withinWindow over release `r`: backdated-else-created (`effective`) or created-or-backdated (`either`) at or before the cutoff. */
export function withinWindow(r: string, cutoff: string | null, rule: WindowRule = "effective"): Fragment {
  if (cutoff === null) return raw("TRUE");
  const limit = instant(cutoff);
  if (rule === "either") return sql`(${raw(`${r}.created`)} <= ${limit} OR (${raw(`${r}.backdated`)} IS NOT NULL AND ${raw(`${r}.backdated`)} <= ${limit}))`;
  return sql`COALESCE(${raw(`${r}.backdated`)}, ${raw(`${r}.created`)}) <= ${limit}`;
}

/** The caller sees every record of the product in `column`. */
export function seesAll(scope: Scope, column: string): Fragment {
  if (scope.all) return raw("TRUE");
  return scope.products.length === 0 ? raw("FALSE") : sql`${raw(column)} IN ${list(scope.products)}`;
}

/** isPackageVisible over `pk` joined with its product `p`. */
export function packageVisible(scope: Scope, pk = "pk", p = "p"): Fragment {
  if (scope.ownOnly === true) return seesAll(scope, `${pk}.product_id`);
  const licensed = scope.licensedProducts.length === 0 ? raw("FALSE") : sql`${raw(`${pk}.product_id`)} IN ${list(scope.licensedProducts)}`;
  return sql`(${seesAll(scope, `${pk}.product_id`)} OR ${raw(p)}.distribution_strategy = 'OPEN' OR (${raw(p)}.distribution_strategy <> 'CLOSED' AND ${licensed}))`;
}

/** isReleaseVisible over `r` joined with its product `p`. */
export function releaseVisible(d: Dialect, scope: Scope, r = "r", p = "p"): Fragment {
  if (scope.ownOnly === true) return seesAll(scope, `${r}.product_id`);
  const R = (c: string) => raw(`${r}.${c}`);
  const grants = scope.grants.map((g) => {
    const cutoff = withinWindow(r, g.cutoff, g.window);
    return sql`(${R("product_id")} = ${g.productId} AND ${d.subsetOf(`${r}.entitlements`, g.entitlements)} AND ${cutoff})`;
  });
  const open = sql`(${raw(p)}.distribution_strategy = 'OPEN' AND ${d.emptyArray(`${r}.entitlements`)})`;
  // statusVisible: PUBLISHED, or YANKED too where the scope counts it as published (SPEC 19).
  const status = scope.yankedAsPublished === true ? sql`${R("status")} IN ('PUBLISHED', 'YANKED')` : sql`${R("status")} = 'PUBLISHED'`;
  return sql`(${seesAll(scope, `${r}.product_id`)} OR (${raw(p)}.distribution_strategy <> 'CLOSED' AND ${status} AND ${any([open, ...grants])}))`;
}

/** isArtifactVisible over `a` of release `r` of product `p`. */
export function artifactVisible(d: Dialect, scope: Scope, a = "a", r = "r", p = "p"): Fragment {
  return sql`(${seesAll(scope, `${r}.product_id`)} OR (${raw(a)}.status = 'UPLOADED' AND ${releaseVisible(d, scope, r, p)}))`;
}

/** The engine `e` has a package visible to the scope. */
export function engineVisible(scope: Scope, e = "e"): Fragment {
  return sql`EXISTS (SELECT 1 FROM packages pk JOIN products p ON p.id = pk.product_id
    WHERE pk.account_id = ${raw(e)}.account_id AND pk.engine = ${raw(e)}.key AND ${packageVisible(scope)})`;
}
