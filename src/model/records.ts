/**
 * @module records — the domain model: zod schemas for every stored record, with types derived from them.
 */
import * as z from "zod";
import { CHANNELS } from "../core/version.js";

/** Engine keys Keygen defines. */
export const ENGINE_KEYS = ["pypi", "tauri", "raw", "rubygems", "npm", "oci"] as const;
/** An engine key. */
export type EngineKey = (typeof ENGINE_KEYS)[number];

/** Display names of the engines. */
export const ENGINE_NAMES: Record<EngineKey, string> = {
  pypi: "PyPI",
  tauri: "Tauri",
  raw: "Raw",
  rubygems: "RubyGems",
  npm: "npm",
  oci: "OCI",
};

const id = z.string().uuid();
const isoDate = z.string().datetime({ offset: true });
const metadata = z.record(z.string(), z.unknown());

/** An account: the tenant every other record belongs to. */
export const AccountSchema = z.object({
  id,
  slug: z.string().min(1),
  name: z.string(),
  secretKey: z.string().min(1),
  created: isoDate,
});
export type Account = z.infer<typeof AccountSchema>;

/** Product distribution strategies. */
export const DISTRIBUTION_STRATEGIES = ["OPEN", "LICENSED", "CLOSED"] as const;
export type DistributionStrategy = (typeof DISTRIBUTION_STRATEGIES)[number];

/** A product: what a license is for; its distribution strategy gates anonymous access. */
export const ProductSchema = z.object({
  id,
  accountId: id,
  code: z.string().nullable(),
  name: z.string(),
  distributionStrategy: z.enum(DISTRIBUTION_STRATEGIES),
  created: isoDate,
});
export type Product = z.infer<typeof ProductSchema>;

/** A package of a product, served by one engine. */
export const PackageSchema = z.object({
  id,
  accountId: id,
  productId: id,
  key: z.string().min(1),
  name: z.string(),
  engine: z.enum(ENGINE_KEYS).nullable(),
  metadata,
  created: isoDate,
  updated: isoDate,
});
export type Package = z.infer<typeof PackageSchema>;

/** An engine row, derived from the packages that use it. */
export const EngineSchema = z.object({
  id,
  accountId: id,
  key: z.enum(ENGINE_KEYS),
  name: z.string().nullable(),
  created: isoDate,
  updated: isoDate,
});
export type Engine = z.infer<typeof EngineSchema>;

/** Release statuses. */
export const RELEASE_STATUSES = ["DRAFT", "PUBLISHED", "YANKED"] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/** A release: one version of a product (and optionally of one package). */
export const ReleaseSchema = z.object({
  id,
  accountId: id,
  productId: id,
  packageId: id.nullable(),
  version: z.string(),
  /** SemVer precedence key (see core/version). */
  versionKey: z.string(),
  channel: z.enum(CHANNELS),
  status: z.enum(RELEASE_STATUSES),
  tag: z.string().nullable(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  /** Entitlement codes a license must hold, all of them. */
  entitlements: z.array(z.string()),
  metadata,
  created: isoDate,
  updated: isoDate,
  backdated: isoDate.nullable(),
  yanked: isoDate.nullable(),
});
export type Release = z.infer<typeof ReleaseSchema>;

/** Artifact statuses. */
export const ARTIFACT_STATUSES = ["WAITING", "PROCESSING", "UPLOADED", "FAILED", "YANKED"] as const;
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number];

/** An artifact: one file of a release. */
export const ArtifactSchema = z.object({
  id,
  accountId: id,
  releaseId: id,
  filename: z.string().min(1),
  filetype: z.string().nullable(),
  platform: z.string().nullable(),
  arch: z.string().nullable(),
  filesize: z.number().int().nonnegative().nullable(),
  checksum: z.string().nullable(),
  signature: z.string().nullable(),
  status: z.enum(ARTIFACT_STATUSES),
  metadata,
  created: isoDate,
  updated: isoDate,
  /** Blob key understood by the blob storage (a path relative to its root), or null. */
  blob: z.string().nullable(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

/** An entitlement that releases may require. */
export const EntitlementSchema = z.object({ id, accountId: id, code: z.string().min(1), name: z.string() });
export type Entitlement = z.infer<typeof EntitlementSchema>;

/** Policy expiration strategies. */
export const EXPIRATION_STRATEGIES = ["RESTRICT_ACCESS", "REVOKE_ACCESS", "MAINTAIN_ACCESS", "ALLOW_ACCESS"] as const;
export type ExpirationStrategy = (typeof EXPIRATION_STRATEGIES)[number];
/** Policy authentication strategies. */
export const AUTHENTICATION_STRATEGIES = ["TOKEN", "LICENSE", "SESSION", "MIXED", "NONE"] as const;
export type AuthenticationStrategy = (typeof AUTHENTICATION_STRATEGIES)[number];

/** A policy: the rules its licenses follow. */
export const PolicySchema = z.object({
  id,
  accountId: id,
  productId: id,
  name: z.string(),
  expirationStrategy: z.enum(EXPIRATION_STRATEGIES),
  authenticationStrategy: z.enum(AUTHENTICATION_STRATEGIES),
  entitlements: z.array(z.string()),
});
export type Policy = z.infer<typeof PolicySchema>;

/** User roles; every role but `user` is admin-like for reads. */
export const USER_ROLES = ["user", "admin", "developer", "read-only", "sales-agent", "support-agent"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A user of the account. */
export const UserSchema = z.object({ id, accountId: id, email: z.string(), role: z.enum(USER_ROLES), banned: z.boolean() });
export type User = z.infer<typeof UserSchema>;

/** A license: a key that grants access to a product's releases. */
export const LicenseSchema = z.object({
  id,
  accountId: id,
  policyId: id,
  productId: id,
  key: z.string().min(1),
  expiry: isoDate.nullable(),
  suspended: z.boolean(),
  ownerId: id.nullable(),
  userIds: z.array(id),
  /** Entitlement codes attached to the license itself (the policy's are added on top). */
  entitlements: z.array(z.string()),
});
export type License = z.infer<typeof LicenseSchema>;

/** Token bearer kinds. */
export const BEARER_TYPES = ["user", "product", "license"] as const;
export type BearerType = (typeof BEARER_TYPES)[number];

/** An API token, stored only as its HMAC digest. */
export const TokenSchema = z.object({
  id,
  accountId: id,
  bearerType: z.enum(BEARER_TYPES),
  bearerId: id,
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  expiry: isoDate.nullable(),
});
export type Token = z.infer<typeof TokenSchema>;
