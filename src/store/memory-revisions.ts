/**
 * @module store/memory-revisions — revisions of the memory store derived from content: the same
 * records give the same revision in every process and after a restart, and any change to them gives another.
 */
import { utf8 } from "../core/encoding.js";
import { Sha256 } from "../core/sha256.js";

/**
 * Digests of records already hashed, for one lineage of stores. Only a lineage whose records are
 * values (store/memory-write makes new ones on every write and changes none in place) shares one,
 * so a revision after a write hashes only the records the write made.
 */
export type RecordDigests = WeakMap<object, string>;

/** JSON of a value with object keys sorted, so records built in a different key order hash alike; a record (an object with an `id`) as its digest. */
function canonical(value: unknown, digests: RecordDigests): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, digests)).join(",")}]`;
  const record = value as Record<string, unknown>;
  if (typeof record.id !== "string") return objectText(record, digests);
  let digest = digests.get(record);
  if (digest === undefined) digests.set(record, (digest = `#${new Sha256().update(utf8(objectText(record, digests))).hex()}`));
  return digest;
}

function objectText(record: Record<string, unknown>, digests: RecordDigests): string {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k], digests)}`).join(",")}}`;
}

/** A revision of some records: the first 128 bits of the SHA-256 of their canonical JSON, in hex, after a `c`. */
export function contentRevision(records: unknown, digests: RecordDigests = new WeakMap()): string {
  return `c${new Sha256().update(utf8(canonical(records, digests))).hex().slice(0, 32)}`;
}
