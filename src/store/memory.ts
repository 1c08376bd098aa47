/**
 * @module store/memory — the indexed in-memory store: every query is a map lookup or a walk
 * down a list kept in precedence order, never a scan of a table.
 */
import { isUuid } from "../core/uuid.js";
import { parseStrict } from "../core/version.js";
import type { Dataset } from "../dataset/load.js";
import type {
  Account, Artifact, Engine, EngineKey, License, Package, Policy, Product, Release, Token, User,
} from "../model/records.js";
import { HashSlots, KeyRanks, hashString } from "./memory-index.js";
import { isArtifactVisible, isPackageVisible, isReleaseVisible, seesAllOf, type Scope } from "./scope.js";
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
  /** Position of the release's precedence key among the store's distinct keys, ascending. */
  rank: number;
  /** Artifacts newest first. */
  artifacts: Artifact[];
  /** Parsed on first use (undefined until then). */
  tags: VersionTags | undefined;
}

/**
 * Releases in precedence order (newest first) with their ranks in a typed array, so that a binary
 * search touches one contiguous block instead of a release object per step. `uploaded[i]` is 1 when
 * release `i` has an UPLOADED artifact among the ones the list was built for.
 */
interface RankedList {
  ranks: Int32Array;
  infos: ReleaseInfo[];
  uploaded: Uint8Array;
}

/** A ranked list under construction. */
interface ListBuilder {
  ranks: number[];
  infos: ReleaseInfo[];
  uploaded: number[];
}

/** The releases of one channel of a slot. */
interface ChannelIndex {
  /** Every release, precedence desc. */
  all: ReleaseInfo[];
  /** PUBLISHED releases (the only upgrade candidates). */
  published: RankedList;
  /** PUBLISHED releases with a signed updater artifact, by platform, then arch. */
  targets: Map<string, Map<string, RankedList>>;
}

/** The releases of one product and package (or of no package). */
interface SlotIndex {
  /** Seeds the hash of a version in this slot. */
  id: number;
  /** Every release, precedence desc. */
  all: ReleaseInfo[];
  channels: Map<string, ChannelIndex>;
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

/** First index of a non-increasing rank array whose rank is below `maxRank`. */
function firstRankBelow(ranks: Int32Array, maxRank: number): number {
  let lo = 0;
  let hi = ranks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ranks[mid] as number) >= maxRank) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function newList(): ListBuilder {
  return { ranks: [], infos: [], uploaded: [] };
}

function finishList(b: ListBuilder): RankedList {
  return { ranks: Int32Array.from(b.ranks), infos: b.infos, uploaded: Uint8Array.from(b.uploaded) };
}

/** An artifact the Tauri updater could install: signed, with platform, arch and a filetype that is not `sig`. */
function isSignedUpdate(a: Artifact): boolean {
  return a.platform !== null && a.arch !== null && a.signature !== null && a.signature !== "" && a.filetype !== null && a.filetype !== "sig";
}

function tagsOf(info: ReleaseInfo): VersionTags {
  let tags = info.tags;
  if (tags === undefined) {
    const parsed = parseStrict(info.release.version);
    tags = info.tags = {
      preWord: parsed?.preWord ?? null, preNum: parsed?.preNum ?? null, buildWord: parsed?.buildWord ?? null, buildNum: parsed?.buildNum ?? null,
    };
  }
  return tags;
}

/** True when a release carries the pre-release and build word/number a range pins. */
function tagsMatch(range: VersionRange, info: ReleaseInfo): boolean {
  if (range.preWord === undefined && range.preNum === undefined && range.buildWord === undefined && range.buildNum === undefined) return true;
  const t = tagsOf(info);
  return (range.preWord === undefined || t.preWord === range.preWord) && (range.preNum === undefined || t.preNum === range.preNum) &&
    (range.buildWord === undefined || t.buildWord === range.buildWord) && (range.buildNum === undefined || t.buildNum === range.buildNum);
}

/** An in-memory {@link Store} over a loaded dataset (immutable once built). */
export function createMemoryStore(dataset: Dataset): Store {
  const revision = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
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
  const infos = new Map<string, ReleaseInfo>();
  const byTerm = new NestedIndex<ReleaseInfo>();
  const ordered: ReleaseInfo[] = [];
  for (const r of dataset.releases) {
    const info: ReleaseInfo = { release: r, rank: 0, artifacts: [], tags: undefined };
    infos.set(r.id, info);
    ordered.push(info);
    byTerm.add(r.accountId, r.version, info);
    if (r.tag !== null && r.tag !== r.version) byTerm.add(r.accountId, r.tag, info);
  }
  const byOldest = (a: ReleaseInfo, b: ReleaseInfo) => -compareCreatedDesc(a.release, b.release);
  byTerm.sortAll(byOldest);

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
    if (found === undefined) byPackage.set(r.packageId, (found = { id: Math.imul(++slotCount, 0x9e3779b1), all: [], channels: new Map() }));
    lastProduct = r.productId;
    lastPackage = r.packageId;
    return (lastSlot = found);
  };

  // Releases by slot and exact version: a hash table of dataset positions (the last of equal versions wins).
  const releaseAt = dataset.releases.slice();
  const versionSlots = new HashSlots(releaseAt.length);
  const sameSlotVersion = (a: Release, b: Release) => a.version === b.version && a.productId === b.productId && a.packageId === b.packageId;
  for (let i = 0; i < releaseAt.length; i++) {
    const r = releaseAt[i] as Release;
    const h = hashString(r.version, slotAt(r).id);
    let cell = versionSlots.next(h, -1);
    while (cell >= 0 && !sameSlotVersion(releaseAt[versionSlots.ordinal(cell)] as Release, r)) cell = versionSlots.next(h, cell);
    if (cell >= 0) versionSlots.set(cell, i);
    else versionSlots.add(h, i);
  }

  // Ranks: the distinct precedence keys ascending; a query's bounds become ranks once, and every
  // list walk compares integers.
  const byOrdinal = ordered.slice();
  const byPrecedence = (a: ReleaseInfo, b: ReleaseInfo) => compareReleasesDesc(a.release, b.release);
  sortIfNeeded(ordered, byPrecedence);
  const sortedKeys: string[] = [];
  for (let i = ordered.length - 1; i >= 0; i--) {
    const info = ordered[i] as ReleaseInfo;
    const k = info.release.versionKey;
    if (sortedKeys.length === 0 || sortedKeys[sortedKeys.length - 1] !== k) sortedKeys.push(k);
    info.rank = sortedKeys.length - 1;
  }
  const ranks = new KeyRanks(sortedKeys);
  const rankAt = new Int32Array(byOrdinal.length);
  for (let i = 0; i < byOrdinal.length; i++) rankAt[i] = (byOrdinal[i] as ReleaseInfo).rank;
  byOrdinal.length = 0;

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

  // Per slot and channel, in precedence order: every release, the PUBLISHED ones, and the PUBLISHED
  // ones with a signed updater artifact per platform and arch (a Tauri check walks only releases
  // that can answer it, however many releases lack that platform).
  {
    const builders = new Map<ChannelIndex, { published: ListBuilder; targets: Map<string, Map<string, ListBuilder>> }>();
    for (const info of ordered) {
      const r = info.release;
      const s = slotAt(r);
      s.all.push(info);
      let ch = s.channels.get(r.channel);
      if (ch === undefined) {
        ch = { all: [], published: finishList(newList()), targets: new Map() };
        s.channels.set(r.channel, ch);
        builders.set(ch, { published: newList(), targets: new Map() });
      }
      ch.all.push(info);
      if (r.status !== "PUBLISHED") continue;
      const b = builders.get(ch) as { published: ListBuilder; targets: Map<string, Map<string, ListBuilder>> };
      b.published.ranks.push(info.rank);
      b.published.infos.push(info);
      b.published.uploaded.push(0);
      for (const a of info.artifacts) {
        if (!isSignedUpdate(a)) continue;
        const platform = a.platform as string;
        const arch = a.arch as string;
        let byArch = b.targets.get(platform);
        if (byArch === undefined) b.targets.set(platform, (byArch = new Map()));
        let list = byArch.get(arch);
        if (list === undefined) byArch.set(arch, (list = newList()));
        const uploaded = a.status === "UPLOADED" ? 1 : 0;
        const at = list.infos.length - 1;
        if (at >= 0 && list.infos[at] === info) list.uploaded[at] = (list.uploaded[at] as number) | uploaded;
        else {
          list.ranks.push(info.rank);
          list.infos.push(info);
          list.uploaded.push(uploaded);
        }
      }
    }
    for (const [ch, b] of builders) {
      ch.published = finishList(b.published);
      for (const [platform, byArch] of b.targets) {
        const out = new Map<string, RankedList>();
        for (const [arch, list] of byArch) out.set(arch, finishList(list));
        ch.targets.set(platform, out);
      }
    }
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
        return r.accountId === accountId && releaseVisible(scope, r) ? r : null;
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
      if (s === undefined) return null;
      const range = q.range;
      let lo = rankAbove(q.afterKey);
      let hi = ranks.size;
      if (range !== undefined) {
        lo = Math.max(lo, ranks.search(range.minKey, false));
        hi = ranks.search(range.maxKey, false);
      }
      if (lo >= hi) return null;
      const product = productOf(q.productId);
      // A release the scope sees has a visible artifact when the scope sees all of the product or the file is UPLOADED.
      const seesAll = q.artifact !== undefined && seesAllOf(q.scope, q.productId);
      let best: ReleaseInfo | null = null;
      for (const channel of q.channels) {
        const ch = s.channels.get(channel);
        if (ch === undefined) continue;
        const list = q.artifact !== undefined ? ch.targets.get(q.artifact.platform)?.get(q.artifact.arch) : ch.published;
        if (list === undefined) continue;
        const { ranks, infos: candidates, uploaded } = list;
        // Lists stay in precedence order, so the first candidate that passes every filter is the channel's answer.
        for (let i = firstRankBelow(ranks, hi); i < ranks.length; i++) {
          const rank = ranks[i] as number;
          if (rank < lo) break;
          const info = candidates[i] as ReleaseInfo;
          const r = info.release;
          if (best !== null && (rank < best.rank || (rank === best.rank && compareReleasesDesc(r, best.release) >= 0))) break;
          if (r.accountId !== q.accountId) continue;
          if (range !== undefined && !tagsMatch(range, info)) continue;
          if (!isReleaseVisible(q.scope, r, product)) continue;
          if (q.artifact !== undefined && uploaded[i] !== 1 && !seesAll) continue;
          best = info;
          break;
        }
      }
      return best === null ? null : best.release;
    },
    async getArtifact(accountId, id) {
      const artifact = owned(artifactsById.get(id), accountId);
      const release = artifact ? infos.get(artifact.releaseId)?.release : undefined;
      return artifact && release ? { artifact, release } : null;
    },
    async listReleaseArtifacts(accountId, releaseId, scope, filter = {}) {
      const info = infos.get(releaseId);
      if (!info || info.release.accountId !== accountId) return [];
      return info.artifacts.filter(
        (a) => (filter.platform === undefined || a.platform === filter.platform) &&
          (filter.arch === undefined || a.arch === filter.arch) && artifactVisible(scope, a, info.release),
      );
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
      const tagged = candidates.some((i) => i.release.tag === q.release);
      if (q.release === "latest" && !tagged) {
        for (const info of slotFor(q.productId, q.packageId)?.channels.get("stable")?.all ?? []) {
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
      return `${revision}:${accountId}:${packageId}`;
    },
    async getAccountRevision(accountId) {
      return `${revision}:${accountId}`;
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
