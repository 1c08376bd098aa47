/**
 * @module store/memory — the indexed in-memory store: every query is a map lookup or a walk
 * down a list kept in precedence order, never a scan of a table.
 */
import { isUuid } from "../core/uuid.js";
import { parseStrict } from "../core/version.js";
import type { Dataset } from "../dataset/load.js";
import { CHANNEL_MATRIX } from "../core/channels.js";
import type {
  Account, Artifact, Engine, EngineKey, License, Package, Policy, Product, Release, Token, User,
} from "../model/records.js";
import { ReleaseFacts } from "./memory-facts.js";
import { HashSlots, KeyRanks, firstBelow, hashString } from "./memory-index.js";
import { contentRevision } from "./memory-revisions.js";
import { isArtifactVisible, isPackageVisible, isReleaseVisible, seesAllOf, type Scope } from "../access/scope.js";
import type { ArtifactWithRelease, PageQuery, RawArtifactQuery, Store, UpgradeQuery, VersionRange } from "./types.js";

/** Keygen's pre-release and build word/number split of a version, parsed when a constraint first needs it. */
interface VersionTags {
  preWord: string | null;
  preNum: number | null;
  buildWord: string | null;
  buildNum: number | null;
}

interface ReleaseInfo {
  release: Release;
  /** Position in the dataset's release list (indexes the store's per-release arrays). */
  ordinal: number;
  /** Artifacts newest first. */
  artifacts: Artifact[];
}

/**
 * Upgrade candidates of a slot for one channel, or one set of channels asked together, as pairs
 * `[rank × 2 + flag, ordinal]` in precedence order (newest first) in one typed array: a binary search
 * and a walk read one contiguous block instead of a release record per step. For a platform's list
 * the flag is 1 when one of the release's signed artifacts for it is UPLOADED.
 */
interface Candidates {
  /** PUBLISHED releases (the only upgrade candidates); flag 0. */
  published: Int32Array;
  /** PUBLISHED releases with a signed updater artifact, by platform, then arch. */
  targets: Map<string, Map<string, Int32Array>>;
}

/** Candidates under construction: plain arrays of the same pairs. */
interface CandidatesBuilder {
  published: number[];
  targets: Map<string, Map<string, number[]>>;
}

/** The releases of one product and package (or of no package). */
interface SlotIndex {
  /** Seeds the hash of a version in this slot. */
  id: number;
  /** The account of every release of the slot; null when they differ. */
  accountId: string | null;
  /** Every release, precedence desc. */
  all: ReleaseInfo[];
  /** Every release of a channel, precedence desc. */
  byChannel: Map<string, ReleaseInfo[]>;
  /** Upgrade candidates per channel. */
  channels: Map<string, Candidates>;
  /** Upgrade candidates per set of channels the resolver asks for together (a mask of CHANNEL_BITS). */
  sets: Map<number, Candidates>;
}

/** A bit per channel Keygen knows. */
const CHANNEL_BITS: Readonly<Record<string, number>> = Object.freeze({ stable: 1, rc: 2, beta: 4, alpha: 8, dev: 16 });
/** The channel sets of the upgrade matrix with more than one channel: each gets merged candidate lists. */
const MERGED_SETS: readonly number[] = Object.values(CHANNEL_MATRIX).filter((c) => c.length > 1).map((c) => maskOf(c));

/** The mask of a list of channels; -1 when one is not in CHANNEL_BITS. */
function maskOf(channels: readonly string[]): number {
  let mask = 0;
  for (const c of channels) {
    const bit = Object.prototype.hasOwnProperty.call(CHANNEL_BITS, c) ? (CHANNEL_BITS[c] as number) : 0;
    if (bit === 0) return -1;
    mask |= bit;
  }
  return mask;
}

/** Newest precedence first, then newest created, then id, so every store agrees on ties. */
function compareReleasesDesc(a: Release, b: Release): number {
  if (a.versionKey !== b.versionKey) return a.versionKey < b.versionKey ? 1 : -1;
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function compareCreatedDesc(a: { created: string; id: string }, b: { created: string; id: string }): number {
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Sort in place unless already in order (datasets usually are), so loading skips most comparator calls. */
function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    if (compare(list[i - 1] as T, list[i] as T) > 0) {
      list.sort(compare);
      return;
    }
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A two-level index whose inner keys are strings the records already hold (a version, a file name),
 * so that 100,000s of entries cost no composite key strings, and one value is stored bare instead of
 * in a one-element list. `V` must not be an array.
 */
class NestedIndex<V extends object> {
  private readonly outer = new Map<string, Map<string, V | V[]>>();
  private lastGroup: string | undefined = undefined;
  private lastInner: Map<string, V | V[]> | undefined = undefined;

  add(group: string, key: string, value: V): void {
    let inner = group === this.lastGroup ? this.lastInner : this.outer.get(group);
    if (inner === undefined) this.outer.set(group, (inner = new Map()));
    this.lastGroup = group;
    this.lastInner = inner;
    const prior = inner.get(key);
    if (prior === undefined) inner.set(key, value);
    else if (Array.isArray(prior)) prior.push(value);
    else inner.set(key, [prior, value]);
  }

  /** Every value under (group, key), in insertion order, or after `sortAll`. */
  get(group: string, key: string): readonly V[] {
    const found = this.outer.get(group)?.get(key);
    return found === undefined ? [] : Array.isArray(found) ? found : [found];
  }

  sortAll(compare: (a: V, b: V) => number): void {
    for (const inner of this.outer.values()) for (const v of inner.values()) if (Array.isArray(v)) v.sort(compare);
  }
}

function newCandidates(): CandidatesBuilder {
  return { published: [], targets: new Map() };
}

function finishCandidates(b: CandidatesBuilder): Candidates {
  const targets = new Map<string, Map<string, Int32Array>>();
  for (const [platform, byArch] of b.targets) {
    const out = new Map<string, Int32Array>();
    for (const [arch, list] of byArch) out.set(arch, Int32Array.from(list));
    targets.set(platform, out);
  }
  return { published: Int32Array.from(b.published), targets };
}

/** Append release `ordinal` (rank `rank`) to a builder's list for a platform and arch, or mark it UPLOADED there. */
function addTarget(b: CandidatesBuilder, platform: string, arch: string, rank: number, ordinal: number, uploaded: number): void {
  let byArch = b.targets.get(platform);
  if (byArch === undefined) b.targets.set(platform, (byArch = new Map()));
  const list = byArch.get(arch);
  if (list === undefined) byArch.set(arch, [rank * 2 + uploaded, ordinal]);
  else if (list[list.length - 1] === ordinal) list[list.length - 2] = (list[list.length - 2] as number) | uploaded;
  else list.push(rank * 2 + uploaded, ordinal);
}

/** An artifact the Tauri updater could install: signed, with platform, arch and a filetype that is not `sig`. */
function isSignedUpdate(a: Artifact): boolean {
  return a.platform !== null && a.arch !== null && a.signature !== null && a.signature !== "" && a.filetype !== null && a.filetype !== "sig";
}

function tagsOf(version: string): VersionTags {
  const parsed = parseStrict(version);
  return { preWord: parsed?.preWord ?? null, preNum: parsed?.preNum ?? null, buildWord: parsed?.buildWord ?? null, buildNum: parsed?.buildNum ?? null };
}

/** True when a range pins a pre-release or build word or number. */
const pinsTags = (range: VersionRange) =>
  range.preWord !== undefined || range.preNum !== undefined || range.buildWord !== undefined || range.buildNum !== undefined;

/** True when version tags carry the pre-release and build word/number a range pins. */
function tagsMatch(range: VersionRange, t: VersionTags): boolean {
  return (range.preWord === undefined || t.preWord === range.preWord) && (range.preNum === undefined || t.preNum === range.preNum) &&
    (range.buildWord === undefined || t.buildWord === range.buildWord) && (range.buildNum === undefined || t.buildNum === range.buildNum);
}

/** An in-memory {@link Store} over a loaded dataset (immutable once built). */
export function createMemoryStore(dataset: Dataset): Store {
  const accountsById = new Map<string, Account>();
  const accountsBySlug = new Map<string, Account>();
  for (const a of dataset.accounts) {
    accountsById.set(a.id, a);
    accountsBySlug.set(a.slug, a);
  }
  const productsById = new Map<string, Product>();
  const productsByCode = new Map<string, Product>();
  for (const p of dataset.products) {
    productsById.set(p.id, p);
    if (p.code !== null) productsByCode.set(`${p.accountId}|${p.code}`, p);
  }
  const packagesById = new Map<string, Package>();
  const packagesByKey = new Map<string, Package>();
  const packagesByEngine = new Map<string, Package[]>();
  for (const p of dataset.packages) {
    packagesById.set(p.id, p);
    packagesByKey.set(`${p.accountId}|${p.key}`, p);
    if (p.engine !== null) pushTo(packagesByEngine, `${p.accountId}|${p.engine}`, p);
  }
  for (const list of packagesByEngine.values()) list.sort(compareCreatedDesc);
  const enginesByAccount = new Map<string, Engine[]>();
  for (const e of dataset.engines) pushTo(enginesByAccount, e.accountId, e);
  for (const list of enginesByAccount.values()) list.sort((a, b) => -compareCreatedDesc(a, b));

  // Releases: one info each, by id; grouped by account, then by version or tag.
  const releaseAt = dataset.releases.slice();
  const infos = new Map<string, ReleaseInfo>();
  const byTerm = new NestedIndex<ReleaseInfo>();
  const ordered: ReleaseInfo[] = [];
  for (let i = 0; i < releaseAt.length; i++) {
    const r = releaseAt[i] as Release;
    const info: ReleaseInfo = { release: r, ordinal: i, artifacts: [] };
    infos.set(r.id, info);
    ordered.push(info);
    byTerm.add(r.accountId, r.version, info);
    if (r.tag !== null && r.tag !== r.version) byTerm.add(r.accountId, r.tag, info);
  }
  const byOldest = (a: ReleaseInfo, b: ReleaseInfo) => -compareCreatedDesc(a.release, b.release);
  byTerm.sortAll(byOldest);
  const facts = new ReleaseFacts(releaseAt);
  /** Version tags by dataset position, parsed when a constraint first pins one. */
  const tagsAt: (VersionTags | undefined)[] = [];

  // Slots (product, then package or null).
  const slots = new Map<string, Map<string | null, SlotIndex>>();
  let slotCount = 0;
  let lastProduct: string | undefined;
  let lastPackage: string | null | undefined;
  let lastSlot: SlotIndex | undefined;
  const slotAt = (r: Release): SlotIndex => {
    if (lastSlot !== undefined && r.productId === lastProduct && r.packageId === lastPackage) return lastSlot;
    let byPackage = slots.get(r.productId);
    if (byPackage === undefined) slots.set(r.productId, (byPackage = new Map()));
    let found = byPackage.get(r.packageId);
    if (found === undefined) {
      found = { id: Math.imul(++slotCount, 0x9e3779b1), accountId: r.accountId, all: [], byChannel: new Map(), channels: new Map(), sets: new Map() };
      byPackage.set(r.packageId, found);
    }
    lastProduct = r.productId;
    lastPackage = r.packageId;
    return (lastSlot = found);
  };

  // Releases by slot and exact version: a hash table of dataset positions (the last of equal versions wins).
  const versionSlots = new HashSlots(releaseAt.length);
  const sameSlotVersion = (a: Release, b: Release) => a.version === b.version && a.productId === b.productId && a.packageId === b.packageId;
  for (let i = 0; i < releaseAt.length; i++) {
    const r = releaseAt[i] as Release;
    const s = slotAt(r);
    if (s.accountId !== r.accountId) s.accountId = null;
    const h = hashString(r.version, s.id);
    let cell = versionSlots.next(h, -1);
    while (cell >= 0 && !sameSlotVersion(releaseAt[versionSlots.ordinal(cell)] as Release, r)) cell = versionSlots.next(h, cell);
    if (cell >= 0) versionSlots.set(cell, i);
    else versionSlots.add(h, i);
  }

  // Ranks: the distinct precedence keys ascending; a query's bounds become ranks once, and every
  // list walk compares integers.
  const byPrecedence = (a: ReleaseInfo, b: ReleaseInfo) => compareReleasesDesc(a.release, b.release);
  sortIfNeeded(ordered, byPrecedence);
  const sortedKeys: string[] = [];
  const rankAt = new Int32Array(releaseAt.length);
  for (let i = ordered.length - 1; i >= 0; i--) {
    const info = ordered[i] as ReleaseInfo;
    const k = info.release.versionKey;
    if (sortedKeys.length === 0 || sortedKeys[sortedKeys.length - 1] !== k) sortedKeys.push(k);
    rankAt[info.ordinal] = sortedKeys.length - 1;
  }
  const ranks = new KeyRanks(sortedKeys);

  const artifactsById = new Map<string, Artifact>();
  const artifactsByFilename = new NestedIndex<Artifact>();
  {
    let lastId: string | undefined;
    let lastInfo: ReleaseInfo | undefined;
    for (const a of dataset.artifacts) {
      artifactsById.set(a.id, a);
      if (a.releaseId !== lastId) {
        lastId = a.releaseId;
        lastInfo = infos.get(a.releaseId);
      }
      lastInfo?.artifacts.push(a);
      artifactsByFilename.add(a.accountId, a.filename, a);
    }
  }
  for (const info of ordered) if (info.artifacts.length > 1) sortIfNeeded(info.artifacts, compareCreatedDesc);

  // Per slot, in precedence order: every release, those of each channel, and the upgrade candidates
  // of each channel and of each merged channel set (a Tauri check walks only releases with a signed
  // artifact for its platform, however many releases lack one).
  {
    const builders = new Map<Candidates, CandidatesBuilder>();
    const candidatesOf = (map: Map<string, Candidates> | Map<number, Candidates>, key: string | number): CandidatesBuilder => {
      let c = (map as Map<string | number, Candidates>).get(key);
      if (c === undefined) {
        c = { published: new Int32Array(0), targets: new Map() };
        (map as Map<string | number, Candidates>).set(key, c);
        builders.set(c, newCandidates());
      }
      return builders.get(c) as CandidatesBuilder;
    };
    const into: CandidatesBuilder[] = [];
    for (const info of ordered) {
      const r = info.release;
      const s = slotAt(r);
      s.all.push(info);
      const inChannel = s.byChannel.get(r.channel);
      if (inChannel === undefined) s.byChannel.set(r.channel, [info]);
      else inChannel.push(info);
      if (r.status !== "PUBLISHED") continue;
      into.length = 0;
      into.push(candidatesOf(s.channels, r.channel));
      const bit = Object.prototype.hasOwnProperty.call(CHANNEL_BITS, r.channel) ? (CHANNEL_BITS[r.channel] as number) : 0;
      if (bit !== 0) for (const mask of MERGED_SETS) if ((mask & bit) !== 0) into.push(candidatesOf(s.sets, mask));
      const rank = rankAt[info.ordinal] as number;
      for (const b of into) b.published.push(rank * 2, info.ordinal);
      for (const a of info.artifacts) {
        if (!isSignedUpdate(a)) continue;
        const uploaded = a.status === "UPLOADED" ? 1 : 0;
        for (const b of into) addTarget(b, a.platform as string, a.arch as string, rank, info.ordinal, uploaded);
      }
    }
    for (const [c, b] of builders) Object.assign(c, finishCandidates(b));
  }
  const sortByReleaseThenCreated = (a: Artifact, b: Artifact) => {
    const ra = infos.get(a.releaseId)?.release;
    const rb = infos.get(b.releaseId)?.release;
    const byRelease = ra && rb ? compareReleasesDesc(ra, rb) : 0;
    return byRelease !== 0 ? byRelease : compareCreatedDesc(a, b);
  };
  artifactsByFilename.sortAll(sortByReleaseThenCreated);

  // The rank of the release getReleaseByVersion found last: the resolvers ask for upgrades above it next.
  let lastKey: string | null = null;
  let lastRank = 0;
  /** The first rank whose key is above `key`. */
  const rankAbove = (key: string) => (key === lastKey ? lastRank + 1 : ranks.search(key, true));
  const slotFor = (productId: string, packageId: string | null) => slots.get(productId)?.get(packageId);

  const licensesByKey = new Map<string, License>();
  const licensesById = new Map<string, License>();
  const licensesByUser = new Map<string, License[]>();
  for (const l of dataset.licenses) {
    licensesByKey.set(`${l.accountId}|${l.key}`, l);
    licensesById.set(l.id, l);
    const users = new Set([...(l.ownerId ? [l.ownerId] : []), ...l.userIds]);
    for (const u of users) pushTo(licensesByUser, u, l);
  }
  const policies = new Map<string, Policy>(dataset.policies.map((p) => [p.id, p]));
  const users = new Map<string, User>(dataset.users.map((u) => [u.id, u]));
  const tokens = new Map<string, Token>(dataset.tokens.map((t) => [`${t.accountId}|${t.digest}`, t]));

  const owned = <T extends { accountId: string }>(rec: T | undefined, accountId: string): T | null =>
    rec !== undefined && rec.accountId === accountId ? rec : null;
  const productOf = (id: string) => productsById.get(id) as Product;
  const releaseVisible = (scope: Scope, r: Release) => isReleaseVisible(scope, r, productOf(r.productId));
  const artifactVisible = (scope: Scope, a: Artifact, r: Release) => isArtifactVisible(scope, a, r, productOf(r.productId));

  const engineVisible = (scope: Scope, e: Engine) =>
    (packagesByEngine.get(`${e.accountId}|${e.key}`) ?? []).some((p) => isPackageVisible(scope, p, productOf(p.productId)));

  const visibleEngines = (accountId: string, scope: Scope) => (enginesByAccount.get(accountId) ?? []).filter((e) => engineVisible(scope, e));

  // Revisions from content (computed on first use; the store never changes): the package with its
  // product, releases and artifacts; the account's name with its products and packages.
  const packageRevisions = new Map<string, string>();
  const accountRevisions = new Map<string, string>();
  const packageRevisionOf = (packageId: string) => {
    const pkg = packagesById.get(packageId);
    if (pkg === undefined) return contentRevision(["package", packageId, null]);
    const account = accountsById.get(pkg.accountId);
    const releases = (slotFor(pkg.productId, pkg.id)?.all ?? []).map((info) => [info.release, info.artifacts]);
    return contentRevision(["package", pkg, account?.slug, account?.name, productsById.get(pkg.productId) ?? null, releases]);
  };
  const accountRevisionOf = (accountId: string) => {
    const account = accountsById.get(accountId);
    const products = dataset.products.filter((p) => p.accountId === accountId);
    const packages = dataset.packages.filter((p) => p.accountId === accountId);
    return contentRevision(["account", accountId, account?.slug ?? null, account?.name ?? null, products, packages]);
  };

  return {
    async getAccount(idOrSlug) {
      return accountsById.get(idOrSlug) ?? accountsBySlug.get(idOrSlug) ?? null;
    },
    async getProduct(accountId, idOrCode) {
      return owned(productsById.get(idOrCode), accountId) ?? productsByCode.get(`${accountId}|${idOrCode}`) ?? null;
    },
    async getProducts(accountId, ids) {
      return ids.map((id) => owned(productsById.get(id), accountId)).filter((p): p is Product => p !== null);
    },
    async getPackage(accountId, idOrKey, engine?: EngineKey) {
      const byId = isUuid(idOrKey) ? owned(packagesById.get(idOrKey), accountId) : null;
      const candidates = [byId, packagesByKey.get(`${accountId}|${idOrKey}`) ?? null].filter(
        (p): p is Package => p !== null && (engine === undefined || p.engine === engine),
      );
      candidates.sort((a, b) => -compareCreatedDesc(a, b));
      return candidates[0] ?? null;
    },
    async listPackages(accountId, engine, scope) {
      return (packagesByEngine.get(`${accountId}|${engine}`) ?? []).filter((p) => isPackageVisible(scope, p, productOf(p.productId)));
    },
    async listEngines(accountId, scope, page: PageQuery) {
      let list = visibleEngines(accountId, scope);
      if (page.order === "desc") list = list.slice().reverse();
      let start = page.offset ?? 0;
      if (page.after !== undefined) {
        const at = list.findIndex((e) => e.id === page.after);
        start = at < 0 ? list.length : at + 1;
      }
      return list.slice(start, start + page.limit);
    },
    async countEngines(accountId, scope) {
      return visibleEngines(accountId, scope).length;
    },
    async getEngine(accountId, idOrKey, scope) {
      const matches = (enginesByAccount.get(accountId) ?? []).filter(
        (e) => (e.key === idOrKey || (isUuid(idOrKey) && e.id === idOrKey)) && (scope.all || engineVisible(scope, e)),
      );
      return matches[0] ?? null;
    },
    async getRelease(accountId, id) {
      return owned(infos.get(id)?.release, accountId);
    },
    async getReleaseByVersion(accountId, productId, packageId, version, scope) {
      const s = slotFor(productId, packageId);
      if (s === undefined) return null;
      const h = hashString(version, s.id);
      for (let cell = versionSlots.next(h, -1); cell >= 0; cell = versionSlots.next(h, cell)) {
        const at = versionSlots.ordinal(cell);
        const r = releaseAt[at] as Release;
        if (r.version !== version || r.productId !== productId || r.packageId !== packageId) continue;
        lastKey = r.versionKey;
        lastRank = rankAt[at] as number;
        return r.accountId === accountId && facts.visible(scope, at, productId, productOf(productId)) ? r : null;
      }
      return null;
    },
    async findRelease(accountId, term, scope, where = {}) {
      const candidates: ReleaseInfo[] = [];
      if (isUuid(term)) {
        const byId = infos.get(term);
        if (byId) candidates.push(byId);
      }
      candidates.push(...byTerm.get(accountId, term));
      const ok = candidates
        .map((c) => c.release)
        .filter((r) => r.accountId === accountId &&
          (where.productId === undefined || r.productId === where.productId) &&
          (where.packageId === undefined || r.packageId === where.packageId) && releaseVisible(scope, r));
      ok.sort((a, b) => -compareCreatedDesc(a, b));
      return ok[0] ?? null;
    },
    async findUpgrade(q: UpgradeQuery) {
      const s = slotFor(q.productId, q.packageId);
      if (s === undefined || (s.accountId !== null && s.accountId !== q.accountId)) return null;
      const range = q.range;
      let lo = rankAbove(q.afterKey);
      let hi = ranks.size;
      if (range !== undefined) {
        hi = ranks.search(range.maxKey, false);
        // Every candidate is above afterKey, so a lower bound at or below it bounds nothing.
        if (range.minKey > q.afterKey) lo = Math.max(lo, ranks.search(range.minKey, false));
      }
      if (lo >= hi) return null;
      const tags = range !== undefined && pinsTags(range) ? range : undefined;
      const product = productOf(q.productId);
      // A release the scope sees has a visible artifact when the scope sees all of the product or the file is UPLOADED.
      const seesAll = q.artifact !== undefined && seesAllOf(q.scope, q.productId);
      const mixed = s.accountId === null;
      /** Whether the release at `at` is an answer, its rank and flag being in range. */
      const qualifies = (at: number, flag: number) => {
        if (mixed && (releaseAt[at] as Release).accountId !== q.accountId) return false;
        if (tags !== undefined && !tagsMatch(tags, (tagsAt[at] ??= tagsOf((releaseAt[at] as Release).version)))) return false;
        if (!facts.visible(q.scope, at, q.productId, product)) return false;
        return q.artifact === undefined || flag === 1 || seesAll;
      };
      const listOf = (c: Candidates | undefined) =>
        c === undefined ? undefined : q.artifact === undefined ? c.published : c.targets.get(q.artifact.platform)?.get(q.artifact.arch);

      const merged = s.sets.get(maskOf(q.channels));
      if (merged !== undefined) {
        // One list holds every channel asked for, in precedence order: its first qualifying release is the answer.
        const list = listOf(merged);
        if (list === undefined) return null;
        const floor = lo * 2;
        for (let i = firstBelow(list, hi); i < list.length && (list[i] as number) >= floor; i += 2) {
          const at = list[i + 1] as number;
          if (qualifies(at, (list[i] as number) & 1)) return releaseAt[at] as Release;
        }
        return null;
      }
      let best = -1;
      for (const channel of q.channels) {
        const list = listOf(s.channels.get(channel));
        if (list === undefined) continue;
        // Lists stay in precedence order, so the first candidate that passes every filter is the channel's answer.
        const floor = lo * 2;
        for (let i = firstBelow(list, hi); i < list.length && (list[i] as number) >= floor; i += 2) {
          const rank = (list[i] as number) >> 1;
          const at = list[i + 1] as number;
          if (best >= 0) {
            const bestRank = rankAt[best] as number;
            if (rank < bestRank || (rank === bestRank && compareReleasesDesc(releaseAt[at] as Release, releaseAt[best] as Release) >= 0)) break;
          }
          if (!qualifies(at, (list[i] as number) & 1)) continue;
          best = at;
          break;
        }
      }
      return best < 0 ? null : (releaseAt[best] as Release);
    },
    async getArtifact(accountId, id) {
      const artifact = owned(artifactsById.get(id), accountId);
      const release = artifact ? infos.get(artifact.releaseId)?.release : undefined;
      return artifact && release ? { artifact, release } : null;
    },
    async listReleaseArtifacts(accountId, releaseId, scope, filter = {}) {
      const info = infos.get(releaseId);
      if (!info || info.release.accountId !== accountId) return [];
      const r = info.release;
      // isArtifactVisible, with the release's visibility judged once.
      const seesAll = seesAllOf(scope, r.productId);
      let releaseVisible: boolean | undefined;
      const out: Artifact[] = [];
      for (const a of info.artifacts) {
        if ((filter.platform !== undefined && a.platform !== filter.platform) || (filter.arch !== undefined && a.arch !== filter.arch)) continue;
        if (!seesAll) {
          if (a.status !== "UPLOADED") continue;
          releaseVisible ??= facts.visible(scope, info.ordinal, r.productId, productOf(r.productId));
          if (!releaseVisible) continue;
        }
        out.push(a);
      }
      return out;
    },
    async listPackageArtifacts(accountId, packageId, scope) {
      const pkg = owned(packagesById.get(packageId), accountId);
      if (!pkg) return [];
      const out: ArtifactWithRelease[] = [];
      for (const info of slotFor(pkg.productId, pkg.id)?.all ?? []) {
        if (!releaseVisible(scope, info.release)) continue;
        for (const a of info.artifacts) if (artifactVisible(scope, a, info.release)) out.push({ artifact: a, release: info.release });
      }
      return out;
    },
    async findRawArtifact(q: RawArtifactQuery) {
      const inSlot = (r: Release) => r.accountId === q.accountId && r.productId === q.productId && r.packageId === q.packageId;
      const matchesFile = (a: Artifact) => a.filename === q.artifact || (isUuid(q.artifact) && a.id === q.artifact);
      const releases = new Set<ReleaseInfo>();
      if (isUuid(q.release)) {
        const byId = infos.get(q.release);
        if (byId) releases.add(byId);
      }
      for (const info of byTerm.get(q.accountId, q.release)) releases.add(info);
      const candidates = [...releases].filter((i) => inSlot(i.release)).sort(byPrecedence);
      const tagged = candidates.some((i) => i.release.tag === q.release && releaseVisible(q.scope, i.release));
      if (q.release === "latest" && !tagged) {
        for (const info of slotFor(q.productId, q.packageId)?.byChannel.get("stable") ?? []) {
          if (info.release.status !== "PUBLISHED" || !releaseVisible(q.scope, info.release)) continue;
          const artifact = info.artifacts.find((a) => matchesFile(a) && artifactVisible(q.scope, a, info.release));
          if (artifact) return { artifact, release: info.release };
        }
        return null;
      }
      for (const info of candidates) {
        const artifact = info.artifacts.find((a) => matchesFile(a) && artifactVisible(q.scope, a, info.release));
        if (artifact) return { artifact, release: info.release };
      }
      return null;
    },
    async findArtifact(accountId, idOrFilename, scope) {
      const candidates: Artifact[] = [];
      if (isUuid(idOrFilename)) {
        const byId = owned(artifactsById.get(idOrFilename), accountId);
        if (byId) candidates.push(byId);
      }
      candidates.push(...artifactsByFilename.get(accountId, idOrFilename));
      for (const artifact of candidates) {
        const release = infos.get(artifact.releaseId)?.release;
        if (release && artifactVisible(scope, artifact, release)) return { artifact, release };
      }
      return null;
    },
    async getPackageRevision(accountId, packageId) {
      let rev = packageRevisions.get(packageId);
      if (rev === undefined) packageRevisions.set(packageId, (rev = packageRevisionOf(packageId)));
      return rev;
    },
    async getAccountRevision(accountId) {
      let rev = accountRevisions.get(accountId);
      if (rev === undefined) accountRevisions.set(accountId, (rev = accountRevisionOf(accountId)));
      return rev;
    },
    async getLicenseByKey(accountId, key) {
      return licensesByKey.get(`${accountId}|${key}`) ?? null;
    },
    async getLicense(accountId, id) {
      return owned(licensesById.get(id), accountId);
    },
    async listUserLicenses(accountId, userId) {
      return (licensesByUser.get(userId) ?? []).filter((l) => l.accountId === accountId);
    },
    async getPolicy(accountId, id) {
      return owned(policies.get(id), accountId);
    },
    async getUser(accountId, id) {
      return owned(users.get(id), accountId);
    },
    async getTokenByDigest(accountId, digest) {
      return tokens.get(`${accountId}|${digest}`) ?? null;
    },
  };
}
