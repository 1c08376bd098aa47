/**
 * @module dataset/metadata — the bounds on a record's `metadata` (Keygen's: at most 16 KB of JSON,
 * 4 levels deep, 64 keys), checked without recursing further than the bound.
 */

/** The largest metadata accepted: bytes of its JSON text, nesting levels (the record itself is level 1), top-level keys. */
export const METADATA_LIMITS = { bytes: 16 * 1024, depth: 4, keys: 64 } as const;

/** Why a metadata record is out of bounds (or not JSON), or null when it is within them. */
export function metadataProblem(record: Record<string, unknown>): string | null {
  let keys = 0;
  for (const key in record) if (Object.prototype.hasOwnProperty.call(record, key)) keys++;
  if (keys > METADATA_LIMITS.keys) return `must have at most ${METADATA_LIMITS.keys} keys (has ${keys})`;
  const walk: Walk = { low: 0, high: 0, problem: null };
  visit(record, 1, walk);
  if (walk.problem !== null) return walk.problem;
  if (walk.high <= METADATA_LIMITS.bytes) return null;
  // Shallow and small enough to write out: measure the real JSON text.
  const bytes = new TextEncoder().encode(JSON.stringify(record)).length;
  return bytes > METADATA_LIMITS.bytes ? `must be at most ${METADATA_LIMITS.bytes} bytes of JSON (is ${bytes})` : null;
}

const TOO_LARGE = `must be at most ${METADATA_LIMITS.bytes} bytes of JSON`;

/** A walk's state: lower and upper bounds of the JSON text's bytes so far, and the first problem. */
interface Walk {
  low: number;
  high: number;
  problem: string | null;
}

/** A JSON string's bytes: 1 to 6 per UTF-16 unit (`\u` escapes), and its quotes. */
function text(walk: Walk, length: number): void {
  walk.low += length + 2;
  walk.high += 6 * length + 2;
}

/** Walk a value at `level`, stopping at the first problem. */
function visit(value: unknown, level: number, walk: Walk): void {
  if (Array.isArray(value)) {
    if (level > METADATA_LIMITS.depth) {
      walk.problem = `must nest at most ${METADATA_LIMITS.depth} levels deep`;
      return;
    }
    // Brackets and commas: at least 1 + length (an empty array's 2 is counted as 1).
    walk.low += 1 + value.length;
    walk.high += 2 + value.length;
    for (let i = 0; i < value.length && walk.problem === null; i++) visit(value[i], level + 1, walk);
  } else if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      walk.problem = "must hold only JSON values";
      return;
    }
    if (level > METADATA_LIMITS.depth) {
      walk.problem = `must nest at most ${METADATA_LIMITS.depth} levels deep`;
      return;
    }
    walk.low += 1;
    walk.high += 2;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      text(walk, key.length);
      walk.low += 2;
      walk.high += 2;
      visit(record[key], level + 1, walk);
      if (walk.problem !== null) return;
    }
  } else if (typeof value === "string") text(walk, value.length);
  else if (typeof value === "number" || typeof value === "boolean") {
    walk.low += 1;
    walk.high += 24; // the longest a JSON number (or `false`) is written
  } else if (value === null) {
    walk.low += 4;
    walk.high += 4;
  } else if (value !== undefined) walk.problem = "must hold only JSON values";
  if (walk.problem === null && walk.low > METADATA_LIMITS.bytes) walk.problem = TOO_LARGE;
}
