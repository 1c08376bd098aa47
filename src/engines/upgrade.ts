/**
 * @module engines/upgrade — the one upgrade resolver every engine shares.
 *
 * "The newest allowed release after this one" is a single {@link Store.findUpgrade} call: the
 * resolver turns the channel and the constraint into a query and the store filters and orders with
 * its indexes, so no engine ever loads every release of a package.
 */
import { ValidationError } from "../core/errors.js";
import { keyPrefix, splitTag, type Channel } from "../core/version.js";
import { CHANNEL_MATRIX, upgradeChannels } from "../core/channels.js";

export { CHANNEL_MATRIX, upgradeChannels };
import type { Release } from "../model/records.js";
import type { Scope } from "../access/scope.js";
import type { Store, UpgradeQuery, VersionRange } from "../store/types.js";

// semverse's shape without the operator: MAJOR[.MINOR][.PATCH][-PRE][+BUILD].
const CONSTRAINT_RE = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

function invalidConstraint(): ValidationError {
  return new ValidationError("invalid constraint format", { code: "CONSTRAINT_INVALID", source: { parameter: "constraint" } });
}

function toNumber(digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n + 1 > Number.MAX_SAFE_INTEGER) throw invalidConstraint();
  return n;
}

/**
 * Turn an upgrade constraint into a version range: `1` is 1.x.x, `1.2` is ≥1.2 <2,
 * `1.2.3` is ≥1.2.3 <1.3; `-pre` and `+build` pin Keygen's word and trailing number.
 * @throws {ValidationError} `400 CONSTRAINT_INVALID` for any operator or malformed text.
 */
export function parseConstraint(text: string): VersionRange {
  const m = CONSTRAINT_RE.exec(text);
  if (m === null) throw invalidConstraint();
  const major = toNumber(m[1] as string);
  const minor = m[2] === undefined ? undefined : toNumber(m[2]);
  const patch = m[3] === undefined ? undefined : toNumber(m[3]);
  let range: VersionRange;
  if (minor === undefined) range = { minKey: keyPrefix(major), maxKey: keyPrefix(major + 1) };
  else if (patch === undefined) range = { minKey: keyPrefix(major, minor), maxKey: keyPrefix(major + 1) };
  else range = { minKey: keyPrefix(major, minor, patch), maxKey: keyPrefix(major, minor + 1) };
  if (m[4] !== undefined) {
    const pre = splitTag(m[4]);
    if (pre.word !== null) range.preWord = pre.word;
    if (pre.num !== null) range.preNum = pre.num;
  }
  if (m[5] !== undefined) {
    const build = splitTag(m[5]);
    if (build.word !== null) range.buildWord = build.word;
    if (build.num !== null) range.buildNum = build.num;
  }
  return range;
}

/** What the resolver needs besides the store: whose releases, and what the caller may see. */
export interface UpgradeContext {
  store: Store;
  accountId: string;
  /** The caller's list scope (blocked licenses see nothing). */
  scope: Scope;
}

/** The question: the current release, and the caller's optional channel, constraint and package override. */
export interface UpgradeRequest {
  current: Release;
  /** Requested channel; the current release's channel when absent. */
  channel?: string;
  /** A range from {@link parseConstraint}. */
  range?: VersionRange;
  /** Candidates' package (null: package-less); the current release's package when undefined. */
  packageId?: string | null;
  /** When set, only releases with a visible, signed artifact for this platform and arch qualify. */
  artifact?: { platform: string; arch: string };
}

/** The store query an upgrade request becomes, or null when its channel allows no candidate. */
export function upgradeQuery(ctx: UpgradeContext, request: UpgradeRequest): UpgradeQuery | null {
  const channels = upgradeChannels(request.channel ?? request.current.channel);
  if (channels.length === 0) return null;
  const query: UpgradeQuery = {
    accountId: ctx.accountId,
    productId: request.current.productId,
    packageId: request.packageId === undefined ? request.current.packageId : request.packageId,
    afterKey: request.current.versionKey,
    channels,
    scope: ctx.scope,
  };
  if (request.range !== undefined) query.range = request.range;
  if (request.artifact !== undefined) query.artifact = request.artifact;
  return query;
}

/**
 * The newest PUBLISHED release the caller may see that is an upgrade of `current` by SemVer 2.0.0
 * precedence (build metadata never makes one), within channel, constraint and package; null when none.
 */
export async function resolveUpgrade(ctx: UpgradeContext, request: UpgradeRequest): Promise<Release | null> {
  const query = upgradeQuery(ctx, request);
  return query === null ? null : ctx.store.findUpgrade(query);
}
