/**
 * @module engines/publish/releases — the releases resource and its actions (Keygen's ReleasesController,
 * PublishingsController, release constraints and package relationships): create, list, show, update,
 * delete, publish, yank, attach/detach constraints, move to another package.
 */
import { accessDenied, authorize } from "../../access/authorize.js";
import { assertMayWrite, requireAuthenticated } from "../../access/permissions.js";
import { isPackageVisible } from "../../access/scope.js";
import { ConflictError, ValidationError, notFound } from "../../core/errors.js";
import { jsonResult, noContentResult, type EngineResult } from "../../core/result.js";
import { CHANNELS, parseVersion, type Channel } from "../../core/version.js";
import { RELEASE_STATUSES, type Entitlement, type Package, type Release, type ReleaseStatus } from "../../model/records.js";
import type { ReleaseChanges, ReleaseFilter } from "../../store/write.js";
import type { EngineContext } from "../context.js";
import { optionalParam } from "../query.js";
import { linkUrl } from "../urls.js";
import { serializeRelease } from "../releases.js";
import { emptyList, listResult, removeBlobs, type ListInput, type PublishContext, productFilter } from "./context.js";
import {
  ConstraintsAttachDocument,
  ConstraintsDetachDocument,
  PublishDocument,
  ReleaseCreateDocument,
  ReleasePackageDocument,
  ReleaseUpdateDocument,
  YankDocument,
  parseDocument,
} from "./documents.js";
import { releaseEvent } from "./events.js";
import type { DocumentInput } from "./packages.js";
import { constraintId, serializeConstraint, serializePackage } from "./serialize.js";
import { canonicalVersion, checkBackdated, checkMetadata, checkReleaseText, checkTag, unprocessable, withPointer } from "./validate.js";

/** Keygen's limit of constraints given with one release (`accepts_nested_attributes_for … limit: 20`). */
const MAX_CONSTRAINTS = 20;
/** Longest yank reason kept. */
const MAX_REASON = 1024;

/** The `{release}` segment (UUID, version or tag) and the query that may narrow it (`package`, `product`). */
export interface ReleaseRef {
  release: string;
  query: URLSearchParams;
}

const ser = (ctx: EngineContext, release: Release) => serializeRelease(release, { accountId: ctx.account.id, urls: ctx.urls });

/**
 * A release by UUID, version or tag that the caller can find (Keygen's `?package=`/`?product=` narrow it).
 * @throws {NotFoundError} `The requested release '<id>' was not found`.
 */
export async function findReleaseFor(ctx: EngineContext, ref: ReleaseRef): Promise<Release> {
  const where: { productId?: string; packageId?: string | null } = {};
  const product = optionalParam(ref.query, "product");
  if (product !== undefined) {
    const found = await ctx.store.getProduct(ctx.account.id, product);
    if (found === null) throw notFound("release", ref.release);
    where.productId = found.id;
  }
  const pkg = ref.query.get("package");
  if (pkg !== null) {
    if (pkg.trim() === "") where.packageId = null;
    else {
      const found = await ctx.store.getPackage(ctx.account.id, pkg);
      if (found === null) throw notFound("release", ref.release);
      where.packageId = found.id;
    }
  }
  const release = await ctx.store.findRelease(ctx.account.id, ref.release, ctx.lookupScope, where);
  if (release === null) throw notFound("release", ref.release);
  return release;
}

/** A release the caller can find and may change. @throws {UnauthorizedError} / {@link NotFoundError} / {@link ForbiddenError}. */
async function writableRelease(ctx: PublishContext, ref: ReleaseRef): Promise<Release> {
  requireAuthenticated(ctx.principal);
  const release = await findReleaseFor(ctx, ref);
  assertMayWrite(ctx.principal, release.productId);
  return release;
}

/** `GET /releases/{id-or-version-or-tag}`. @throws {NotFoundError} / {@link ForbiddenError} with Keygen's reason. */
export async function retrieveRelease(ctx: EngineContext, ref: ReleaseRef): Promise<EngineResult> {
  const release = await findReleaseFor(ctx, ref);
  const product = await ctx.store.getProduct(ctx.account.id, release.productId);
  if (product === null) throw notFound("release", ref.release);
  const decision = authorize(ctx.principal, "read", { type: "release", release, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);
  return jsonResult(200, { data: ser(ctx, release) });
}

function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalParam(query, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError("is invalid", { source: { parameter: name } });
  return value as T;
}

/** `GET /releases[?product=&package=&channel=&status=&version=]` with Keygen's pagination. */
export async function listReleases(ctx: PublishContext, input: ListInput): Promise<EngineResult> {
  const filter: ReleaseFilter = {};
  let none = false;
  const productId = await productFilter(ctx, input.query);
  if (productId === null) none = true;
  else if (productId !== undefined) filter.productId = productId;
  const pkg = input.query.get("package");
  if (pkg !== null) {
    if (pkg.trim() === "") filter.packageId = null;
    else {
      const found = await ctx.store.getPackage(ctx.account.id, pkg);
      if (found === null) none = true;
      else filter.packageId = found.id;
    }
  }
  const channel = oneOf<Channel>(input.query, "channel", CHANNELS);
  if (channel !== undefined) filter.channel = channel;
  const status = oneOf<ReleaseStatus>(input.query, "status", RELEASE_STATUSES);
  if (status !== undefined) filter.status = status;
  const version = optionalParam(input.query, "version");
  if (version !== undefined) filter.version = parseVersion(version)?.version ?? version;
  return listResult(
    input,
    (page) => (none ? Promise.resolve(emptyList()) : ctx.store.listReleases(ctx.account.id, ctx.scope, filter, page)),
    (r) => ser(ctx, r),
  );
}

/** Entitlements named by constraint items (id or code), in order. @throws {ConflictError} `ENTITLEMENT_NOT_FOUND` at the item. */
async function entitlementsOf(ctx: PublishContext, ids: readonly string[], pointer: (i: number) => string): Promise<Entitlement[]> {
  const found = ids.length === 0 ? [] : await ctx.store.getEntitlements(ctx.account.id, ids);
  return ids.map((id, i) => {
    const e = found.find((x) => x.id === id || x.code === id);
    if (e === undefined) throw new ConflictError("must exist", { code: "ENTITLEMENT_NOT_FOUND", pointer: pointer(i) });
    return e;
  });
}

/** A package the caller may see, for a release of `productId`. @throws {ConflictError} `PACKAGE_NOT_FOUND` / `PACKAGE_NOT_ALLOWED`. */
async function packageFor(ctx: PublishContext, idOrKey: string, productId: string, pointer: string): Promise<Package> {
  const pkg = await ctx.store.getPackage(ctx.account.id, idOrKey);
  const product = pkg === null ? null : await ctx.store.getProduct(ctx.account.id, pkg.productId);
  if (pkg === null || product === null || !isPackageVisible(ctx.lookupScope, pkg, product)) {
    throw new ConflictError("must exist", { code: "PACKAGE_NOT_FOUND", pointer });
  }
  if (pkg.productId !== productId) throw new ConflictError("package product must match release product", { code: "PACKAGE_NOT_ALLOWED", pointer });
  return pkg;
}

/**
 * `POST /releases`: 201 with the release and its `Location`.
 * @throws {UnauthorizedError} anonymous; {@link ForbiddenError} not a writer of the product; {@link ValidationError}
 * 400 for a malformed document; {@link ConflictError} 422 (`VERSION_INVALID`, `VERSION_CHANNEL_INVALID`, `VERSION_TAKEN`, …).
 */
export async function createRelease(ctx: PublishContext, input: DocumentInput): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { data } = parseDocument(ReleaseCreateDocument, input.document);
  const product = await ctx.store.getProduct(ctx.account.id, data.relationships.product.data.id);
  assertMayWrite(ctx.principal, product?.id ?? null);
  if (product === null) throw unprocessable("releases", "relationships/product", "PRODUCT_NOT_FOUND", "must exist");
  const a = data.attributes;
  const pkgRef = data.relationships.package?.data ?? null;
  const pkg = pkgRef === null ? null : await packageFor(ctx, pkgRef.id, product.id, "/data/relationships/package");
  const version = canonicalVersion(a.version, a.channel);
  const tag = checkTag(a.tag) ?? null;
  checkReleaseText(a.name, a.description);
  const backdated = checkBackdated(a.backdated, ctx.now) ?? null;
  checkMetadata("releases", a.metadata ?? {});
  const items = data.relationships.constraints?.data ?? [];
  if (items.length > MAX_CONSTRAINTS) {
    throw new ConflictError("too many records", { code: "CONSTRAINTS_LIMIT_EXCEEDED", pointer: "/data/relationships/constraints" });
  }
  const entitlements = await entitlementsOf(
    ctx,
    items.map((c) => c.relationships.entitlement.data.id),
    (i) => `/data/relationships/constraints/data/${i}/relationships/entitlement`,
  );
  let release: Release;
  try {
    release = await ctx.store.createRelease(
      ctx.account.id,
      {
        productId: product.id,
        packageId: pkg?.id ?? null,
        version,
        channel: a.channel,
        status: a.status ?? "DRAFT",
        tag,
        name: a.name ?? null,
        description: a.description ?? null,
        entitlements: [...new Set(entitlements.map((e) => e.code))],
        metadata: a.metadata ?? {},
        backdated,
      },
      ctx.now,
    );
  } catch (error) {
    throw withPointer(error);
  }
  ctx.emit(releaseEvent("release.created", release, ctx.now));
  return jsonResult(201, { data: ser(ctx, release) }, { Location: linkUrl(ctx, "releases.one", { account: ctx.account.id, id: release.id }) });
}

async function applyChanges(ctx: PublishContext, release: Release, changes: ReleaseChanges, pointerless = false): Promise<Release> {
  let updated: Release | null;
  try {
    updated = await ctx.store.updateRelease(ctx.account.id, release.id, changes, ctx.now);
  } catch (error) {
    throw pointerless ? error : withPointer(error);
  }
  if (updated === null) throw notFound("release", release.id);
  return updated;
}

/** `PATCH /releases/{id}`: name, description, tag, backdated, metadata; 200 with the release. */
export async function updateRelease(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const a = parseDocument(ReleaseUpdateDocument, input.document).data.attributes;
  checkReleaseText(a.name, a.description);
  const changes: ReleaseChanges = {};
  if (a.name !== undefined) changes.name = a.name;
  if (a.description !== undefined) changes.description = a.description;
  const tag = checkTag(a.tag);
  if (tag !== undefined) changes.tag = tag;
  const backdated = checkBackdated(a.backdated, ctx.now);
  if (backdated !== undefined) changes.backdated = backdated;
  if (a.metadata !== undefined && a.metadata !== null) {
    checkMetadata("releases", a.metadata);
    changes.metadata = a.metadata;
  }
  const updated = await applyChanges(ctx, release, changes);
  ctx.emit(releaseEvent("release.updated", updated, ctx.now));
  return jsonResult(200, { data: ser(ctx, updated) });
}

/** `DELETE /releases/{id}`: 204; its artifacts and their bytes go too. */
export async function deleteRelease(ctx: PublishContext, input: ReleaseRef): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const removed = await ctx.store.deleteRelease(ctx.account.id, release.id);
  if (removed === null) throw notFound("release", input.release);
  await removeBlobs(ctx, removed);
  ctx.emit(releaseEvent("release.deleted", release, ctx.now));
  return noContentResult();
}

async function setStatus(ctx: PublishContext, release: Release, status: ReleaseStatus, reason?: string | null): Promise<Release> {
  const updated = await ctx.store.setReleaseStatus(ctx.account.id, release.id, status, ctx.now, reason);
  if (updated === null) throw notFound("release", release.id);
  return updated;
}

/** `POST /releases/{id}/actions/publish`: 200 with the PUBLISHED release. */
export async function publishRelease(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  parseDocument(PublishDocument, input.document);
  const updated = await setStatus(ctx, release, "PUBLISHED");
  ctx.emit(releaseEvent("release.published", updated, ctx.now));
  return jsonResult(200, { data: ser(ctx, updated) });
}

/** `POST /releases/{id}/actions/yank` (optional `meta.reason`): 200 with the YANKED release. */
export async function yankRelease(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const doc = parseDocument(YankDocument, input.document);
  const reason = doc.meta?.reason ?? null;
  if (reason !== null && reason.length > MAX_REASON) {
    throw new ConflictError(`is too long (maximum is ${MAX_REASON} characters)`, { code: "REASON_TOO_LONG", pointer: "/meta/reason" });
  }
  const updated = await setStatus(ctx, release, "YANKED", reason === null || reason.trim() === "" ? null : reason);
  ctx.emit(releaseEvent("release.yanked", updated, ctx.now));
  return jsonResult(200, { data: ser(ctx, updated) });
}

async function entitlementRecords(ctx: PublishContext, codes: readonly string[]): Promise<Entitlement[]> {
  return codes.length === 0 ? [] : ctx.store.getEntitlements(ctx.account.id, codes);
}

/** `POST /releases/{id}/constraints`: attach entitlements; 200 with the new constraints. */
export async function attachConstraints(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const items = parseDocument(ConstraintsAttachDocument, input.document).data;
  const entitlements = await entitlementsOf(ctx, items.map((c) => c.relationships.entitlement.data.id), (i) => `/data/${i}/relationships/entitlement`);
  entitlements.forEach((e, i) => {
    if (release.entitlements.includes(e.code) || entitlements.findIndex((x) => x.id === e.id) !== i) {
      throw new ConflictError("already exists", { code: "ENTITLEMENT_TAKEN", pointer: `/data/${i}/relationships/entitlement` });
    }
  });
  const updated = entitlements.length === 0 ? release : await applyChanges(ctx, release, { entitlements: [...release.entitlements, ...entitlements.map((e) => e.code)] });
  if (entitlements.length > 0) ctx.emit(releaseEvent("release.constraints.attached", updated, ctx.now));
  return jsonResult(200, { data: entitlements.map((e) => serializeConstraint(updated, e, { accountId: ctx.account.id, urls: ctx.urls })) });
}

/** `DELETE /releases/{id}/constraints`: detach constraints (by id, or by entitlement); 204. */
export async function detachConstraints(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const items = parseDocument(ConstraintsDetachDocument, input.document).data;
  const attached = await entitlementRecords(ctx, release.entitlements);
  const codes = items.map((item, i) => {
    if ((item.id === undefined) === (item.relationships === undefined)) {
      throw new ValidationError(item.id === undefined ? "is missing" : "unpermitted parameter", { source: { pointer: `/data/${i}/${item.id === undefined ? "id" : "relationships"}` } });
    }
    const term = item.id ?? (item.relationships?.entitlement.data.id as string);
    const hit = attached.find((e) => (item.id !== undefined ? constraintId(release.id, e.id) === term : e.id === term || e.code === term));
    if (hit === undefined) {
      throw new ConflictError(`cannot detach constraint '${term}' (constraint is not attached)`, { code: "CONSTRAINT_NOT_ATTACHED", pointer: `/data/${i}` });
    }
    return hit.code;
  });
  if (codes.length > 0) {
    const updated = await applyChanges(ctx, release, { entitlements: release.entitlements.filter((c) => !codes.includes(c)) });
    ctx.emit(releaseEvent("release.constraints.detached", updated, ctx.now));
  }
  return noContentResult();
}

/** `PUT /releases/{id}/package`: move the release to another package of its product, or to none; 200 with the package. */
export async function changeReleasePackage(ctx: PublishContext, input: ReleaseRef & DocumentInput): Promise<EngineResult> {
  const release = await writableRelease(ctx, input);
  const ref = parseDocument(ReleasePackageDocument, input.document).data;
  const pkg = ref === null ? null : await packageFor(ctx, ref.id, release.productId, "/data");
  const updated = await applyChanges(ctx, release, { packageId: pkg?.id ?? null });
  ctx.emit(releaseEvent("release.package.updated", updated, ctx.now));
  return jsonResult(200, { data: pkg === null ? null : serializePackage(pkg, { accountId: ctx.account.id, urls: ctx.urls }) });
}
