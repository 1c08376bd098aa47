/**
 * @module store/sync-reads — a store whose reads are answered in process (the memory store) as
 * plain functions, with the promise-returning `Store` made from them; `wrapStore` finds the plain
 * function behind each such method and calls it directly: one settled promise per call, no deadline
 * (a call that has returned cannot hang), instead of the deadline list's three promises and two closures.
 * A store that caches answers (sql/cache) marks a kept-answer lookup on each read instead: the kept
 * answer when it holds one now, else nothing (the method is called); and a store may say when its
 * credential records may have changed ({@link CredentialsVersion}), so that authentications are remembered between changes.
 */
import type { Store } from "./types.js";

/** A store's methods as plain functions: the same names and arguments, each returning its value. */
export type SyncReads<S> = { [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : S[K] };

type Plain = (...args: unknown[]) => unknown;

/** The plain function behind each method {@link storeOfSyncReads} made (a method replaced later is not found). */
const plainOf = new WeakMap<object, Plain>();

/** An answer a store holds in process: the value, and the settled promise its method answers it with. */
export interface KeptAnswer {
  /** The promise the method returns for it (already fulfilled with {@link KeptAnswer.value}). */
  readonly promise: Promise<unknown>;
  /** The answer. */
  readonly value: unknown;
}

/** A method's kept-answer lookup: the answer when the store holds it in process now, else undefined (then call the method). */
export type KeptLookup = (...args: unknown[]) => KeptAnswer | undefined;

/** The kept-answer lookup behind each method that registered one ({@link markKeptAnswers}). */
const keptOf = new WeakMap<object, KeptLookup>();

/** Register `lookup` as the kept-answer path of `method` (a store that caches answers, e.g. sql/cache). */
export function markKeptAnswers(method: (...args: never[]) => unknown, lookup: KeptLookup): void {
  keptOf.set(method, lookup);
}

/** The kept-answer lookup of a store method, when it has one. */
export function keptLookupOf(method: unknown): KeptLookup | undefined {
  return typeof method === "function" ? keptOf.get(method) : undefined;
}

/** What a kept read ({@link KeptReads}) returns when the store does not hold the answer in process. */
export const NOT_KEPT: unique symbol = Symbol("not kept");

/** A store's methods as kept reads: the same names and arguments, each returning its value or {@link NOT_KEPT}. */
export type KeptReads<S> = { [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | typeof NOT_KEPT : S[K] };

/** The plain function a store method calls, when {@link storeOfSyncReads} made that method. */
export function plainFunctionOf(method: unknown): Plain | undefined {
  return typeof method === "function" ? plainOf.get(method) : undefined;
}

/** A `Store` whose every method calls its plain function as an `async` function would: a throw becomes a rejection. */
export function storeOfSyncReads(reads: SyncReads<Store>, options: SyncReadsOptions = {}): Store {
  const store: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(reads as unknown as Record<string, Plain>)) {
    const method = (...args: unknown[]): Promise<unknown> => {
      try {
        return Promise.resolve(fn(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    plainOf.set(method, fn);
    store[name] = method;
  }
  if (options.fixedCredentials === true) credentialsVersions.set(store, FIXED);
  return store as unknown as Store;
}

/** Options of {@link storeOfSyncReads}. */
export interface SyncReadsOptions {
  /** The credential reads ({@link CREDENTIAL_READS}) answer the same records for the store's life (no write changes a license, policy or user). */
  fixedCredentials?: boolean;
}

/** The reads license key authentication makes; a store may declare their answers fixed, or say when they may have changed. */
export const CREDENTIAL_READS = ["getLicenseByKey", "getPolicy", "getUser"] as const;

/**
 * A number that moves whenever a store's {@link CREDENTIAL_READS} may answer differently (a write, a
 * change seen in the database), or undefined when the store cannot tell now: an authentication made
 * while it read N may be remembered while it still reads N (its expiry still decided per request).
 */
export type CredentialsVersion = () => number | undefined;

/** Stores that say when their credential records may have changed. */
const credentialsVersions = new WeakMap<object, CredentialsVersion>();
/** The version of a store whose credential records never change. */
const FIXED: CredentialsVersion = () => 0;

/** Declare how `store` tells that its credential records may have changed (e.g. sql/cache: its drops). */
export function markCredentialsVersion(store: object, version: CredentialsVersion): void {
  credentialsVersions.set(store, version);
}

/** How `store` tells that its credential records may have changed; undefined when it never tells (then nothing is remembered). */
export function credentialsVersionOf(store: object): CredentialsVersion | undefined {
  return credentialsVersions.get(store);
}

/** Let `wrapped` inherit `store`'s credentials version when its credential reads call `store`'s own reads, plain or kept (a replaced method makes the reads unknown again). */
export function inheritCredentialsVersion(store: object, wrapped: object, ownNames: ReadonlySet<string>): void {
  const version = credentialsVersions.get(store);
  if (version !== undefined && CREDENTIAL_READS.every((name) => ownNames.has(name))) credentialsVersions.set(wrapped, version);
}
