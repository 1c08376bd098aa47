/**
 * @module dataset/problems — what a dataset load reports: problems by JSON path, and the ids claimed so far.
 */
import { hashString } from "../store/memory-index.js";

/** One problem of a dataset file: where (JSON path) and why. */
export type Problem = { path: string; message: string };

/**
 * Ids claimed so far and where. Claims are numbered in order; each run of claims (one section of one
 * account) records its path prefix, so a path is only spelled out when a problem names it. The ids
 * are kept in an open-addressing table of (hash, claim number) pairs over a typed array: at 500,000
 * records a `Map` of the id strings cost a third of the load in inserts and young-generation GC.
 */
export class IdClaims {
  /** Each id by claim number (only the first claim of an id is compared against). */
  private readonly ids: string[] = [];
  /** Pairs of (hash, claim number + 1); 0 marks an empty cell. */
  private cells: Int32Array;
  private mask: number;
  private filled = 0;
  private readonly runs: Array<{ start: number; prefix: string; indexed: boolean }> = [];
  private count = 0;

  /** `expected`: about how many ids will be claimed (the table grows past it). */
  constructor(expected = 0) {
    let size = 64;
    while (size < expected * 2) size *= 2;
    this.cells = new Int32Array(size * 2);
    this.mask = size - 1;
  }

  /** Start a run: its claims are at `prefix[0]`, `prefix[1]`, … (indexed) or at `prefix` itself. */
  begin(prefix: string, indexed: boolean): void {
    this.runs.push({ start: this.count, prefix, indexed });
  }

  /** Claim the next id of the current run, noting a problem when it is already taken. */
  claim(id: string, problems: Problem[]): void {
    const n = this.count++;
    this.ids.push(id);
    const hash = hashString(id, 0);
    const cells = this.cells;
    const mask = this.mask;
    let i = hash & mask;
    for (let held = cells[i * 2 + 1] as number; held !== 0; held = cells[i * 2 + 1] as number) {
      if (cells[i * 2] === hash && this.ids[held - 1] === id) {
        problems.push({ path: this.pathOf(n), message: `id ${id} is already used at ${this.pathOf(held - 1)}` });
        return;
      }
      i = (i + 1) & mask;
    }
    cells[i * 2] = hash;
    cells[i * 2 + 1] = n + 1;
    if (++this.filled * 2 > mask + 1) this.grow();
  }

  /** Double the table, re-placing every held claim by its kept hash. */
  private grow(): void {
    const old = this.cells;
    const size = (this.mask + 1) * 2;
    const cells = new Int32Array(size * 2);
    const mask = size - 1;
    for (let c = 0; c < old.length; c += 2) {
      if (old[c + 1] === 0) continue;
      let i = (old[c] as number) & mask;
      while (cells[i * 2 + 1] !== 0) i = (i + 1) & mask;
      cells[i * 2] = old[c] as number;
      cells[i * 2 + 1] = old[c + 1] as number;
    }
    this.cells = cells;
    this.mask = mask;
  }

  private pathOf(n: number): string {
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.runs[mid] as { start: number }).start <= n) lo = mid;
      else hi = mid - 1;
    }
    const run = this.runs[lo] as { start: number; prefix: string; indexed: boolean };
    return run.indexed ? `${run.prefix}[${n - run.start}]` : run.prefix;
  }
}

/** True when `path` is `parent` or lies under it (`a.b[0]` under `a.b`). */
export function within(path: string, parent: string): boolean {
  return path === parent || (path.startsWith(parent) && (path[parent.length] === "." || path[parent.length] === "["));
}

/** A zod issue's path as a problem's JSON path (`accounts[0].slug`; `(root)` for the file itself). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}
