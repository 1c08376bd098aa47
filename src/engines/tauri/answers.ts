/**
 * @module engines/tauri/answers — the Tauri route's answers remembered per store: an answer is a
 * pure function of the package's and the account's revisions, the caller's scopes and the query,
 * so a repeat check costs two revision reads and a few map lookups instead of five store calls, a
 * body and its hash. Failures (404, 403, 400) are never remembered: they are worked out every time.
 */
import type { Package, Product, Release } from "../../model/records.js";

/** A remembered answer: an update (its body and ETag, and the release for the upgrade event) or a 204's reason. */
export type TauriAnswer =
  | { kind: "update"; body: string; etag: string; upgrade: Release }
  | { kind: "none"; reason: string };

/** A package segment resolved within one catalogue revision: the package and its product, or null when none. */
export type TauriPackage = { pkg: Package; product: Product | null } | null;

/** Most packages remembered per store, and most answers per package; when full, a map is emptied and fills again. */
const LIMIT = 4096;

/**
 * One package's answers at one pair of revisions, by list scope key, then lookup scope key, then the
 * rest of the question (scope keys are strings kept on their scopes, so their hashes are computed once).
 */
interface PackageAnswers {
  packageRevision: string;
  accountRevision: string;
  size: number;
  byScope: Map<string, Map<string, Map<string, TauriAnswer>>>;
}

/** What is remembered for one store. */
interface TauriMemo {
  packages: Map<string, TauriPackage>;
  answers: Map<string, PackageAnswers>;
}

const byStore = new WeakMap<object, TauriMemo>();

/** The memo of a store (made on first use, dropped with the store). */
function memoOf(store: object): TauriMemo {
  let memo = byStore.get(store);
  if (memo === undefined) {
    memo = { packages: new Map(), answers: new Map() };
    byStore.set(store, memo);
  }
  return memo;
}

function bounded<T>(map: Map<string, T>, key: string, value: T): T {
  if (map.size >= LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** The package a segment named within a catalogue revision, if remembered (`undefined` when not). */
export function knownPackage(store: object, key: string): TauriPackage | undefined {
  return memoOf(store).packages.get(key);
}

/** Remember the package a segment names within a catalogue revision. */
export function rememberPackage(store: object, key: string, found: TauriPackage): TauriPackage {
  return bounded(memoOf(store).packages, key, found);
}

/** Where one question's answer is kept: a package at its revisions, the caller's two scope keys and the rest of the question. */
export interface AnswerSlot {
  store: object;
  packageKey: string;
  packageRevision: string;
  accountRevision: string;
  listScope: string;
  lookupScope: string;
  question: string;
}

function inner(slot: AnswerSlot, create: boolean): Map<string, TauriAnswer> | undefined {
  const answers = memoOf(slot.store).answers;
  let entry = answers.get(slot.packageKey);
  if (entry === undefined || entry.packageRevision !== slot.packageRevision || entry.accountRevision !== slot.accountRevision || (create && entry.size >= LIMIT)) {
    if (!create) return undefined;
    entry = { packageRevision: slot.packageRevision, accountRevision: slot.accountRevision, size: 0, byScope: new Map() };
    bounded(answers, slot.packageKey, entry);
  }
  let byLookup = entry.byScope.get(slot.listScope);
  if (byLookup === undefined) {
    if (!create) return undefined;
    byLookup = new Map();
    entry.byScope.set(slot.listScope, byLookup);
  }
  let byQuestion = byLookup.get(slot.lookupScope);
  if (byQuestion === undefined) {
    if (!create) return undefined;
    byQuestion = new Map();
    byLookup.set(slot.lookupScope, byQuestion);
  }
  if (create) entry.size++;
  return byQuestion;
}

/** The answer remembered in a slot, or undefined. */
export function knownAnswer(slot: AnswerSlot): TauriAnswer | undefined {
  return inner(slot, false)?.get(slot.question);
}

/** Remember an answer in its slot (answers of older revisions of the package are dropped). */
export function rememberAnswer(slot: AnswerSlot, answer: TauriAnswer): TauriAnswer {
  (inner(slot, true) as Map<string, TauriAnswer>).set(slot.question, answer);
  return answer;
}
