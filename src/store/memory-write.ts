/**
 * @module store/memory-write — the in-memory store that can publish: the write contract over snapshots.
 *
 * Each write builds the next dataset snapshot (copying only the lists it changes), checks uniqueness
 * and references against it, and swaps in a freshly indexed read store in one synchronous step, so a
 * write is atomic and every read after it sees it. Re-indexing costs time linear in the dataset per
 * write: right for tests, embedding and small catalogues; SQLite or PostgreSQL for a busy one.
 * Nothing outlives the process.
 */
import { ConflictError } from "../core/errors.js";
import { parseStrict } from "../core/version.js";
import { uuidV5 } from "../core/uuid.js";
import type { Dataset } from "../dataset/load.js";
import { ENGINE_NAMES, type Artifact, type Entitlement, type Package, type Product, type Release } from "../model/records.js";
import { createMemoryStoreOf } from "./memory.js";
import { forwardReads } from "./methods.js";
import { listArtifactsOf, listPackagesOf, listReleasesOf, type ListSource } from "./memory-lists.js";
import type { Store } from "./types.js";
import type { WritableStore } from "./write.js";

const taken = (field: string) => new ConflictError("has already been taken", { code: `${field.toUpperCase()}_TAKEN`, pointer: `/data/attributes/${field}` });
const idTaken = () => new ConflictError("has already been taken", { code: "ID_TAKEN", pointer: "/data/id" });
const missing = (relationship: string) => new ConflictError("must exist", { code: `${relationship.toUpperCase()}_NOT_FOUND`, pointer: `/data/relationships/${relationship}` });

/** A dataset with lookups by id, made once per snapshot. */
class Snapshot implements ListSource {
  readonly products: Map<string, Product>;
  readonly releases: Map<string, Release>;
  readonly packageById: Map<string, Package>;
  readonly artifactById: Map<string, Artifact>;

  constructor(readonly data: Dataset) {
    this.products = new Map(data.products.map((p) => [p.id, p]));
    this.releases = new Map(data.releases.map((r) => [r.id, r]));
    this.packageById = new Map(data.packages.map((p) => [p.id, p]));
    this.artifactById = new Map(data.artifacts.map((a) => [a.id, a]));
  }

  get packages(): readonly Package[] {
    return this.data.packages;
  }
  get releaseList(): readonly Release[] {
    return this.data.releases;
  }
  get artifactList(): readonly Artifact[] {
    return this.data.artifacts;
  }

  product(accountId: string, id: string): Product | null {
    const p = this.products.get(id);
    return p !== undefined && p.accountId === accountId ? p : null;
  }
  pkg(accountId: string, id: string): Package | null {
    const p = this.packageById.get(id);
    return p !== undefined && p.accountId === accountId ? p : null;
  }
  release(accountId: string, id: string): Release | null {
    const r = this.releases.get(id);
    return r !== undefined && r.accountId === accountId ? r : null;
  }
  artifact(accountId: string, id: string): Artifact | null {
    const a = this.artifactById.get(id);
    return a !== undefined && a.accountId === accountId ? a : null;
  }
}

/** Records of the next snapshot. */
interface Change {
  data: Partial<Dataset>;
}

function replaceIn<T extends { id: string }>(list: readonly T[], next: T): T[] {
  return list.map((x) => (x.id === next.id ? next : x));
}

function without<T>(list: readonly T[], drop: (x: T) => boolean): T[] {
  return list.filter((x) => !drop(x));
}

function versionParts(version: string): { versionKey: string } {
  const parsed = parseStrict(version);
  if (parsed === null) throw new ConflictError("must be a valid version", { code: "VERSION_INVALID", pointer: "/data/attributes/version" });
  return { versionKey: parsed.key };
}

/** The metadata with `key` set to `value`, or removed when `value` is null. */
function withKey(metadata: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...metadata };
  if (value === null || value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** An in-memory {@link WritableStore} holding `dataset`, which it never mutates. */
export function createWritableMemoryStore(dataset: Dataset): WritableStore {
  let snap = new Snapshot(dataset);
  // Records are values here (every write makes new ones), so the stores share their digests.
  const digests = new WeakMap<object, string>();
  let read: Store = createMemoryStoreOf(dataset, digests);

  const commit = (change: Change): void => {
    const next = new Snapshot({ ...snap.data, ...change.data });
    const nextRead = createMemoryStoreOf(next.data, digests);
    snap = next;
    read = nextRead;
  };

  /** The engine rows after a package of `engine` exists (created on first use, as the dataset loader derives them). */
  const enginesWith = (accountId: string, engine: Package["engine"], at: string): Dataset["engines"] | undefined => {
    if (engine === null || snap.data.engines.some((e) => e.accountId === accountId && e.key === engine)) return undefined;
    return [...snap.data.engines, { id: uuidV5(`engine:${accountId}:${engine}`), accountId, key: engine, name: ENGINE_NAMES[engine], created: at, updated: at }];
  };

  const checkPackageKey = (accountId: string, key: string, self: string | null) => {
    if (snap.data.packages.some((p) => p.accountId === accountId && p.key === key && p.id !== self)) throw taken("key");
  };

  const checkReleaseSlot = (r: Pick<Release, "productId" | "packageId" | "version" | "tag">, self: string | null) => {
    for (const other of snap.data.releases) {
      if (other.id === self || other.productId !== r.productId || other.packageId !== r.packageId) continue;
      if (other.version === r.version) throw taken("version");
      if (r.tag !== null && other.tag === r.tag) throw taken("tag");
    }
  };

  const checkEntitlements = (accountId: string, codes: readonly string[]) => {
    for (const code of codes) if (!snap.data.entitlements.some((e) => e.accountId === accountId && e.code === code)) throw missing("entitlement");
  };

  const checkPackageOf = (accountId: string, productId: string, packageId: string | null) => {
    if (packageId === null) return;
    const pkg = snap.pkg(accountId, packageId);
    if (pkg === null) throw missing("package");
    if (pkg.productId !== productId) throw new ConflictError("package product must match release product", { code: "PACKAGE_INVALID", pointer: "/data/relationships/package" });
  };

  const removeReleases = (accountId: string, releaseIds: ReadonlySet<string>): { artifacts: Artifact[]; data: Partial<Dataset> } => {
    const artifacts = snap.data.artifacts.filter((a) => a.accountId === accountId && releaseIds.has(a.releaseId));
    return {
      artifacts,
      data: {
        releases: without(snap.data.releases, (r) => releaseIds.has(r.id)),
        artifacts: without(snap.data.artifacts, (a) => a.accountId === accountId && releaseIds.has(a.releaseId)),
      },
    };
  };

  const writes: Omit<WritableStore, keyof Store> = {
    writable: true,

    async getEntitlements(accountId, idsOrCodes) {
      const out: Entitlement[] = [];
      for (const term of idsOrCodes) {
        const found = snap.data.entitlements.find((e) => e.accountId === accountId && (e.id === term || e.code === term));
        if (found !== undefined) out.push(found);
      }
      return out;
    },

    async listAllPackages(accountId, scope, filter, page) {
      return listPackagesOf(snap, accountId, scope, filter, page);
    },
    async createPackage(accountId, input, at) {
      if (snap.product(accountId, input.productId) === null) throw missing("product");
      checkPackageKey(accountId, input.key, null);
      const now = at.toISOString();
      const pkg: Package = {
        id: input.id ?? crypto.randomUUID(), accountId, productId: input.productId, key: input.key, name: input.name,
        engine: input.engine, metadata: { ...input.metadata }, created: now, updated: now,
      };
      if (snap.packageById.has(pkg.id)) throw idTaken();
      const engines = enginesWith(accountId, pkg.engine, now);
      commit({ data: { packages: [...snap.data.packages, pkg], ...(engines ? { engines } : {}) } });
      return pkg;
    },
    async updatePackage(accountId, id, changes, at) {
      const prior = snap.pkg(accountId, id);
      if (prior === null) return null;
      if (changes.key !== undefined) checkPackageKey(accountId, changes.key, id);
      const now = at.toISOString();
      const pkg: Package = { ...prior, ...changes, updated: now };
      const engines = enginesWith(accountId, pkg.engine, now);
      commit({ data: { packages: replaceIn(snap.data.packages, pkg), ...(engines ? { engines } : {}) } });
      return pkg;
    },
    async deletePackage(accountId, id) {
      if (snap.pkg(accountId, id) === null) return null;
      const releaseIds = new Set(snap.data.releases.filter((r) => r.packageId === id).map((r) => r.id));
      const removed = removeReleases(accountId, releaseIds);
      commit({ data: { ...removed.data, packages: without(snap.data.packages, (p) => p.id === id) } });
      return removed.artifacts;
    },

    async listReleases(accountId, scope, filter, page) {
      return listReleasesOf(snap, accountId, scope, filter, page);
    },
    async createRelease(accountId, input, at) {
      if (snap.product(accountId, input.productId) === null) throw missing("product");
      checkPackageOf(accountId, input.productId, input.packageId);
      const { versionKey } = versionParts(input.version);
      checkReleaseSlot(input, null);
      checkEntitlements(accountId, input.entitlements);
      const now = at.toISOString();
      const release: Release = {
        id: input.id ?? crypto.randomUUID(), accountId, productId: input.productId, packageId: input.packageId, version: input.version, versionKey,
        channel: input.channel, status: input.status, tag: input.tag, name: input.name, description: input.description,
        entitlements: [...new Set(input.entitlements)], metadata: { ...input.metadata }, created: now, updated: now, backdated: input.backdated, yanked: null,
      };
      if (snap.releases.has(release.id)) throw idTaken();
      commit({ data: { releases: [...snap.data.releases, release] } });
      return release;
    },
    async updateRelease(accountId, id, changes, at) {
      const prior = snap.release(accountId, id);
      if (prior === null) return null;
      const release: Release = { ...prior, ...changes, updated: at.toISOString() };
      if (changes.entitlements !== undefined) release.entitlements = [...new Set(changes.entitlements)];
      if (changes.packageId !== undefined) checkPackageOf(accountId, release.productId, release.packageId);
      if (changes.tag !== undefined || changes.packageId !== undefined) checkReleaseSlot(release, id);
      if (changes.entitlements !== undefined) checkEntitlements(accountId, release.entitlements);
      commit({ data: { releases: replaceIn(snap.data.releases, release) } });
      return release;
    },
    async setReleaseStatus(accountId, id, status, at, reason = null) {
      const prior = snap.release(accountId, id);
      if (prior === null) return null;
      const release: Release = {
        ...prior, status, updated: at.toISOString(),
        yanked: status === "YANKED" ? at.toISOString() : null,
        metadata: withKey(prior.metadata, "yankReason", status === "YANKED" ? reason : null),
      };
      commit({ data: { releases: replaceIn(snap.data.releases, release) } });
      return release;
    },
    async deleteRelease(accountId, id) {
      const prior = snap.release(accountId, id);
      if (prior === null) return null;
      const removed = removeReleases(accountId, new Set([id]));
      commit({ data: removed.data });
      return removed.artifacts;
    },

    async listArtifacts(accountId, scope, filter, page) {
      return listArtifactsOf(snap, accountId, scope, filter, page);
    },
    async createArtifact(accountId, input, at) {
      const release = snap.release(accountId, input.releaseId);
      if (release === null) throw missing("release");
      if (snap.data.artifacts.some((a) => a.releaseId === input.releaseId && a.filename === input.filename)) throw taken("filename");
      const now = at.toISOString();
      const artifact: Artifact = {
        id: input.id ?? crypto.randomUUID(), accountId, releaseId: input.releaseId, filename: input.filename, filetype: input.filetype,
        platform: input.platform, arch: input.arch, filesize: input.filesize, checksum: input.checksum, signature: input.signature,
        status: "WAITING", metadata: { ...input.metadata }, created: now, updated: now, blob: null,
      };
      if (snap.artifactById.has(artifact.id)) throw idTaken();
      commit({ data: { artifacts: [...snap.data.artifacts, artifact] } });
      return artifact;
    },
    async updateArtifact(accountId, id, changes, at) {
      const prior = snap.artifact(accountId, id);
      if (prior === null) return null;
      const artifact: Artifact = { ...prior, ...changes, updated: at.toISOString() };
      commit({ data: { artifacts: replaceIn(snap.data.artifacts, artifact) } });
      return artifact;
    },
    async completeArtifact(accountId, id, bytes, at) {
      const prior = snap.artifact(accountId, id);
      if (prior === null) return null;
      if (prior.status !== "WAITING" && prior.status !== "FAILED") throw new ConflictError("artifact is not waiting for an upload", { code: "ARTIFACT_NOT_WAITING" });
      const checksum = prior.checksum ?? bytes.sha256;
      let metadata = withKey({ ...prior.metadata, ...(bytes.metadata ?? {}) }, "failureReason", null);
      metadata = withKey(metadata, "sha256", checksum.toLowerCase() === bytes.sha256 ? null : bytes.sha256);
      const artifact: Artifact = { ...prior, status: "UPLOADED", filesize: bytes.filesize, checksum, blob: bytes.blob, metadata, updated: at.toISOString() };
      commit({ data: { artifacts: replaceIn(snap.data.artifacts, artifact) } });
      return artifact;
    },
    async failArtifact(accountId, id, reason, at) {
      const prior = snap.artifact(accountId, id);
      if (prior === null) return null;
      if (prior.status === "UPLOADED") return prior;
      const artifact: Artifact = { ...prior, status: "FAILED", metadata: withKey(prior.metadata, "failureReason", reason), updated: at.toISOString() };
      commit({ data: { artifacts: replaceIn(snap.data.artifacts, artifact) } });
      return artifact;
    },
    async deleteArtifact(accountId, id) {
      const prior = snap.artifact(accountId, id);
      if (prior === null) return null;
      commit({ data: { artifacts: without(snap.data.artifacts, (a) => a.id === id) } });
      return prior;
    },
  };

  // Reads go to the current snapshot's indexed store; its revisions are derived from the snapshot's
  // content, so a change moves them and equal data in another process gives the same.
  const reads = forwardReads(() => read);
  return { ...reads, ...writes };
}
