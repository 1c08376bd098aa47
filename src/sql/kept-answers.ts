/**
 * @module sql/kept-answers — a SQL cache's answers by method and argument list, bounded: one map level
 * per argument part (record ids and slugs are the same string objects request after request, their
 * hashes kept by the engine; a scope is its memoized key, a query object its fields) instead of a key
 * text joined or JSON-encoded anew per lookup, and two generations instead of an LRU list, so a hit
 * moves nothing.
 */
import type { Scope } from "../access/scope.js";
import { scopeKey } from "../access/scope-key.js";

/** Answers under one part: the next part's level, or under {@link END} the answer of the list that ends here. */
type Level<T> = Map<string, Level<T> | T>;

/** The key an answer is kept under in the level of its last part. Parts that are not plain strings all start with NUL, and none with NUL and a dot. */
const END = "\u0000.";
const OPEN = "\u0000{";
const CLOSE = "\u0000}";

/** The parts of the argument list being looked up (lookups are synchronous, so one list serves them all). */
const parts: string[] = [];

function isScope(value: object): value is Scope {
  const v = value as Partial<Scope>;
  return typeof v.all === "boolean" && Array.isArray(v.grants) && Array.isArray(v.products) && Array.isArray(v.licensedProducts);
}

/**
 * Write the parts of `value` from `parts[n]` on; returns the next free index. A string is itself (one
 * starting with NUL escaped); a scope its key; a plain object its field names and values between two
 * brackets; anything else its JSON text. Each part is one level, so no two lists share a path.
 */
function partsOf(value: unknown, n: number): number {
  if (typeof value === "string") {
    parts[n] = value.charCodeAt(0) === 0 ? `\u0000"${JSON.stringify(value)}` : value;
    return n + 1;
  }
  if (value === null) parts[n] = "\u0000n";
  else if (value === undefined) parts[n] = "\u0000u";
  else if (typeof value === "object" && !Array.isArray(value)) {
    if (isScope(value)) {
      parts[n] = `\u0000s${scopeKey(value)}`;
      return n + 1;
    }
    parts[n++] = OPEN;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      n = partsOf(key, n);
      n = partsOf((value as Record<string, unknown>)[key], n);
    }
    parts[n] = CLOSE;
  } else parts[n] = `\u0000j${JSON.stringify(value)}`;
  return n + 1;
}

/** Fill `parts` with the method's name and its arguments' parts; returns how many. */
function encode(name: string, args: readonly unknown[]): number {
  parts[0] = name;
  let n = 1;
  for (let i = 0; i < args.length; i++) n = partsOf(args[i], n);
  return n;
}

/** One generation of answers and how many it holds. */
class Generation<T> {
  private readonly root: Level<T> = new Map();
  size = 0;

  /** The level of the encoded list's last part, made when `create`, else undefined when there is none. */
  private levelOf(count: number, create: boolean): Level<T> | undefined {
    let level = this.root;
    for (let i = 0; i < count; i++) {
      const part = parts[i] as string;
      let next = level.get(part) as Level<T> | undefined;
      if (next === undefined) {
        if (!create) return undefined;
        next = new Map();
        level.set(part, next);
      }
      level = next;
    }
    return level;
  }

  get(name: string, args: readonly unknown[]): T | undefined {
    return this.levelOf(encode(name, args), false)?.get(END) as T | undefined;
  }

  /** Keep `value` (replacing what the list had); returns whether the list is new here. */
  set(name: string, args: readonly unknown[], value: T): boolean {
    const level = this.levelOf(encode(name, args), true) as Level<T>;
    const added = !level.has(END);
    level.set(END, value);
    if (added) this.size++;
    return added;
  }

  /** Forget the list's answer if it is `value`. */
  delete(name: string, args: readonly unknown[], value: T): void {
    const level = this.levelOf(encode(name, args), false);
    if (level !== undefined && level.get(END) === value) {
      level.delete(END);
      this.size--;
    }
  }
}

/**
 * Answers kept by method name and argument list: at least the `limit` most recently used, at most twice
 * as many. New answers go to the young generation; when it holds `limit` it becomes the old one (the
 * previous old is dropped); a hit in the old generation is copied to the young, so an answer used again
 * before `limit` others were kept survives (a generation of only half the limit would lose every
 * answer of a round robin over more than half the limit).
 */
export class KeptAnswers<T> {
  private young = new Generation<T>();
  private old = new Generation<T>();

  /** @param limit answers each generation holds before it turns old */
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
    if (this.young.set(name, args, value) && this.young.size >= Math.max(1, this.limit)) {
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
