/**
 * @module store/memory-revisions — revisions of the memory store derived from content: the same
 * records give the same revision in every process and after a restart, and any change to them gives another.
 */
import { utf8 } from "../core/encoding.js";
import { Sha256 } from "../core/sha256.js";

/** JSON of a value with object keys sorted, so records built in a different key order hash alike. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

/** A revision of some records: the first 128 bits of the SHA-256 of their canonical JSON, in hex, after a `c`. */
export function contentRevision(records: unknown): string {
  return `c${new Sha256().update(utf8(canonical(records))).hex().slice(0, 32)}`;
}
