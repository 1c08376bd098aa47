/**
 * @module core/nested-memo — values remembered under a list of string parts, one map per part: a
 * lookup hashes the parts themselves (record ids, scope keys, an origin: the same string objects
 * request after request, their hashes kept by the engine) instead of a key text joined anew each time.
 */

type Level<T> = Map<string, Level<T> | T>;

/** A bounded memo keyed by lists of strings (lists sharing a first part have one length); a full level is emptied and fills again. */
export class NestedMemo<T> {
  private root: Level<T> = new Map();

  /** @param limit most entries kept in any one level */
  constructor(private readonly limit: number) {}

  /** The value remembered under `parts`, or undefined. */
  get(parts: readonly string[]): T | undefined {
    let level: Level<T> | T | undefined = this.root;
    for (let i = 0; i < parts.length && level !== undefined; i++) level = (level as Level<T>).get(parts[i] as string);
    return level as T | undefined;
  }

  /** Remember `value` under `parts`; returns it. */
  set(parts: readonly string[], value: T): T {
    let level = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      let next = level.get(part) as Level<T> | undefined;
      if (next === undefined) {
        next = new Map();
        this.put(level, part, next);
      }
      level = next;
    }
    this.put(level, parts[parts.length - 1] as string, value);
    return value;
  }

  private put(level: Level<T>, key: string, value: Level<T> | T): void {
    if (level.size >= this.limit) level.clear();
    level.set(key, value);
  }
}
