/**
 * @module engines/releases — the release resource and `GET /releases/{release}/upgrade`.
 */
import { upgradeScopeOf } from "../access/principal.js";
import { accessDenied, authorize } from "../access/authorize.js";
import { notFound } from "../core/errors.js";
import { jsonResult, type EngineResult } from "../core/result.js";
import { parseStrict } from "../core/version.js";
import type { Release } from "../model/records.js";
import type { EngineContext } from "./context.js";
import { optionalParam, restorePlus } from "./query.js";
import { parseConstraint, resolveUpgrade, type UpgradeRequest } from "./upgrade.js";
import { linkPath, type Urls } from "./urls.js";

/** A JSON:API resource object of type `releases`. */
export interface ReleaseResource {
  id: string;
  type: "releases";
  attributes: {
    name: string | null;
    description: string | null;
    channel: string;
    status: string;
    tag: string | null;
    version: string;
    semver: { major: number; minor: number; patch: number; prerelease: string | null; build: string | null } | null;
    metadata: Record<string, unknown>;
    created: string;
    updated: string;
    backdated: string | null;
    yanked: string | null;
  };
  relationships: Record<string, { data?: unknown; links: { related: string } }>;
  links: { self: string };
}

/** One release as a JSON:API resource object (relative links, account UUID). */
export function serializeRelease(release: Release, ctx: { accountId: string; urls?: Urls | undefined }): ReleaseResource {
  const at = { account: ctx.accountId, id: release.id };
  const self = linkPath(ctx, "releases.one", at);
  const v = parseStrict(release.version);
  return {
    id: release.id,
    type: "releases",
    attributes: {
      name: release.name,
      description: release.description,
      channel: release.channel,
      status: release.status,
      tag: release.tag,
      version: release.version,
      semver: v === null ? null : { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease, build: v.build },
      metadata: release.metadata,
      created: release.created,
      updated: release.updated,
      backdated: release.backdated,
      yanked: release.yanked,
    },
    relationships: {
      account: { data: { type: "accounts", id: release.accountId }, links: { related: linkPath(ctx, "account", { account: release.accountId }) } },
      product: { data: { type: "products", id: release.productId }, links: { related: `${self}/product` } },
      package: { data: release.packageId === null ? null : { type: "packages", id: release.packageId }, links: { related: linkPath(ctx, "releases.package", at) } },
      entitlements: { links: { related: `${self}/entitlements` } },
      constraints: { links: { related: linkPath(ctx, "releases.constraints", at) } },
      artifacts: { links: { related: `${self}/artifacts` } },
      upgrade: { links: { related: linkPath(ctx, "releases.upgrade", at) } },
    },
    links: { self },
  };
}

/** Input of {@link upgradeRelease}: the `{release}` segment (UUID, version or tag) and the query. */
export interface UpgradeReleaseInput {
  release: string;
  /** `channel`, `constraint`, `package` (blank: package-less), `product`. */
  query: URLSearchParams;
}

/**
 * The newest upgrade of a release the caller may see, as a JSON:API release with `meta {current, next}`.
 * @throws {ValidationError} `CONSTRAINT_INVALID` for a bad constraint; `cannot be blank` for a blank channel or constraint.
 * @throws {NotFoundError} when the release, the named product or package, or any upgrade is not found.
 * @throws {ForbiddenError} when the caller finds the release but may not upgrade it.
 */
export async function upgradeRelease(ctx: EngineContext, input: UpgradeReleaseInput): Promise<EngineResult> {
  const channel = optionalParam(input.query, "channel");
  const constraint = optionalParam(input.query, "constraint");
  const range = constraint === undefined ? undefined : parseConstraint(restorePlus(constraint));
  const where: { productId?: string; packageId?: string | null } = {};
  const productTerm = optionalParam(input.query, "product");
  if (productTerm !== undefined) {
    const product = await ctx.store.getProduct(ctx.account.id, productTerm);
    if (product === null) throw notFound("release", input.release);
    where.productId = product.id;
  }
  const packageTerm = input.query.get("package");
  if (packageTerm !== null) {
    if (packageTerm.trim() === "") where.packageId = null;
    else {
      const pkg = await ctx.store.getPackage(ctx.account.id, packageTerm);
      if (pkg === null) throw notFound("release", input.release);
      where.packageId = pkg.id;
    }
  }

  const current = await ctx.store.findRelease(ctx.account.id, input.release, ctx.lookupScope, where);
  if (current === null) throw notFound("release", input.release);
  const product = await ctx.store.getProduct(ctx.account.id, current.productId);
  if (product === null) throw notFound("release", input.release);
  const decision = authorize(ctx.principal, "upgrade", { type: "release", release: current, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);

  const request: UpgradeRequest = { current };
  if (channel !== undefined) request.channel = channel;
  if (range !== undefined) request.range = range;
  if (where.packageId !== undefined) request.packageId = where.packageId;
  // Keygen chooses among the releases its expiry-aware scope shows (created or backdated within the
  // window), then authorizes the one chosen: a release the policy refuses is its 403, never an older one.
  const upgrade = await resolveUpgrade({ store: ctx.store, accountId: ctx.account.id, scope: upgradeScopeOf(ctx.principal, ctx.lookupScope) }, request);
  if (upgrade === null) throw notFound("release");
  const next = authorize(ctx.principal, "upgrade", { type: "release", release: upgrade, product }, ctx.now);
  if (!next.allowed) throw accessDenied(next);
  const data = serializeRelease(upgrade, { accountId: ctx.account.id, urls: ctx.urls });
  ctx.emit?.({ type: "release.upgraded", accountId: ctx.account.id, at: ctx.now.toISOString(), data: data as unknown as Record<string, unknown> });
  return jsonResult(200, { data, meta: { current: current.version, next: upgrade.version } });
}
