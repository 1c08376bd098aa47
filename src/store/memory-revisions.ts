/**
 * @module store/memory-revisions — revisions of the memory store derived from content: the same
 * records give the same revision in every process and after a restart, and any change to them gives another.
 */
import { sha256HexOfText } from "../core/sha256.js";

/**
 * Digests of records already hashed, for one lineage of stores. Only a lineage whose records are
 * values (store/memory-write makes new ones on every write and changes none in place) shares one,
 * so a revision after a write hashes only the records the write made.
 */
export type RecordDigests = WeakMap<object, string>;

/** JSON of a value with object keys sorted, so records built in a different key order hash alike; a record (an object with an `id`) as its digest. */
function canonical(value: unknown, digests: RecordDigests): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonical(value[i], digests);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.id !== "string") return objectText(record, digests);
  let digest = digests.get(record);
  if (digest === undefined) digests.set(record, (digest = `#${sha256HexOfText(objectText(record, digests))}`));
  return digest;
}

function objectText(record: Record<string, unknown>, digests: RecordDigests): string {
  const keys = Object.keys(record);
  // Records mostly come with their keys in order already: sort only those that do not.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = "{";
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${canonical(v, digests)}`;
  }
  return `${out}}`;
}

/** A revision of some records: the first 128 bits of the SHA-256 of their canonical JSON, in hex, after a `c`. */
export function contentRevision(records: unknown, digests: RecordDigests = new WeakMap()): string {
  return `c${sha256HexOfText(canonical(records, digests)).slice(0, 32)}`;
}
