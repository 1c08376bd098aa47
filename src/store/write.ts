/**
 * @module store/write — the write contract beside the read one: what a store that can publish implements.
 *
 * Every method is one atomic change: it either happens whole (and bumps the revisions that caches
 * and ETags derive from, so the next read of any server on the same data sees it) or not at all.
 * Uniqueness is the store's own job (unique indexes in SQL), so two servers racing on one database
 * cannot both win: the loser gets a {@link ConflictError}. Callers (the HTTP routes) validate shape,
 * authorize and normalise before calling; the store checks only what needs its data: uniqueness,
 * that referenced records exist in the same account, and status transitions.
 *
 * Conflicts carry Keygen's codes and pointers: `KEY_TAKEN`, `VERSION_TAKEN`, `TAG_TAKEN`,
 * `FILENAME_TAKEN` (`/data/attributes/<field>`, "has already been taken"); `PRODUCT_NOT_FOUND`,
 * `PACKAGE_NOT_FOUND`, `RELEASE_NOT_FOUND`, `ENTITLEMENT_NOT_FOUND` (`/data/relationships/<name>`,
 * "must exist"); `PACKAGE_INVALID` (a package of another product); `ARTIFACT_NOT_WAITING`.
 *
 * Not found is `null` (the caller answers 404). `runWriteConformance` from `release-engines/testing`
 * checks an implementation.
 */
import type { ConflictError } from "../core/errors.js";
import type { Channel } from "../core/version.js";
import type { Scope } from "../access/scope.js";
import type { Artifact, ArtifactStatus, EngineKey, Entitlement, Package, Release, ReleaseStatus } from "../model/records.js";
import type { ArtifactWithRelease, PageQuery, Store } from "./types.js";

/** A package to create; `id` is generated (UUIDv4) when absent. */
export interface NewPackage {
  id?: string;
  productId: string;
  key: string;
  name: string;
  engine: EngineKey | null;
  metadata: Record<string, unknown>;
}

/** Attributes of a package that can change. */
export type PackageChanges = Partial<Pick<Package, "key" | "name" | "engine" | "metadata">>;

/** A release to create; `version` is already canonical and fits `channel`; `id` generated when absent. */
export interface NewRelease {
  id?: string;
  productId: string;
  packageId: string | null;
  version: string;
  channel: Channel;
  status: "DRAFT" | "PUBLISHED";
  tag: string | null;
  name: string | null;
  description: string | null;
  /** Entitlement codes (constraints); they must exist in the account. */
  entitlements: string[];
  metadata: Record<string, unknown>;
  backdated: string | null;
}

/** Attributes of a release that can change; `packageId` moves it to another package of its product (or none). */
export type ReleaseChanges = Partial<Pick<Release, "name" | "description" | "tag" | "metadata" | "backdated" | "packageId" | "entitlements">>;

/** An artifact to create (it starts WAITING); `id` generated when absent. */
export interface NewArtifact {
  id?: string;
  releaseId: string;
  filename: string;
  filetype: string | null;
  filesize: number | null;
  platform: string | null;
  arch: string | null;
  signature: string | null;
  checksum: string | null;
  metadata: Record<string, unknown>;
}

/** Attributes of an artifact that can change after creation. */
export type ArtifactChanges = Partial<Pick<Artifact, "signature" | "checksum" | "metadata" | "filetype" | "platform" | "arch">>;

/** What an upload proved about an artifact's bytes. */
export interface UploadedBytes {
  /** Bytes received. */
  filesize: number;
  /** SHA-256 of the bytes, lower-case hex (always computed; kept as the checksum when none was declared). */
  sha256: string;
  /** Blob key the bytes now live under. */
  blob: string;
  /** Metadata found in the bytes (e.g. a wheel's `requiresPython`), merged over the artifact's own. */
  metadata?: Record<string, unknown>;
}

/** Filters of {@link WritableStore.listReleases} (all optional, ANDed). */
export interface ReleaseFilter {
  productId?: string;
  /** A package id, or null for releases without a package. */
  packageId?: string | null;
  channel?: Channel;
  status?: ReleaseStatus;
  version?: string;
}

/** Filters of {@link WritableStore.listArtifacts} (all optional, ANDed). */
export interface ArtifactFilter {
  releaseId?: string;
  productId?: string;
  packageId?: string | null;
  platform?: string;
  arch?: string;
  filetype?: string;
  status?: ArtifactStatus;
}

/** Filters of {@link WritableStore.listAllPackages}. */
export interface PackageFilter {
  productId?: string;
  engine?: EngineKey;
}

/** A page of records and how many there are without paging. */
export interface Paged<T> {
  items: T[];
  total: number;
}

/** The write contract: a {@link Store} that can also publish. */
export interface WritableStore extends Store {
  /** Always true: how {@link isWritableStore} tells a writable store from a read-only one. */
  readonly writable: true;

  /** Entitlements of the account by id or code, in the order asked; unknown ones are skipped. */
  getEntitlements(accountId: string, idsOrCodes: readonly string[]): Promise<Entitlement[]>;

  /** Packages of any engine visible to the scope, newest first (created desc, id desc) unless `page.order` is asc. */
  listAllPackages(accountId: string, scope: Scope, filter: PackageFilter, page: PageQuery): Promise<Paged<Package>>;
  /** Create a package. @throws {ConflictError} `KEY_TAKEN` when the key is used in the account. */
  createPackage(accountId: string, input: NewPackage, at: Date): Promise<Package>;
  /** Change a package; null when none. @throws {ConflictError} `KEY_TAKEN`. */
  updatePackage(accountId: string, id: string, changes: PackageChanges, at: Date): Promise<Package | null>;
  /** Delete a package with its releases and their artifacts; the artifacts removed (for their bytes), null when none. */
  deletePackage(accountId: string, id: string): Promise<Artifact[] | null>;

  /** Releases visible to the scope, newest first (created desc, id desc) unless `page.order` is asc. */
  listReleases(accountId: string, scope: Scope, filter: ReleaseFilter, page: PageQuery): Promise<Paged<Release>>;
  /**
   * Create a release. @throws {ConflictError} `VERSION_TAKEN` / `TAG_TAKEN` when the version or tag
   * is used by another release of the same product and package; `ENTITLEMENT_NOT_FOUND` for an unknown code.
   */
  createRelease(accountId: string, input: NewRelease, at: Date): Promise<Release>;
  /** Change a release (moving it to another package of its product too); null when none. @throws {ConflictError}. */
  updateRelease(accountId: string, id: string, changes: ReleaseChanges, at: Date): Promise<Release | null>;
  /**
   * Set a release's status: PUBLISHED clears `yanked`; YANKED sets `yanked` to `at` and keeps the
   * reason in `metadata.yankReason` (removed when null); null when none.
   */
  setReleaseStatus(accountId: string, id: string, status: ReleaseStatus, at: Date, reason?: string | null): Promise<Release | null>;
  /** Delete a release and its artifacts; the artifacts removed (for their bytes), null when none. */
  deleteRelease(accountId: string, id: string): Promise<Artifact[] | null>;

  /** Artifacts visible to the scope with their releases, newest first (created desc, id desc) unless `page.order` is asc. */
  listArtifacts(accountId: string, scope: Scope, filter: ArtifactFilter, page: PageQuery): Promise<Paged<ArtifactWithRelease>>;
  /** Create a WAITING artifact. @throws {ConflictError} `FILENAME_TAKEN` when the release has that filename. */
  createArtifact(accountId: string, input: NewArtifact, at: Date): Promise<Artifact>;
  /** Change an artifact's signature, checksum, metadata, filetype, platform or arch; null when none. */
  updateArtifact(accountId: string, id: string, changes: ArtifactChanges, at: Date): Promise<Artifact | null>;
  /**
   * Mark a WAITING (or FAILED) artifact UPLOADED with what the upload proved; null when none.
   * @throws {ConflictError} `ARTIFACT_NOT_WAITING` when it is already UPLOADED (an upload URL cannot be replayed).
   */
  completeArtifact(accountId: string, id: string, bytes: UploadedBytes, at: Date): Promise<Artifact | null>;
  /** Mark a WAITING artifact FAILED, the reason in `metadata.failureReason`; null when none; an UPLOADED one is left as it is. */
  failArtifact(accountId: string, id: string, reason: string, at: Date): Promise<Artifact | null>;
  /** Delete an artifact; the artifact removed (for its bytes), null when none. */
  deleteArtifact(accountId: string, id: string): Promise<Artifact | null>;
}

/** True when a store implements the write contract. */
export function isWritableStore(store: Store): store is WritableStore {
  return (store as Partial<WritableStore>).writable === true && typeof (store as Partial<WritableStore>).createRelease === "function";
}
