/**
 * @module engines/tauri/answers — the Tauri route's answers remembered per store: an answer is a
 * pure function of the package's and the account's revisions, the caller's scopes and the query,
 * so a repeat check costs two revision reads and one lookup instead of five store calls, a body
 * and its hash. Failures (404, 403, 400) are never remembered: they are worked out every time.
 */
import type { Package, Product, Release } from "../../model/records.js";

/** A remembered answer: an update (its body and ETag, and the release for the upgrade event) or a 204's reason. */
export type TauriAnswer =
  | { kind: "update"; body: string; etag: string; upgrade: Release }
  | { kind: "none"; reason: string };

/** A package segment resolved within one catalogue revision: the package and its product, or null when none. */
export type TauriPackage = { pkg: Package; product: Product | null } | null;

/** Most entries of each map per store; when full, a map is emptied and fills again. */
const LIMIT = 4096;

/** What is remembered for one store. */
export interface TauriMemo {
  packages: Map<string, TauriPackage>;
  answers: Map<string, TauriAnswer>;
}

const byStore = new WeakMap<object, TauriMemo>();

/** The memo of a store (made on first use, dropped with the store). */
export function tauriMemo(store: object): TauriMemo {
  let memo = byStore.get(store);
  if (memo === undefined) {
    memo = { packages: new Map(), answers: new Map() };
    byStore.set(store, memo);
  }
  return memo;
}

/** Remember `value` under `key` in a bounded map. */
export function remember<T>(map: Map<string, T>, key: string, value: T): T {
  if (map.size >= LIMIT) map.clear();
  map.set(key, value);
  return value;
}
