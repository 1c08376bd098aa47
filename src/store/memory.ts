/**
 * @module store/memory — the indexed in-memory store: every query is a map lookup or a walk
 * down a list kept in precedence order, never a scan of a table (indexes: memory-build.ts).
 */
import { isUuid } from "../core/uuid.js";
import type { Dataset } from "../dataset/load.js";
import type { Artifact, Engine, EngineKey, Package, Product, Release } from "../model/records.js";
import { ANONYMOUS_SCOPE, isArtifactVisible, isPackageVisible, isReleaseVisible, seesAllOf, statusVisible, withYanked, type Scope } from "../access/scope.js";
import { buildMemoryIndexes, type ReleaseInfo } from "./memory-build.js";
import { maskOf, type Candidates } from "./memory-candidates.js";
import { firstBelow, hashString } from "./memory-index.js";
import { compareCreatedDesc, compareReleasesDesc } from "./memory-order.js";
import { contentRevision, type RecordDigests } from "./memory-revisions.js";
import { pinsTags, tagsMatch, tagsOf } from "./memory-tags.js";
import type { ArtifactLookupFilter, ArtifactWithRelease, PageQuery, RawArtifactQuery, Store, UpgradeQuery } from "./types.js";
import { storeOfSyncReads, type SyncReads } from "./sync-reads.js";

/** The widest status rule of a caller without sight of drafts: PUBLISHED and YANKED releases. */
const YANKED_AS_PUBLISHED = withYanked(ANONYMOUS_SCOPE);

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * A digest of everything the dataset was loaded from (node/dataset-file's `digest`). Given, the
   * revisions are derived from it and the record's id alone, instead of from hashing the records on
   * first use (hundreds of MB at 100,000 releases): the same source gives the same revisions in every
   * process and after a restart, and any change to it gives others (to every package at once).
   */
  sourceDigest?: string;
}

/** An in-memory {@link Store} over a loaded dataset (immutable once built). */
export function createMemoryStore(dataset: Dataset, options: MemoryStoreOptions = {}): Store {
  return createMemoryStoreOf(dataset, new WeakMap(), options.sourceDigest);
}

/** {@link createMemoryStore} sharing record digests with earlier stores of the same value records (store/memory-write), or with revisions from `sourceDigest`. */
export function createMemoryStoreOf(dataset: Dataset, digests: RecordDigests, sourceDigest?: string): Store {
  const {
    accountsById, accountsBySlug, productsById, productsByCode, packagesById, packagesByKey, packagesByEngine, enginesByAccount,
    releaseAt, infos, byTerm, facts, tagsAt, slotFor, versionSlots, byPrecedence, rankAt, ranks, artifactsIndexed,
    licensesByKey, licensesById, licensesByUser, policies, users, tokens,
  } = buildMemoryIndexes(dataset);

  // The rank of the release getReleaseByVersion found last: the resolvers ask for upgrades above it next.
  let lastKey: string | null = null;
  let lastRank = 0;
  /** The first rank whose key is above `key`. */
  const rankAbove = (key: string) => (key === lastKey ? lastRank + 1 : ranks.search(key, true));

  const owned = <T extends { accountId: string }>(rec: T | undefined, accountId: string): T | null =>
    rec !== undefined && rec.accountId === accountId ? rec : null;
  const productOf = (id: string) => productsById.get(id) as Product;
  const releaseVisible = (scope: Scope, r: Release) => isReleaseVisible(scope, r, productOf(r.productId));
  const artifactVisible = (scope: Scope, a: Artifact, r: Release) => isArtifactVisible(scope, a, r, productOf(r.productId));
  const matchesLookup = (a: Artifact, r: Release, f: ArtifactLookupFilter): boolean => {
    if (f.productId !== undefined && r.productId !== f.productId) return false;
    if (f.releaseId !== undefined && r.id !== f.releaseId) return false;
    if (f.packageId !== undefined && r.packageId !== f.packageId) return false;
    if (f.engine !== undefined && ((r.packageId === null ? null : packagesById.get(r.packageId)?.engine) ?? null) !== f.engine) return false;
    if (f.channels !== undefined && !f.channels.includes(r.channel)) return false;
    if (f.platform !== undefined && a.platform !== f.platform) return false;
    if (f.arch !== undefined && a.arch !== f.arch) return false;
    if (f.filetype !== undefined && a.filetype !== f.filetype) return false;
    return f.status === undefined || a.status === f.status;
  };

  const engineVisible = (scope: Scope, e: Engine) =>
    (packagesByEngine.get(`${e.accountId}|${e.key}`) ?? []).some((p) => isPackageVisible(scope, p, productOf(p.productId)));

  const visibleEngines = (accountId: string, scope: Scope) => (enginesByAccount.get(accountId) ?? []).filter((e) => engineVisible(scope, e));

  // Revisions from content (computed on first use; the store never changes): the package with its
  // product, releases and artifacts; the account's name with its products and packages. With a
  // source digest, from that digest and the id instead (nothing hashed but a few bytes).
  const packageRevisions = new Map<string, string>();
  const accountRevisions = new Map<string, string>();
  const packageRevisionOf = (packageId: string) => {
    if (sourceDigest !== undefined) return contentRevision(["package", sourceDigest, packageId]);
    const pkg = packagesById.get(packageId);
    if (pkg === undefined) return contentRevision(["package", packageId, null], digests);
    const account = accountsById.get(pkg.accountId);
    const releases = (slotFor(pkg.productId, pkg.id)?.all ?? []).map((info) => [info.release, info.artifacts]);
    return contentRevision(["package", pkg, account?.slug, account?.name, productsById.get(pkg.productId) ?? null, releases], digests);
  };
  // What callers without sight of drafts could be shown: published or yanked releases, UPLOADED artifacts (access/scope).
  const listedRevisions = new Map<string, string>();
  const listedRevisionOf = (packageId: string) => {
    if (sourceDigest !== undefined) return contentRevision(["listed", sourceDigest, packageId]);
    const pkg = packagesById.get(packageId);
    if (pkg === undefined) return contentRevision(["listed", packageId, null], digests);
    const account = accountsById.get(pkg.accountId);
    const releases = (slotFor(pkg.productId, pkg.id)?.all ?? [])
      .filter((info) => statusVisible(YANKED_AS_PUBLISHED, info.release.status))
      .map((info) => [info.release, info.artifacts.filter((a) => a.status === "UPLOADED")]);
    return contentRevision(["listed", pkg, account?.slug, account?.name, productsById.get(pkg.productId) ?? null, releases], digests);
  };
  const accountRevisionOf = (accountId: string) => {
    if (sourceDigest !== undefined) return contentRevision(["account", sourceDigest, accountId]);
    const account = accountsById.get(accountId);
    const products = dataset.products.filter((p) => p.accountId === accountId);
    const packages = dataset.packages.filter((p) => p.accountId === accountId);
    return contentRevision(["account", accountId, account?.slug ?? null, account?.name ?? null, products, packages], digests);
  };

  const reads: SyncReads<Store> = {
    getAccount(idOrSlug) {
      return accountsById.get(idOrSlug) ?? accountsBySlug.get(idOrSlug) ?? null;
    },
    getProduct(accountId, idOrCode) {
      return owned(productsById.get(idOrCode), accountId) ?? productsByCode.get(accountId, idOrCode) ?? null;
    },
    getProducts(accountId, ids) {
      return ids.map((id) => owned(productsById.get(id), accountId)).filter((p): p is Product => p !== null);
    },
    getPackage(accountId, idOrKey, engine?: EngineKey) {
      // The package with that id and the one with that key (of the engine asked, if any): the older one when both are.
      const byId = isUuid(idOrKey) ? owned(packagesById.get(idOrKey), accountId) : null;
      const byKey = packagesByKey.get(accountId, idOrKey) ?? null;
      const a = byId !== null && (engine === undefined || byId.engine === engine) ? byId : null;
      const b = byKey !== null && (engine === undefined || byKey.engine === engine) ? byKey : null;
      if (a === null || b === null) return a ?? b;
      return compareCreatedDesc(a, b) >= 0 ? a : b;
    },
    listPackages(accountId, engine, scope) {
      return (packagesByEngine.get(`${accountId}|${engine}`) ?? []).filter((p) => isPackageVisible(scope, p, productOf(p.productId)));
    },
    listEngines(accountId, scope, page: PageQuery) {
      let list = visibleEngines(accountId, scope);
      if (page.order === "desc") list = list.slice().reverse();
      let start = page.offset ?? 0;
      if (page.after !== undefined) {
        const at = list.findIndex((e) => e.id === page.after);
        start = at < 0 ? list.length : at + 1;
      }
      return list.slice(start, start + page.limit);
    },
    countEngines(accountId, scope) {
      return visibleEngines(accountId, scope).length;
    },
    getEngine(accountId, idOrKey, scope) {
      const matches = (enginesByAccount.get(accountId) ?? []).filter(
        (e) => (e.key === idOrKey || (isUuid(idOrKey) && e.id === idOrKey)) && (scope.all || engineVisible(scope, e)),
      );
      return matches[0] ?? null;
    },
    getRelease(accountId, id) {
      return owned(infos.get(id)?.release, accountId);
    },
    getReleaseByVersion(accountId, productId, packageId, version, scope) {
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
    findRelease(accountId, term, scope, where = {}) {
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
    findUpgrade(q: UpgradeQuery) {
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
    getArtifact(accountId, id) {
      const artifact = owned(artifactsIndexed().byId.get(id), accountId);
      const release = artifact ? infos.get(artifact.releaseId)?.release : undefined;
      return artifact && release ? { artifact, release } : null;
    },
    listReleaseArtifacts(accountId, releaseId, scope, filter = {}) {
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
    listPackageArtifacts(accountId, packageId, scope) {
      const pkg = owned(packagesById.get(packageId), accountId);
      if (!pkg) return [];
      const out: ArtifactWithRelease[] = [];
      for (const info of slotFor(pkg.productId, pkg.id)?.all ?? []) {
        if (!releaseVisible(scope, info.release)) continue;
        for (const a of info.artifacts) if (artifactVisible(scope, a, info.release)) out.push({ artifact: a, release: info.release });
      }
      return out;
    },
    findRawArtifact(q: RawArtifactQuery) {
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
    findArtifact(accountId, idOrFilename, scope, filter) {
      const candidates: Artifact[] = [];
      if (isUuid(idOrFilename)) {
        const byId = owned(artifactsIndexed().byId.get(idOrFilename), accountId);
        if (byId) candidates.push(byId);
      }
      candidates.push(...artifactsIndexed().byFilename.get(accountId, idOrFilename));
      for (const artifact of candidates) {
        const release = infos.get(artifact.releaseId)?.release;
        if (release && artifactVisible(scope, artifact, release) && (filter === undefined || matchesLookup(artifact, release, filter))) return { artifact, release };
      }
      return null;
    },
    getPackageRevision(accountId, packageId, audience = "all") {
      const [kept, make] = audience === "listed" ? [listedRevisions, listedRevisionOf] : [packageRevisions, packageRevisionOf];
      let rev = kept.get(packageId);
      if (rev === undefined) kept.set(packageId, (rev = make(packageId)));
      return rev;
    },
    getAccountRevision(accountId) {
      let rev = accountRevisions.get(accountId);
      if (rev === undefined) accountRevisions.set(accountId, (rev = accountRevisionOf(accountId)));
      return rev;
    },
    getLicenseByKey(accountId, key) {
      return licensesByKey.get(accountId, key) ?? null;
    },
    getLicense(accountId, id) {
      return owned(licensesById.get(id), accountId);
    },
    listUserLicenses(accountId, userId) {
      return (licensesByUser.get(userId) ?? []).filter((l) => l.accountId === accountId);
    },
    getPolicy(accountId, id) {
      return owned(policies.get(id), accountId);
    },
    getUser(accountId, id) {
      return owned(users.get(id), accountId);
    },
    getTokenByDigest(accountId, digest) {
      return tokens.get(accountId, digest) ?? null;
    },
  };
  // No write changes a license, policy or user: authentications by key may be remembered.
  return storeOfSyncReads(reads, { fixedCredentials: true });
}
