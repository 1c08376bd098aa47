/**
 * @module access/scope-key — a scope as a short string: equal scopes give equal keys, different
 * scopes different ones, so a cache of answers can be keyed by what the caller may see.
 */
import type { Grant, Scope } from "./scope.js";

/** Text that needs no quoting between the key's separators (ids, codes, instants). */
const PLAIN = /^[\w.:/+-]*$/;

/** A string as it goes into a key: as it is when plain, else as JSON text (which escapes any separator); `!` for none. */
export function keyText(s: string | null | undefined): string {
  if (s === null || s === undefined) return "!";
  return PLAIN.test(s) ? s : JSON.stringify(s);
}
const q = keyText;

function list(items: readonly string[]): string {
  let out = "";
  for (let i = 0; i < items.length; i++) out += `${q(items[i] as string)},`;
  return out;
}

function grantKey(g: Grant): string {
  return `${q(g.productId)};${list(g.entitlements)};${g.cutoff === null ? "" : q(g.cutoff)};${g.window ?? "effective"}`;
}

/** Where a scope keeps its key once computed: a non-enumerable property, so spreads (`withYanked`) never copy it. */
const KEY = Symbol("scopeKey");

/**
 * The key of a scope: an injective text of every field that decides visibility, computed once per
 * scope object (a property of the scope, not a `WeakMap`: a map entry per request's scope cost more
 * in garbage collection than it saved). Scopes are not changed after they are made.
 */
export function scopeKey(scope: Scope): string {
  const known = (scope as { [KEY]?: string })[KEY];
  if (known !== undefined) return known;
  let key = `${scope.all ? "A" : "a"}${scope.ownOnly === true ? "O" : "o"}${scope.yankedAsPublished === true ? "Y" : "y"}[${list(scope.products)}][${list(scope.licensedProducts)}]`;
  for (let i = 0; i < scope.grants.length; i++) key += `{${grantKey(scope.grants[i] as Grant)}}`;
  if (Object.isExtensible(scope)) Object.defineProperty(scope, KEY, { value: key });
  return key;
}
