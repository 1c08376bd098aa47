/**
 * @module dataset/ids — every id a dataset load claims, in one open-addressing hash table over claim
 * numbers, and the load's releases and artifacts by id handed on to the memory store, so that
 * neither the uniqueness check nor the store inserts 100,000s of ids into a `Map`.
 */

/** What a claim's record is, for the lookups by id the store reuses (other claims are of kind OTHER). */
export const ID_KIND = { OTHER: 0, RELEASE: 1, ARTIFACT: 2 } as const;

/** A 32-bit FNV-1a hash of a string started from `seed`, its bits mixed so that the low ones index a table. */
export function hashText(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

const hashId = (id: string) => hashText(id, 0);

/** Ids by claim number: each id's first claim is found through a hash table; later claims of it are only counted. */
export class IdTable {
  /** Pairs (hash, claim number + 1); a zero second word is an empty cell. */
  private cells = new Int32Array(2 * 1024);
  private mask = 1023;
  private used = 0;
  /** Per claim number: the id, its record's kind, the record, and its position in its kind's list. */
  readonly idAt: string[] = [];
  readonly kindAt: number[] = [];
  readonly recordAt: unknown[] = [];
  readonly positionAt: number[] = [];

  /** How many claims there are (the next claim's number). */
  get count(): number {
    return this.idAt.length;
  }

  /** The number of the first claim of `id`, or -1. */
  find(id: string): number {
    const cells = this.cells;
    const mask = this.mask;
    const h = hashId(id);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const n = (cells[i * 2 + 1] as number) - 1;
      if (n < 0) return -1;
      if (cells[i * 2] === h && this.idAt[n] === id) return n;
    }
  }

  /** Claim `id` as the next claim number; the number of its earlier first claim, or -1 when it is new. */
  claim(id: string): number {
    const n = this.idAt.length;
    this.idAt.push(id);
    this.kindAt.push(ID_KIND.OTHER);
    this.recordAt.push(undefined);
    this.positionAt.push(-1);
    const h = hashId(id);
    const cells = this.cells;
    const mask = this.mask;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const prior = (cells[i * 2 + 1] as number) - 1;
      if (prior < 0) break;
      if (cells[i * 2] === h && this.idAt[prior] === id) return prior;
    }
    cells[i * 2] = h;
    cells[i * 2 + 1] = n + 1;
    if (++this.used * 2 > mask) this.grow();
    return -1;
  }

  /** Note the record of claim `n`: its kind and its position in that kind's list of the dataset. */
  bind(n: number, kind: number, record: unknown, position: number): void {
    this.kindAt[n] = kind;
    this.recordAt[n] = record;
    this.positionAt[n] = position;
  }

  /** The position of the record of `kind` with this id, or -1. */
  positionOf(id: string, kind: number): number {
    const n = this.find(id);
    return n >= 0 && this.kindAt[n] === kind ? (this.positionAt[n] as number) : -1;
  }

  private grow(): void {
    const old = this.cells;
    const size = (this.mask + 1) * 2;
    const cells = new Int32Array(size * 2);
    const mask = size - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = (old[j] as number) & mask;
      while (cells[i * 2 + 1] !== 0) i = (i + 1) & mask;
      cells[i * 2] = old[j] as number;
      cells[i * 2 + 1] = old[j + 1] as number;
    }
    this.cells = cells;
    this.mask = mask;
  }
}

/** A lookup by id of the records of one list: the position of the record with an id, or -1. */
export type PositionById = (id: string) => number;

/** The tables of the lists a load yielded, by list (a list changed since is no longer found: see {@link positionsById}). */
const loaded = new WeakMap<readonly object[], { table: IdTable; kind: number; claims: readonly number[] }>();

/** Remember that `list` (a loaded dataset's releases or artifacts) holds, at position k, the record of claim `claims[k]`. */
export function rememberIds(list: readonly object[], table: IdTable, kind: number, claims: readonly number[]): void {
  loaded.set(list, { table, kind, claims });
}

/**
 * The lookup by id a load built for `list`, when `list` still holds exactly the records it yielded
 * (checked record by record: one pass of pointer comparisons); undefined otherwise.
 */
export function positionsById(list: readonly { id: string }[]): PositionById | undefined {
  const entry = loaded.get(list);
  if (entry === undefined) return undefined;
  const { table, kind, claims } = entry;
  if (claims.length !== list.length) return undefined;
  for (let k = 0; k < list.length; k++) {
    const n = claims[k] as number;
    const rec = list[k] as { id: string };
    if (table.recordAt[n] !== rec || table.idAt[n] !== rec.id || table.positionAt[n] !== k || table.kindAt[n] !== kind) return undefined;
  }
  return (id) => table.positionOf(id, kind);
}
