/**
 * @module store/memory-index — compact lookup structures of the memory store: typed arrays the
 * store owns, so that a query at 100,000 releases touches a few contiguous blocks instead of a
 * string or record scattered across the heap per step.
 */

/** Characters packed per number: 6 × 8 bits stay within a double's 53 exact bits. */
const CHARS_PER_WORD = 6;
/** Ranks per entry of KeyRanks' first level. */
const BLOCK = 16;

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
  /** The packed head of every BLOCK-th rank: a small, hot first level over `heads`. */
  private readonly top: Float64Array;
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
    const blocks = heads === null ? 0 : Math.ceil(sortedDistinctKeys.length / BLOCK);
    this.top = new Float64Array(blocks * 2);
    for (let b = 0; b < blocks && heads !== null; b++) {
      this.top[b * 2] = heads[b * BLOCK * 2] as number;
      this.top[b * 2 + 1] = heads[b * BLOCK * 2 + 1] as number;
    }
  }

  /** How many distinct keys there are (one past the highest rank). */
  get size(): number {
    return this.keys.length;
  }

  /** The first rank whose key is at or above `key` (`strict`: above); `size` when none. */
  search(key: string, strict: boolean): number {
    const heads = this.heads;
    let lo = 0;
    let hi = this.keys.length;
    if (heads !== null && packInto(key, this.probe, 0)) {
      const ph = this.probe[0] as number;
      const pl = this.probe[1] as number;
      // Narrow to the keys whose packed head equals the bound's: below them every key is smaller,
      // above them every key is larger. First the block, then the rank within it.
      const top = this.top;
      let a = 0;
      let b = top.length >>> 1;
      while (a < b) {
        const mid = (a + b) >>> 1;
        const h = top[mid * 2] as number;
        if (h < ph || (h === ph && (top[mid * 2 + 1] as number) < pl)) a = mid + 1;
        else b = mid;
      }
      // Block a starts at or above the bound, so the first rank at or above it is in block a - 1 or starts block a.
      let r = a === 0 ? 0 : (a - 1) * BLOCK;
      const end = Math.min(a * BLOCK, hi);
      while (r < end && ((heads[r * 2] as number) < ph || ((heads[r * 2] as number) === ph && (heads[r * 2 + 1] as number) < pl))) r++;
      lo = r;
      // The equal heads end within a few ranks, else a binary search finds where.
      const cap = Math.min(hi, r + BLOCK);
      while (r < cap && heads[r * 2] === ph && heads[r * 2 + 1] === pl) r++;
      if (r === cap && r < hi) {
        let e = hi;
        while (r < e) {
          const mid = (r + e) >>> 1;
          if (heads[mid * 2] === ph && heads[mid * 2 + 1] === pl) r = mid + 1;
          else e = mid;
        }
      }
      hi = r;
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

/**
 * First pair of a candidate list whose rank is below `maxRank` (its index × 2): a guess from the
 * ranks at both ends (ranks spread evenly in most lists), then a galloping search from the guess, so
 * a lookup reads a cache line or two where a plain binary search reads one per halving.
 */
export function firstBelow(list: Int32Array, maxRank: number): number {
  const n = list.length >>> 1;
  const bound = maxRank * 2;
  if (n === 0 || (list[0] as number) < bound) return 0;
  if ((list[(n - 1) * 2] as number) >= bound) return n * 2;
  // Now the answer j has v(j - 1) >= bound > v(j), 0 < j < n.
  const first = (list[0] as number) >> 1;
  const last = (list[(n - 1) * 2] as number) >> 1;
  const guess = Math.min(n - 1, Math.max(0, Math.floor(((first - maxRank) / (first - last)) * (n - 1))));
  let a: number;
  let b: number;
  let step = 1;
  if ((list[guess * 2] as number) >= bound) {
    a = guess;
    b = Math.min(n - 1, a + 1);
    while (b < n - 1 && (list[b * 2] as number) >= bound) {
      a = b;
      step *= 2;
      b = Math.min(n - 1, a + step);
    }
  } else {
    b = guess;
    a = Math.max(0, b - 1);
    while (a > 0 && (list[a * 2] as number) < bound) {
      b = a;
      step *= 2;
      a = Math.max(0, b - step);
    }
  }
  // v(a) >= bound > v(b).
  while (b - a > 1) {
    const mid = (a + b) >>> 1;
    if ((list[mid * 2] as number) >= bound) a = mid;
    else b = mid;
  }
  return b * 2;
}

/** Append `value` to the list under `key`, making the list on first use. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A two-level map for keys unique within a group (a product's code within its account): a lookup by a
 * record's id and a requested name joins no key text, so it hashes only the name, not a new string.
 */
export class PairMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  /** Set the value under (group, key); a later one replaces it. */
  set(group: string, key: string, value: V): void {
    let inner = this.outer.get(group);
    if (inner === undefined) this.outer.set(group, (inner = new Map()));
    inner.set(key, value);
  }

  /** The value under (group, key), or undefined. */
  get(group: string, key: string): V | undefined {
    return this.outer.get(group)?.get(key);
  }
}

/**
 * A two-level index whose inner keys are strings the records already hold (a version, a file name),
 * so that 100,000s of entries cost no composite key strings, and one value is stored bare instead of
 * in a one-element list. `V` must not be an array.
 */
export class NestedIndex<V extends object> {
  private readonly outer = new Map<string, Map<string, V | V[]>>();
  private lastGroup: string | undefined = undefined;
  private lastInner: Map<string, V | V[]> | undefined = undefined;

  add(group: string, key: string, value: V): void {
    let inner = group === this.lastGroup ? this.lastInner : this.outer.get(group);
    if (inner === undefined) this.outer.set(group, (inner = new Map()));
    this.lastGroup = group;
    this.lastInner = inner;
    const prior = inner.get(key);
    if (prior === undefined) inner.set(key, value);
    else if (Array.isArray(prior)) prior.push(value);
    else inner.set(key, [prior, value]);
  }

  /** Every value under (group, key), in insertion order, or after `sortAll`. */
  get(group: string, key: string): readonly V[] {
    const found = this.outer.get(group)?.get(key);
    return found === undefined ? [] : Array.isArray(found) ? found : [found];
  }

  sortAll(compare: (a: V, b: V) => number): void {
    for (const inner of this.outer.values()) for (const v of inner.values()) if (Array.isArray(v)) v.sort(compare);
  }
}
