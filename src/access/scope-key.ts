/**
 * @module access/scope-key — a scope as a short string: equal scopes give equal keys, different
 * scopes different ones, so a cache of answers can be keyed by what the caller may see.
 */
import type { Grant, Scope } from "./scope.js";

/** Keys of scopes seen recently, by object (a scope reused across requests is keyed once). */
const known = new WeakMap<Scope, string>();

/** JSON text of a string (escapes whatever could be taken for a separator). */
const q = (s: string) => JSON.stringify(s);

function list(items: readonly string[]): string {
  let out = "";
  for (const item of items) out += `${q(item)},`;
  return out;
}

function grantKey(g: Grant): string {
  return `${q(g.productId)}:${list(g.entitlements)}:${g.cutoff === null ? "-" : q(g.cutoff)}:${g.window ?? "effective"}`;
}

/** The key of a scope: an injective text of every field that decides visibility. */
export function scopeKey(scope: Scope): string {
  const seen = known.get(scope);
  if (seen !== undefined) return seen;
  let key = `${scope.all ? "A" : "a"}${scope.ownOnly === true ? "O" : "o"}${scope.yankedAsPublished === true ? "Y" : "y"}[${list(scope.products)}][${list(scope.licensedProducts)}]`;
  for (const g of scope.grants) key += `{${grantKey(g)}}`;
  known.set(scope, key);
  return key;
}
