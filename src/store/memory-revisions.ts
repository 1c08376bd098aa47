/**
 * @module store/memory-revisions — revisions of the memory store derived from content: the same
 * records give the same revision in every process and after a restart, and any change to them gives another.
 */
import { utf8 } from "../core/encoding.js";
import { Sha256 } from "../core/sha256.js";

/** JSON of a value with object keys sorted, so records built in a different key order hash alike; a record (an object with an `id`) as its digest. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const record = value as Record<string, unknown>;
  if (typeof record.id !== "string") return objectText(record);
  let digest = recordDigests.get(record);
  if (digest === undefined) recordDigests.set(record, (digest = `#${new Sha256().update(utf8(objectText(record))).hex()}`));
  return digest;
}

function objectText(record: Record<string, unknown>): string {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

/**
 * Digests of records already hashed. Records are values: every write makes new ones (store/memory-write)
 * and never changes one in place, so a revision after a write hashes only the records it made.
 */
const recordDigests = new WeakMap<object, string>();

/** A revision of some records: the first 128 bits of the SHA-256 of their canonical JSON, in hex, after a `c`. */
export function contentRevision(records: unknown): string {
  return `c${new Sha256().update(utf8(canonical(records))).hex().slice(0, 32)}`;
}
