/**
 * @module store/memory-index — compact lookup structures of the memory store: typed arrays the
 * store owns, so that a query at 100,000 releases touches a few contiguous blocks instead of a
 * string or record scattered across the heap per step.
 */

/** Characters packed per number: 6 × 8 bits stay within a double's 53 exact bits. */
const CHARS_PER_WORD = 6;

/** Write the first 12 characters of `s` as two numbers (zero-padded) at `out[at]`; false when one is above U+00FF. */
function packInto(s: string, out: Float64Array, at: number): boolean {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < CHARS_PER_WORD * 2; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0;
    if (c > 255) return false;
    if (i < CHARS_PER_WORD) hi = hi * 256 + c;
    else lo = lo * 256 + c;
  }
  out[at] = hi;
  out[at + 1] = lo;
  return true;
}

/**
 * The distinct precedence keys of a store, ascending, and each key's rank (its index). A bound
 * becomes a rank by a binary search over the keys' first 12 characters packed as numbers (order
 * preserving: `s < t` implies `pack(s) <= pack(t)`); only keys whose packed head equals the bound's
 * are compared as strings.
 */
export class KeyRanks {
  /** Distinct keys ascending. */
  readonly keys: readonly string[];
  /** Per rank, its key's packed head (two numbers); null when a key has a character above U+00FF. */
  private readonly heads: Float64Array | null;
  private readonly probe = new Float64Array(2);

  constructor(sortedDistinctKeys: readonly string[]) {
    this.keys = sortedDistinctKeys;
    let heads: Float64Array | null = new Float64Array(sortedDistinctKeys.length * 2);
    for (let i = 0; i < sortedDistinctKeys.length; i++) {
      if (!packInto(sortedDistinctKeys[i] as string, heads, i * 2)) {
        heads = null;
        break;
      }
    }
    this.heads = heads;
  }

  /** How many distinct keys there are (one past the highest rank). */
  get size(): number {
    return this.keys.length;
  }

  /** The first rank whose key is at or above `key` (`strict`: above); `size` when none. */
  search(key: string, strict: boolean): number {
    const heads = this.heads;
    const probe = this.probe;
    let lo = 0;
    let hi = this.keys.length;
    if (heads !== null && packInto(key, probe, 0)) {
      const ph = probe[0] as number;
      const pl = probe[1] as number;
      // Narrow to the keys whose packed head equals the bound's: below them every key is smaller,
      // above them every key is larger.
      let a = 0;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        const h = heads[mid * 2] as number;
        if (h < ph || (h === ph && (heads[mid * 2 + 1] as number) < pl)) a = mid + 1;
        else b = mid;
      }
      lo = a;
      b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        const h = heads[mid * 2] as number;
        if (h < ph || (h === ph && (heads[mid * 2 + 1] as number) <= pl)) a = mid + 1;
        else b = mid;
      }
      hi = a;
    }
    const keys = this.keys;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] as string;
      if (k < key || (strict && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A 32-bit FNV-1a hash of a string's UTF-16 code units, started from `seed`. */
export function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * An open-addressing hash table from a 32-bit hash to ordinals (linear probing), with the hash kept
 * next to each ordinal so that most misses are rejected without reading the record.
 */
export class HashSlots {
  private readonly cells: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.cells = new Int32Array(size * 2);
    this.mask = size - 1;
  }

  /** Record `ordinal` under `hash` (ordinals are ≥ 0). */
  add(hash: number, ordinal: number): void {
    const cells = this.cells;
    let i = hash & this.mask;
    while (cells[i * 2 + 1] !== 0) i = (i + 1) & this.mask;
    cells[i * 2] = hash;
    cells[i * 2 + 1] = ordinal + 1;
  }

  /** The next cell holding an entry under `hash`, after cell `after` in probe order (-1: from the start); -1 when none. */
  next(hash: number, after: number): number {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = after < 0 ? hash & mask : (after + 1) & mask; cells[i * 2 + 1] !== 0; i = (i + 1) & mask) {
      if (cells[i * 2] === hash) return i;
    }
    return -1;
  }

  /** The ordinal held in a cell that {@link next} returned. */
  ordinal(cell: number): number {
    return (this.cells[cell * 2 + 1] as number) - 1;
  }

  /** Make a cell that {@link next} returned hold another ordinal. */
  set(cell: number, ordinal: number): void {
    this.cells[cell * 2 + 1] = ordinal + 1;
  }
}
