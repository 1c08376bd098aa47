/**
 * @module dataset/values — how a dataset's written values become record values (dates, metadata, lists).
 */

/** The instant used for every missing `created`, so the same file always yields the same pages. */
export const EPOCH = "1970-01-01T00:00:00.000Z";

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`: a date the schema accepted in this form is already its own ISO text. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ$/;

/** A written date as ISO text (null stays null). */
export function iso(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // The schema's pattern has already ruled out impossible days and times, so the round trip through
  // Date would return the same text.
  return CANONICAL_ISO.test(value) ? value : new Date(value).toISOString();
}

/** A copy of a metadata record, as zod's record parse makes (the fast shape check excludes `__proto__` and symbols). */
export function copyRecord(record: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (record !== undefined) for (const key in record) out[key] = record[key];
  return out;
}

/** A metadata record of input the load owns ({@link copyRecord} where there is none): kept, not copied. */
export function ownRecord(record: Record<string, unknown> | undefined): Record<string, unknown> {
  return record === undefined ? {} : record;
}

/** {@link distinct} of a list of input the load owns: a list of one (most) is kept, not copied. */
export function ownList(list: string[] | undefined): string[] {
  return list !== undefined && list.length === 1 ? list : distinct(list);
}

/** Distinct strings in first-seen order (`[...new Set(list)]`), without a Set for the usual short lists. */
export function distinct(list: readonly string[] | undefined): string[] {
  if (list === undefined || list.length === 0) return [];
  if (list.length === 1) return [list[0] as string];
  return [...new Set(list)];
}

/** `map.set(key, value)` unless the key is already there, so lookups find the first record, as `Array.find` did. */
export function setFirst<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}
