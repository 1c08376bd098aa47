/**
 * @module dataset/problems — what a dataset load reports: problems by JSON path, and the ids claimed so far.
 */

/** One problem of a dataset file: where (JSON path) and why. */
export type Problem = { path: string; message: string };

/**
 * Ids claimed so far and where. Claims are numbered in order; each run of claims (one section of one
 * account) records its path prefix, so a path is only spelled out when a problem names it.
 */
export class IdClaims {
  private readonly seen = new Map<string, number>();
  private readonly runs: Array<{ start: number; prefix: string; indexed: boolean }> = [];
  private count = 0;

  /** Start a run: its claims are at `prefix[0]`, `prefix[1]`, … (indexed) or at `prefix` itself. */
  begin(prefix: string, indexed: boolean): void {
    this.runs.push({ start: this.count, prefix, indexed });
  }

  /** Claim the next id of the current run, noting a problem when it is already taken. */
  claim(id: string, problems: Problem[]): void {
    const n = this.count++;
    const prior = this.seen.get(id);
    if (prior !== undefined) problems.push({ path: this.pathOf(n), message: `id ${id} is already used at ${this.pathOf(prior)}` });
    else this.seen.set(id, n);
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
