/**
 * @module store/memory-order — the orders the memory store keeps its lists in, so every store agrees on ties.
 */
import type { Release } from "../model/records.js";

/** Newest precedence first, then newest created, then id, so every store agrees on ties. */
export function compareReleasesDesc(a: Release, b: Release): number {
  if (a.versionKey !== b.versionKey) return a.versionKey < b.versionKey ? 1 : -1;
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Newest created first, then id descending. */
export function compareCreatedDesc(a: { created: string; id: string }, b: { created: string; id: string }): number {
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Sort in place unless already in order (datasets usually are), so loading skips most comparator calls. */
export function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    if (compare(list[i - 1] as T, list[i] as T) > 0) {
      list.sort(compare);
      return;
    }
  }
}
