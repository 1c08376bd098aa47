/**
 * @module store/types — the one store contract every backend implements.
 *
 * Every method is async. Not found is `null`, none is `[]`, and a real failure throws (the
 * handler turns it into a 503 without internals). Queries take a {@link Scope} so that a SQL
 * store can filter and order with indexed SQL instead of loading tables into JavaScript.
 * `runStoreConformance` from `release-engines/testing` checks an implementation.
 */
import type { Channel } from "../core/version.js";
import type {
  Account,
  Artifact,
  ArtifactStatus,
  Engine,
  EngineKey,
  License,
  Package,
  Policy,
  Product,
  Release,
  Token,
  User,
} from "../model/records.js";
import type { Scope } from "../access/scope.js";

/** Whose view a package revision follows: everything (`all`), or what callers without sight of drafts can see (`listed`). */
export type RevisionAudience = "all" | "listed";

/**
 * Keygen's filters of an artifact lookup (`GET /artifacts/{id}?product=&release=&…`), all ANDed;
 * a null `packageId`, `engine`, `platform`, `arch` or `filetype` means the record has none.
 */
export interface ArtifactLookupFilter {
  productId?: string;
  releaseId?: string;
  packageId?: string | null;
  /** The release's package's engine key; null: no package, or a package without an engine. */
  engine?: EngineKey | null;
  /** The release channels allowed (Keygen's channel matrix for `?channel=`). */
  channels?: readonly Channel[];
  platform?: string | null;
  arch?: string | null;
  filetype?: string | null;
  status?: ArtifactStatus;
}

/** Sort direction of a list. */
export type Order = "asc" | "desc";

/** A page request: offset or keyset (after the record with this id). */
export interface PageQuery {
  order: Order;
  limit: number;
  offset?: number;
  /** Keyset pagination: start after the record with this id (in `order`). */
  after?: string;
}

/** A release together with the artifact found for it. */
export interface ArtifactWithRelease {
  artifact: Artifact;
  release: Release;
}

/** Filters on a release's version range, from an upgrade constraint. */
export interface VersionRange {
  /** Inclusive lower bound on the precedence key. */
  minKey: string;
  /** Exclusive upper bound on the precedence key. */
  maxKey: string;
  /** Keygen pre-release word/number the candidate must carry, when the constraint names one. */
  preWord?: string;
  preNum?: number;
  /** Keygen build word/number the candidate must carry, when the constraint names `+build` (`1+p1`). */
  buildWord?: string;
  buildNum?: number;
}

/** The question "what is the newest allowed release after this one?", answered by the store. */
export interface UpgradeQuery {
  accountId: string;
  productId: string;
  /** Candidates must belong to this package, or to no package when null. */
  packageId: string | null;
  /** Only versions whose precedence key is strictly greater. */
  afterKey: string;
  /** Allowed candidate channels. */
  channels: readonly Channel[];
  range?: VersionRange;
  scope: Scope;
  /** When set, the candidate must have a visible, signed artifact for this platform and arch. */
  artifact?: { platform: string; arch: string };
}

/** Which release a raw link names. */
export interface RawArtifactQuery {
  accountId: string;
  productId: string;
  packageId: string | null;
  /** Release id, version or tag; `latest` also means the newest stable release with the file. */
  release: string;
  /** Artifact id or filename. */
  artifact: string;
  scope: Scope;
}

/** The store contract. */
export interface Store {
  /** Account by UUID or slug; null when none. */
  getAccount(idOrSlug: string): Promise<Account | null>;
  /** Product by UUID or code within the account; null when none. */
  getProduct(accountId: string, idOrCode: string): Promise<Product | null>;
  /** Products by id (any order); unknown ids are skipped. */
  getProducts(accountId: string, ids: readonly string[]): Promise<Product[]>;

  /** Package by UUID (matching id or key) or key; optionally only of one engine; null when none. */
  getPackage(accountId: string, idOrKey: string, engine?: EngineKey): Promise<Package | null>;
  /** Packages of an engine visible to the scope, newest first (created desc, id desc); [] when none. */
  listPackages(accountId: string, engine: EngineKey, scope: Scope): Promise<Package[]>;

  /** Engines with at least one package visible to the scope, one page in `(created, id)` order. */
  listEngines(accountId: string, scope: Scope, page: PageQuery): Promise<Engine[]>;
  /** How many engines `listEngines` would return without paging. */
  countEngines(accountId: string, scope: Scope): Promise<number>;
  /**
   * Engine by UUID (matching id or key) or key; admins see engines without packages, others only
   * engines with a package visible to them; the oldest wins when several match; null when none.
   */
  getEngine(accountId: string, idOrKey: string, scope: Scope): Promise<Engine | null>;

  /** Release by id; null when none (no scope: callers authorize). */
  getRelease(accountId: string, id: string): Promise<Release | null>;
  /**
   * Release of a product and package (null: package-less) by exact canonical version; only
   * releases visible to the scope; null when none.
   */
  getReleaseByVersion(accountId: string, productId: string, packageId: string | null, version: string, scope: Scope): Promise<Release | null>;
  /**
   * Release by UUID, version or tag visible to the scope, optionally within a product/package
   * (`packageId` undefined: any); the oldest wins when several match; null when none.
   */
  findRelease(accountId: string, idOrVersionOrTag: string, scope: Scope, where?: { productId?: string; packageId?: string | null }): Promise<Release | null>;
  /** The newest release matching an upgrade query (precedence desc, then created desc); null when none. */
  findUpgrade(query: UpgradeQuery): Promise<Release | null>;

  /** Artifact by id with its release; null when none (no scope: callers authorize). */
  getArtifact(accountId: string, id: string): Promise<ArtifactWithRelease | null>;
  /**
   * Artifacts of a release visible to the scope, optionally of one platform and arch, newest
   * first (created desc, id desc); [] when none.
   */
  listReleaseArtifacts(accountId: string, releaseId: string, scope: Scope, filter?: { platform?: string; arch?: string }): Promise<Artifact[]>;
  /**
   * Artifacts of all releases of a package visible to the scope, ordered by release precedence
   * desc, then artifact created desc, then id; [] when none.
   */
  listPackageArtifacts(accountId: string, packageId: string, scope: Scope): Promise<ArtifactWithRelease[]>;
  /** The artifact a raw link names; null when none. */
  findRawArtifact(query: RawArtifactQuery): Promise<ArtifactWithRelease | null>;
  /**
   * Artifact by id or filename visible to the scope; by filename the highest release precedence
   * wins, then the newest artifact; null when none.
   */
  findArtifact(accountId: string, idOrFilename: string, scope: Scope, filter?: ArtifactLookupFilter): Promise<ArtifactWithRelease | null>;

  /**
   * An opaque revision of a package that changes whenever it, its releases or its artifacts change;
   * with `audience` `"listed"`, whenever what a caller who sees only published (or yanked) releases
   * and UPLOADED artifacts could be shown of it changes, so writes no such caller can see (a draft
   * release, a WAITING artifact) leave it alone. A store may answer the full revision for both.
   */
  getPackageRevision(accountId: string, packageId: string, audience?: RevisionAudience): Promise<string>;
  /** An opaque revision of the account's catalogue (products and packages). */
  getAccountRevision(accountId: string): Promise<string>;

  /** License by exact key; null when none. */
  getLicenseByKey(accountId: string, key: string): Promise<License | null>;
  /** License by id; null when none. */
  getLicense(accountId: string, id: string): Promise<License | null>;
  /** Licenses a user owns or is a user of; [] when none. */
  listUserLicenses(accountId: string, userId: string): Promise<License[]>;
  /** Policy by id; null when none. */
  getPolicy(accountId: string, id: string): Promise<Policy | null>;
  /** User by id; null when none. */
  getUser(accountId: string, id: string): Promise<User | null>;
  /** Token by its HMAC-SHA256 digest; null when none. */
  getTokenByDigest(accountId: string, digest: string): Promise<Token | null>;
}
