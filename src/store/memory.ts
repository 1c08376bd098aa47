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
import { isArtifactVisible, isPackageVisible, isReleaseVisible, type Scope } from "./scope.js";
import type { ArtifactWithRelease, PageQuery, RawArtifactQuery, Store, UpgradeQuery } from "./types.js";

interface ReleaseInfo {
  release: Release;
  preWord: string | null;
  preNum: number | null;
  buildWord: string | null;
  buildNum: number | null;
  /** Artifacts newest first. */
  artifacts: Artifact[];
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

  add(group: string, key: string, value: V): void {
    let inner = this.outer.get(group);
    if (inner === undefined) this.outer.set(group, (inner = new Map()));
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

/** First index in a precedence-desc list whose key is below `maxKey` (binary search). */
function firstBelow(list: readonly ReleaseInfo[], maxKey: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as ReleaseInfo).release.versionKey >= maxKey) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An artifact the Tauri updater could install: signed, with platform, arch and a filetype that is not `sig`. */
function isSignedUpdate(a: Artifact): boolean {
  return a.platform !== null && a.arch !== null && a.signature !== null && a.signature !== "" && a.filetype !== null && a.filetype !== "sig";
}

const slot = (productId: string, packageId: string | null) => `${productId}|${packageId ?? ""}`;

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

  const infos = new Map<string, ReleaseInfo>();
  const bySlot = new Map<string, ReleaseInfo[]>();
  const bySlotChannel = new Map<string, ReleaseInfo[]>();
  // Grouped by slot, then by version (unique within a slot).
  const byVersion = new Map<string, Map<string, ReleaseInfo>>();
  // Grouped by account, then by version or tag.
  const byTerm = new NestedIndex<ReleaseInfo>();
  for (const r of dataset.releases) {
    const parsed = parseStrict(r.version);
    const info: ReleaseInfo = {
      release: r, preWord: parsed?.preWord ?? null, preNum: parsed?.preNum ?? null,
      buildWord: parsed?.buildWord ?? null, buildNum: parsed?.buildNum ?? null, artifacts: [],
    };
    infos.set(r.id, info);
    const s = slot(r.productId, r.packageId);
    pushTo(bySlot, s, info);
    pushTo(bySlotChannel, `${s}|${r.channel}`, info);
    let versions = byVersion.get(s);
    if (versions === undefined) byVersion.set(s, (versions = new Map()));
    versions.set(r.version, info);
    byTerm.add(r.accountId, r.version, info);
    if (r.tag !== null && r.tag !== r.version) byTerm.add(r.accountId, r.tag, info);
  }
  const byPrecedence = (a: ReleaseInfo, b: ReleaseInfo) => compareReleasesDesc(a.release, b.release);
  for (const list of bySlot.values()) list.sort(byPrecedence);
  for (const list of bySlotChannel.values()) list.sort(byPrecedence);
  const byOldest = (a: ReleaseInfo, b: ReleaseInfo) => -compareCreatedDesc(a.release, b.release);
  byTerm.sortAll(byOldest);

  const artifactsById = new Map<string, Artifact>();
  const artifactsByFilename = new NestedIndex<Artifact>();
  for (const a of dataset.artifacts) {
    artifactsById.set(a.id, a);
    infos.get(a.releaseId)?.artifacts.push(a);
    artifactsByFilename.add(a.accountId, a.filename, a);
  }
  for (const info of infos.values()) info.artifacts.sort(compareCreatedDesc);
  // Releases with a signed updater artifact, per slot, channel, platform and arch: a Tauri check
  // walks only releases that can answer it, however many releases lack that platform.
  const bySlotChannelTarget = new Map<string, ReleaseInfo[]>();
  for (const list of bySlotChannel.values()) {
    for (const info of list) {
      const targets = new Set(info.artifacts.filter(isSignedUpdate).map((a) => `${a.platform}|${a.arch}`));
      const r = info.release;
      for (const target of targets) pushTo(bySlotChannelTarget, `${slot(r.productId, r.packageId)}|${r.channel}|${target}`, info);
    }
  }
  const sortByReleaseThenCreated = (a: Artifact, b: Artifact) => {
    const ra = infos.get(a.releaseId)?.release;
    const rb = infos.get(b.releaseId)?.release;
    const byRelease = ra && rb ? compareReleasesDesc(ra, rb) : 0;
    return byRelease !== 0 ? byRelease : compareCreatedDesc(a, b);
  };
  artifactsByFilename.sortAll(sortByReleaseThenCreated);

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

  const hasSignedArtifact = (scope: Scope, info: ReleaseInfo, platform: string, arch: string) =>
    info.artifacts.some((a) => a.platform === platform && a.arch === arch && isSignedUpdate(a) && artifactVisible(scope, a, info.release));

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
      const r = byVersion.get(slot(productId, packageId))?.get(version)?.release;
      return r !== undefined && r.accountId === accountId && releaseVisible(scope, r) ? r : null;
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
      let best: Release | null = null;
      for (const channel of q.channels) {
        const key = `${slot(q.productId, q.packageId)}|${channel}`;
        // Lists stay in precedence order, so a per-target list is walked exactly like the full one.
        const list = q.artifact ? bySlotChannelTarget.get(`${key}|${q.artifact.platform}|${q.artifact.arch}`) : bySlotChannel.get(key);
        if (!list) continue;
        const upper = q.range ? q.range.maxKey : "\uffff";
        for (let i = firstBelow(list, upper); i < list.length; i++) {
          const info = list[i] as ReleaseInfo;
          const r = info.release;
          if (r.versionKey <= q.afterKey) break;
          if (q.range && r.versionKey < q.range.minKey) break;
          if (best !== null && compareReleasesDesc(r, best) >= 0) break;
          if (r.status !== "PUBLISHED" || r.accountId !== q.accountId) continue;
          if (q.range?.preWord !== undefined && info.preWord !== q.range.preWord) continue;
          if (q.range?.preNum !== undefined && info.preNum !== q.range.preNum) continue;
          if (q.range?.buildWord !== undefined && info.buildWord !== q.range.buildWord) continue;
          if (q.range?.buildNum !== undefined && info.buildNum !== q.range.buildNum) continue;
          if (!releaseVisible(q.scope, r)) continue;
          if (q.artifact && !hasSignedArtifact(q.scope, info, q.artifact.platform, q.artifact.arch)) continue;
          best = r;
          break;
        }
      }
      return best;
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
      for (const info of bySlot.get(slot(pkg.productId, pkg.id)) ?? []) {
        if (!releaseVisible(scope, info.release)) continue;
        for (const a of info.artifacts) if (artifactVisible(scope, a, info.release)) out.push({ artifact: a, release: info.release });
      }
      return out;
    },
    async findRawArtifact(q: RawArtifactQuery) {
      const s = slot(q.productId, q.packageId);
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
        for (const info of bySlotChannel.get(`${s}|stable`) ?? []) {
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
