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

/** Lists this short are sorted by insertion: most releases' artifact lists, where `Array.prototype.sort`'s set-up outweighs its comparisons. */
const INSERTION_MAX = 8;

/**
 * Sort in place (stable) unless already in order (datasets usually are), so loading skips most
 * comparator calls; a list in strictly the reverse order (a release's artifacts by ascending id, where
 * the order is newest first, then id descending) is reversed: with no ties, that is the sorted order.
 */
export function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): void {
  let sorted = true;
  let reversed = true;
  for (let i = 1; i < list.length && (sorted || reversed); i++) {
    const c = compare(list[i - 1] as T, list[i] as T);
    if (c > 0) sorted = false;
    else reversed = false;
  }
  if (sorted) return;
  if (reversed) list.reverse();
  else if (list.length > INSERTION_MAX) list.sort(compare);
  else insertionSort(list, 1, compare);
}

/** Stable insertion sort of a short list whose first `sorted` items are in order. */
function insertionSort<T>(list: T[], sorted: number, compare: (a: T, b: T) => number): void {
  for (let i = sorted; i < list.length; i++) {
    const item = list[i] as T;
    let j = i - 1;
    while (j >= 0 && compare(list[j] as T, item) > 0) {
      list[j + 1] = list[j] as T;
      j--;
    }
    list[j + 1] = item;
  }
}
