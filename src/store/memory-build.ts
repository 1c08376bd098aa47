/**
 * @module store/memory-build — the memory store's indexes over one dataset, built once: records by id
 * and natural key, releases per slot in precedence order with their ranks and upgrade candidates.
 */
import type { Dataset } from "../dataset/load.js";
import type { Account, Artifact, Engine, License, Package, Policy, Product, Release, Token, User } from "../model/records.js";
import { CHANNEL_BITS, MERGED_SETS, addTarget, finishCandidates, isSignedUpdate, newCandidates, type Candidates, type CandidatesBuilder } from "./memory-candidates.js";
import { ReleaseFacts } from "./memory-facts.js";
import { HashSlots, KeyRanks, NestedIndex, PairMap, hashString, pushTo } from "./memory-index.js";
import { compareCreatedDesc, compareReleasesDesc, sortIfNeeded } from "./memory-order.js";
import type { VersionTags } from "./memory-tags.js";

/** A release with its position in the dataset and its artifacts, as the indexes keep it. */
export interface ReleaseInfo {
  release: Release;
  /** Position in the dataset's release list (indexes the store's per-release arrays). */
  ordinal: number;
  /** Artifacts newest first. */
  artifacts: Artifact[];
}

/** The releases of one product and package (or of no package). */
export interface SlotIndex {
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

/** Artifacts by id, and by account and file name (newest release first, then newest artifact). */
export interface ArtifactIndexes {
  byId: Map<string, Artifact>;
  byFilename: NestedIndex<Artifact>;
}

/** Index artifacts by id and by account and file name, `infos` giving each one's release for the order. */
function indexArtifacts(artifacts: readonly Artifact[], infos: ReadonlyMap<string, ReleaseInfo>): ArtifactIndexes {
  const byId = new Map<string, Artifact>();
  const byFilename = new NestedIndex<Artifact>();
  for (const a of artifacts) {
    byId.set(a.id, a);
    byFilename.add(a.accountId, a.filename, a);
  }
  byFilename.sortAll((a, b) => {
    const ra = infos.get(a.releaseId)?.release;
    const rb = infos.get(b.releaseId)?.release;
    const byRelease = ra && rb ? compareReleasesDesc(ra, rb) : 0;
    return byRelease !== 0 ? byRelease : compareCreatedDesc(a, b);
  });
  return { byId, byFilename };
}

/** The indexes {@link buildMemoryIndexes} makes. */
export type MemoryIndexes = ReturnType<typeof buildMemoryIndexes>;

/** Index a dataset for the memory store's queries. */
export function buildMemoryIndexes(dataset: Dataset) {
  const accountsById = new Map<string, Account>();
  const accountsBySlug = new Map<string, Account>();
  for (const a of dataset.accounts) {
    accountsById.set(a.id, a);
    accountsBySlug.set(a.slug, a);
  }
  const productsById = new Map<string, Product>();
  const productsByCode = new PairMap<Product>();
  for (const p of dataset.products) {
    productsById.set(p.id, p);
    if (p.code !== null) productsByCode.set(p.accountId, p.code, p);
  }
  const packagesById = new Map<string, Package>();
  const packagesByKey = new PairMap<Package>();
  const packagesByEngine = new Map<string, Package[]>();
  for (const p of dataset.packages) {
    packagesById.set(p.id, p);
    packagesByKey.set(p.accountId, p.key, p);
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

  {
    let lastId: string | undefined;
    let lastInfo: ReleaseInfo | undefined;
    for (const a of dataset.artifacts) {
      if (a.releaseId !== lastId) {
        lastId = a.releaseId;
        lastInfo = infos.get(a.releaseId);
      }
      lastInfo?.artifacts.push(a);
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
  // Artifacts by id and by file name: only lookups of one artifact (downloads, the artifacts API) ask for
  // them, and at 100,000 releases their 800,000 map entries are a third of the build: made on first use.
  const artifactList = dataset.artifacts.slice();
  let artifactIndexes: ArtifactIndexes | undefined;
  const artifactsIndexed = (): ArtifactIndexes => (artifactIndexes ??= indexArtifacts(artifactList, infos));

  const licensesByKey = new PairMap<License>();
  const licensesById = new Map<string, License>();
  const licensesByUser = new Map<string, License[]>();
  for (const l of dataset.licenses) {
    licensesByKey.set(l.accountId, l.key, l);
    licensesById.set(l.id, l);
    const users = new Set([...(l.ownerId ? [l.ownerId] : []), ...l.userIds]);
    for (const u of users) pushTo(licensesByUser, u, l);
  }
  const policies = new Map<string, Policy>(dataset.policies.map((p) => [p.id, p]));
  const users = new Map<string, User>(dataset.users.map((u) => [u.id, u]));
  const tokens = new PairMap<Token>();
  for (const t of dataset.tokens) tokens.set(t.accountId, t.digest, t);
  const slotFor = (productId: string, packageId: string | null) => slots.get(productId)?.get(packageId);

  return {
    accountsById, accountsBySlug, productsById, productsByCode, packagesById, packagesByKey, packagesByEngine, enginesByAccount,
    releaseAt, infos, byTerm, facts, tagsAt, slotFor, versionSlots, byPrecedence, rankAt, ranks, artifactsIndexed,
    licensesByKey, licensesById, licensesByUser, policies, users, tokens,
  };
}
