/**
 * @module engines/publish/serialize — Keygen's JSON:API serialisation of packages and release
 * entitlement constraints (releases and artifacts: engines/releases, engines/artifacts).
 */
import { uuidV5 } from "../../core/uuid.js";
import type { Entitlement, Package, Release } from "../../model/records.js";
import { linkPath, type Urls } from "../urls.js";

/** A JSON:API resource object of type `packages` (Keygen's ReleasePackageSerializer). */
export interface PackageResource {
  id: string;
  type: "packages";
  attributes: { name: string; key: string; engine: string | null; metadata: Record<string, unknown>; created: string; updated: string };
  relationships: Record<string, { data: { type: string; id: string }; links: { related: string } }>;
  links: { related: string };
}

/** One package as a JSON:API resource object (relative links, account UUID). */
export function serializePackage(pkg: Package, ctx: { accountId: string; urls?: Urls | undefined }): PackageResource {
  const a = linkPath(ctx, "account", { account: ctx.accountId });
  return {
    id: pkg.id,
    type: "packages",
    attributes: { name: pkg.name, key: pkg.key, engine: pkg.engine, metadata: pkg.metadata, created: pkg.created, updated: pkg.updated },
    relationships: {
      account: { data: { type: "accounts", id: pkg.accountId }, links: { related: linkPath(ctx, "account", { account: pkg.accountId }) } },
      product: { data: { type: "products", id: pkg.productId }, links: { related: `${a}/products/${pkg.productId}` } },
    },
    links: { related: linkPath(ctx, "packages.one", { account: ctx.accountId, id: pkg.id }) },
  };
}

/**
 * The id of a release's constraint on an entitlement: derived (UUIDv5 of both ids), since a
 * constraint is stored as the entitlement on the release, so the same pair always has the same id.
 */
export function constraintId(releaseId: string, entitlementId: string): string {
  return uuidV5(`constraint:${releaseId}:${entitlementId}`);
}

/** A release's constraint on an entitlement as a JSON:API resource object of type `constraints`. */
export function serializeConstraint(release: Release, entitlement: Entitlement, ctx: { accountId: string; urls?: Urls | undefined }): Record<string, unknown> {
  const a = linkPath(ctx, "account", { account: ctx.accountId });
  const at = { account: ctx.accountId, id: release.id };
  const id = constraintId(release.id, entitlement.id);
  return {
    id,
    type: "constraints",
    attributes: { created: release.updated, updated: release.updated },
    relationships: {
      account: { data: { type: "accounts", id: release.accountId }, links: { related: linkPath(ctx, "account", { account: release.accountId }) } },
      entitlement: { data: { type: "entitlements", id: entitlement.id }, links: { related: `${a}/entitlements/${entitlement.id}` } },
      release: { data: { type: "releases", id: release.id }, links: { related: linkPath(ctx, "releases.one", at) } },
    },
    links: { related: `${linkPath(ctx, "releases.constraints", at)}/${id}` },
  };
}
