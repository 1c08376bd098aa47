/**
 * @module engines/tauri/answers — the Tauri route's answers remembered per store: an answer is a
 * pure function of the package's and the account's revisions, the caller's scopes and the query
 * (the listed package revision for a caller who sees no drafts; a 204 whose reason looked at files
 * not yet uploaded also keeps the full revision it was worked out at, in `allRevision`),
 * so a repeat check costs two revision reads and a few map lookups instead of five store calls, a
 * body and its hash. Failures (404, 403, 400) are never remembered: they are worked out every time.
 */
import type { Package, Product, Release } from "../../model/records.js";

/** A remembered answer: an update (its body and ETag, and the release for the upgrade event) or a 204's reason. */
export type TauriAnswer =
  | { kind: "update"; body: string; etag: string; upgrade: Release }
  | { kind: "none"; reason: string; allRevision?: string };

/** A package segment resolved within one catalogue revision: the package and its product, or null when none. */
export type TauriPackage = { pkg: Package; product: Product | null } | null;

/** Most packages remembered per account, most answers per package, most entries per level; when full, a map is emptied and fills again. */
const LIMIT = 4096;

/**
 * Maps nested by each part of a question, so that a lookup hashes the parts themselves (record ids,
 * scope keys, the origin: the same string objects request after request, their hashes kept) instead
 * of a key text joined anew for every request.
 */
type Level = Map<string, Level | TauriAnswer>;

/** One package's answers at one pair of revisions. */
interface PackageAnswers {
  packageRevision: string;
  accountRevision: string;
  size: number;
  answers: Level;
}

/** The packages segments named in one account at one catalogue revision. */
interface AccountPackages {
  revision: string;
  bySegment: Map<string, TauriPackage>;
}

/** What is remembered for one store: by account id, then by segment or by package id. */
interface TauriMemo {
  packages: Map<string, AccountPackages>;
  answers: Map<string, Map<string, PackageAnswers>>;
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

/** The package a segment named in an account at a catalogue revision, if remembered (`undefined` when not). */
export function knownPackage(store: object, accountId: string, accountRevision: string, segment: string): TauriPackage | undefined {
  const known = memoOf(store).packages.get(accountId);
  return known === undefined || known.revision !== accountRevision ? undefined : known.bySegment.get(segment);
}

/** Remember the package a segment names in an account at a catalogue revision (those of older revisions are dropped). */
export function rememberPackage(store: object, accountId: string, accountRevision: string, segment: string, found: TauriPackage): TauriPackage {
  const packages = memoOf(store).packages;
  let known = packages.get(accountId);
  if (known === undefined || known.revision !== accountRevision) known = bounded(packages, accountId, { revision: accountRevision, bySegment: new Map() });
  return bounded(known.bySegment, segment, found);
}

/**
 * Where one question's answer is kept: a package at its revisions, then `path`, every other part of
 * the question in a fixed order (the caller's scope keys, who asks, where links point, the query).
 */
export interface AnswerSlot {
  store: object;
  accountId: string;
  packageId: string;
  packageRevision: string;
  accountRevision: string;
  path: readonly string[];
}

function packageAnswers(slot: AnswerSlot, create: boolean): PackageAnswers | undefined {
  const byAccount = memoOf(slot.store).answers;
  let byPackage = byAccount.get(slot.accountId);
  if (byPackage === undefined) {
    if (!create) return undefined;
    byPackage = bounded(byAccount, slot.accountId, new Map());
  }
  const entry = byPackage.get(slot.packageId);
  if (entry !== undefined && entry.packageRevision === slot.packageRevision && entry.accountRevision === slot.accountRevision && !(create && entry.size >= LIMIT)) return entry;
  if (!create) return undefined;
  return bounded(byPackage, slot.packageId, { packageRevision: slot.packageRevision, accountRevision: slot.accountRevision, size: 0, answers: new Map() });
}

/** The answer remembered in a slot, or undefined. */
export function knownAnswer(slot: AnswerSlot): TauriAnswer | undefined {
  let level: Level | TauriAnswer | undefined = packageAnswers(slot, false)?.answers;
  const path = slot.path;
  for (let i = 0; i < path.length && level !== undefined; i++) level = (level as Level).get(path[i] as string);
  return level as TauriAnswer | undefined;
}

/** Remember an answer in its slot (answers of older revisions of the package are dropped). */
export function rememberAnswer(slot: AnswerSlot, answer: TauriAnswer): TauriAnswer {
  const entry = packageAnswers(slot, true) as PackageAnswers;
  let level = entry.answers;
  const path = slot.path;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i] as string;
    let next = level.get(part) as Level | undefined;
    if (next === undefined) next = bounded<Level | TauriAnswer>(level, part, new Map()) as Level;
    level = next;
  }
  bounded(level, path[path.length - 1] as string, answer);
  entry.size++;
  return answer;
}
