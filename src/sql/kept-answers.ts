/**
 * @module sql/kept-answers — a SQL cache's answers by method and argument list, bounded: one map per
 * argument (record ids and slugs are the same string objects request after request, their hashes kept
 * by the engine) instead of a key text joined and hashed anew per lookup, and two generations instead
 * of an LRU list, so a hit is one map read per argument and moves nothing.
 */

/** Answers under one argument position: the next position's level, or the answer for the last. */
type Level<T> = Map<string, Level<T> | T>;

/** One method's answers: string argument lists by length, then nested by argument; any other list by its JSON text. */
interface MethodAnswers<T> {
  byLength: (Level<T> | undefined)[];
  byJson: Map<string, T> | undefined;
}

/** Whether every argument is a string (then the lists nest by argument). */
function allStrings(args: readonly unknown[]): args is readonly string[] {
  for (let i = 0; i < args.length; i++) if (typeof args[i] !== "string") return false;
  return true;
}

/** One generation of answers and how many it holds. */
class Generation<T> {
  readonly methods = new Map<string, MethodAnswers<T>>();
  size = 0;

  get(name: string, args: readonly unknown[]): T | undefined {
    const method = this.methods.get(name);
    if (method === undefined) return undefined;
    if (!allStrings(args)) return method.byJson?.get(JSON.stringify(args));
    let level: Level<T> | T | undefined = method.byLength[args.length];
    for (let i = 0; i < args.length && level !== undefined; i++) level = (level as Level<T>).get(args[i] as string);
    // An empty list's answer is kept under the empty string of its own level.
    return args.length === 0 ? (level as Level<T> | undefined)?.get("") as T | undefined : (level as T | undefined);
  }

  /** Keep `value` (replacing what the list had); returns whether the list is new here. */
  set(name: string, args: readonly unknown[], value: T): boolean {
    let method = this.methods.get(name);
    if (method === undefined) {
      method = { byLength: [], byJson: undefined };
      this.methods.set(name, method);
    }
    let level: Level<T>;
    let last: string;
    if (!allStrings(args)) {
      level = method.byJson ??= new Map();
      last = JSON.stringify(args);
    } else {
      level = method.byLength[args.length] ??= new Map();
      for (let i = 0; i < args.length - 1; i++) {
        const arg = args[i] as string;
        let next = level.get(arg) as Level<T> | undefined;
        if (next === undefined) {
          next = new Map();
          level.set(arg, next);
        }
        level = next;
      }
      last = args.length === 0 ? "" : (args[args.length - 1] as string);
    }
    const added = !level.has(last);
    level.set(last, value);
    if (added) this.size++;
    return added;
  }

  /** Forget the list's answer if it is `value`. */
  delete(name: string, args: readonly unknown[], value: T): void {
    const method = this.methods.get(name);
    if (method === undefined) return;
    let level: Level<T> | undefined;
    let last: string;
    if (!allStrings(args)) {
      level = method.byJson;
      last = JSON.stringify(args);
    } else {
      level = method.byLength[args.length];
      for (let i = 0; i < args.length - 1 && level !== undefined; i++) level = level.get(args[i] as string) as Level<T> | undefined;
      last = args.length === 0 ? "" : (args[args.length - 1] as string);
    }
    if (level !== undefined && level.get(last) === value) {
      level.delete(last);
      this.size--;
    }
  }
}

/**
 * Answers kept by method name and argument list, at most about `limit` of them: new answers go to the
 * young generation; when it holds half the limit it becomes the old one (the previous old is dropped);
 * a hit in the old generation is copied to the young, so answers in use survive.
 */
export class KeptAnswers<T> {
  private young = new Generation<T>();
  private old = new Generation<T>();

  /** @param limit most answers kept in both generations together */
  constructor(private readonly limit: number) {}

  /** The answer kept for `name(...args)`, or undefined. */
  get(name: string, args: readonly unknown[]): T | undefined {
    const young = this.young.get(name, args);
    if (young !== undefined) return young;
    const old = this.old.get(name, args);
    if (old !== undefined) this.set(name, args, old);
    return old;
  }

  /** Whether an answer is kept for `name(...args)`. */
  has(name: string, args: readonly unknown[]): boolean {
    return this.young.get(name, args) !== undefined || this.old.get(name, args) !== undefined;
  }

  /** Keep `value` for `name(...args)`. */
  set(name: string, args: readonly unknown[], value: T): void {
    if (this.young.set(name, args, value) && this.young.size >= Math.max(1, this.limit >> 1)) {
      this.old = this.young;
      this.young = new Generation<T>();
    }
  }

  /** Forget the answer for `name(...args)` if it is `value` (a later answer for the same list stays). */
  delete(name: string, args: readonly unknown[], value: T): void {
    this.young.delete(name, args, value);
    this.old.delete(name, args, value);
  }

  /** How many answers are kept (a list in both generations counts twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
