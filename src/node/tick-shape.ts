/**
 * @module node/tick-shape — keep one `process.nextTick` entry alive, so that V8 keeps the shapes node builds every entry with.
 */
import { executionAsyncResource } from "node:async_hooks";

/** The entry held, once its callback has run; `null` until then, or where the runtime gives none. */
let kept: object | null = null;
let asked = false;

/**
 * Hold one of node's `process.nextTick` entries for the life of the process (idempotent). Node builds
 * each entry as an object literal with symbol keys, and V8 keeps, for each of its property definitions,
 * the one shape it met there first, holding that shape weakly: a full collection that finds no entry
 * alive (a server idle between requests, V8's memory reducer, `serve`'s start-up collection) frees the
 * shapes, the next entry is built with new ones, and each of those definitions turns generic for the rest
 * of the process, a runtime call per property per tick (node makes about ten ticks per HTTP request).
 * One live entry keeps the shapes, and the definitions stay fast.
 */
export function keepTickShape(): void {
  if (asked) return;
  asked = true;
  process.nextTick(() => {
    const entry = executionAsyncResource();
    if (typeof entry === "object" && entry !== null) kept = entry;
  });
}

/** The `process.nextTick` entry {@link keepTickShape} holds, or null before its tick has run. */
export function keptTickEntry(): object | null {
  return kept;
}
