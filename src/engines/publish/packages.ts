/**
 * @module engines/publish/packages — the packages resource: `POST /packages`, `GET /packages`,
 * `GET/PATCH/DELETE /packages/{id-or-key}` (Keygen's ReleasePackagesController).
 */
import { accessDenied, authorize } from "../../access/authorize.js";
import { assertMayWrite, requireAuthenticated } from "../../access/permissions.js";
import { isPackageVisible } from "../../access/scope.js";
import { notFound } from "../../core/errors.js";
import { normalizeProjectName } from "../../core/names.js";
import { jsonResult, noContentResult, type EngineResult } from "../../core/result.js";
import { isUuid } from "../../core/uuid.js";
import { ENGINE_KEYS, type EngineKey, type Package } from "../../model/records.js";
import type { PackageChanges, PackageFilter } from "../../store/write.js";
import type { EngineContext } from "../context.js";
import { optionalParam } from "../query.js";
import { linkUrl } from "../urls.js";
import { emptyList, listResult, removeBlobs, type ListInput, type PublishContext, productFilter } from "./context.js";
import { PackageCreateDocument, PackageUpdateDocument, parseDocument } from "./documents.js";
import { packageEvent } from "./events.js";
import { serializePackage } from "./serialize.js";
import { checkMetadata, checkPackageKey, checkPackageName, unprocessable, withPointer } from "./validate.js";

/** The request document of a create or update (undefined: no body). */
export interface DocumentInput {
  document: unknown;
}

/** A package's key as stored: PEP 503-normalised for the PyPI engine (as the dataset loader does). */
function storedKey(key: string, engine: EngineKey | null): string {
  return engine === "pypi" ? normalizeProjectName(key) : key;
}

/**
 * A package by UUID or key that the caller may see.
 * @throws {NotFoundError} `The requested release package '<id>' was not found` otherwise.
 */
export async function findPackage(ctx: EngineContext, idOrKey: string): Promise<Package> {
  let pkg = await ctx.store.getPackage(ctx.account.id, idOrKey);
  if (pkg === null && !isUuid(idOrKey)) pkg = await ctx.store.getPackage(ctx.account.id, normalizeProjectName(idOrKey), "pypi");
  const product = pkg === null ? null : await ctx.store.getProduct(ctx.account.id, pkg.productId);
  if (pkg === null || product === null || !isPackageVisible(ctx.lookupScope, pkg, product)) throw notFound("release package", idOrKey);
  return pkg;
}

/** `GET /packages[?product=&engine=]`: the packages the caller may see, with Keygen's pagination. */
export async function listPackages(ctx: PublishContext, input: ListInput): Promise<EngineResult> {
  const filter: PackageFilter = {};
  let none = false;
  const productId = await productFilter(ctx, input.query);
  if (productId === null) none = true;
  else if (productId !== undefined) filter.productId = productId;
  const engine = optionalParam(input.query, "engine");
  if (engine !== undefined) {
    if ((ENGINE_KEYS as readonly string[]).includes(engine)) filter.engine = engine as EngineKey;
    else {
      const found = isUuid(engine) ? await ctx.store.getEngine(ctx.account.id, engine, ctx.scope) : null;
      if (found === null) none = true;
      else filter.engine = found.key;
    }
  }
  return listResult(
    input,
    (page) => (none ? Promise.resolve(emptyList()) : ctx.store.listAllPackages(ctx.account.id, ctx.scope, filter, page)),
    (p) => serializePackage(p, { accountId: ctx.account.id, urls: ctx.urls }),
  );
}

/** `GET /packages/{id-or-key}`. @throws {NotFoundError} when the caller may not see it. */
export async function retrievePackage(ctx: EngineContext, input: { id: string }): Promise<EngineResult> {
  const pkg = await findPackage(ctx, input.id);
  const product = await ctx.store.getProduct(ctx.account.id, pkg.productId);
  if (product === null) throw notFound("release package", input.id);
  const decision = authorize(ctx.principal, "read", { type: "package", package: pkg, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);
  return jsonResult(200, { data: serializePackage(pkg, { accountId: ctx.account.id, urls: ctx.urls }) });
}

/**
 * `POST /packages`: 201 with the package and its `Location`.
 * @throws {UnauthorizedError} anonymous; {@link ForbiddenError} not a writer of the product;
 * {@link ValidationError} 400 for a malformed document; {@link ConflictError} 422 (`PRODUCT_NOT_FOUND`, `KEY_TAKEN`, …).
 */
export async function createPackage(ctx: PublishContext, input: DocumentInput): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { data } = parseDocument(PackageCreateDocument, input.document);
  const product = await ctx.store.getProduct(ctx.account.id, data.relationships.product.data.id);
  assertMayWrite(ctx.principal, product?.id ?? null);
  if (product === null) throw unprocessable("packages", "relationships/product", "PRODUCT_NOT_FOUND", "must exist");
  const { name, key, metadata } = data.attributes;
  const engine = data.attributes.engine ?? null;
  checkPackageName(name);
  checkPackageKey(key);
  checkMetadata("packages", metadata ?? {});
  let pkg: Package;
  try {
    pkg = await ctx.store.createPackage(ctx.account.id, { productId: product.id, key: storedKey(key, engine), name, engine, metadata: metadata ?? {} }, ctx.now);
  } catch (error) {
    throw withPointer(error);
  }
  ctx.emit(packageEvent("package.created", pkg, ctx.now));
  return jsonResult(201, { data: serializePackage(pkg, { accountId: ctx.account.id, urls: ctx.urls }) }, { Location: linkUrl(ctx, "packages.one", { account: ctx.account.id, id: pkg.id }) });
}

/** `PATCH /packages/{id-or-key}`: 200 with the changed package. @throws as {@link createPackage}, and 404. */
export async function updatePackage(ctx: PublishContext, input: DocumentInput & { id: string }): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const pkg = await findPackage(ctx, input.id);
  assertMayWrite(ctx.principal, pkg.productId);
  const { attributes } = parseDocument(PackageUpdateDocument, input.document).data;
  const changes: PackageChanges = {};
  if (typeof attributes.name === "string") {
    checkPackageName(attributes.name);
    changes.name = attributes.name;
  }
  if (attributes.engine !== undefined) changes.engine = attributes.engine;
  const engine = changes.engine !== undefined ? changes.engine : pkg.engine;
  if (typeof attributes.key === "string") {
    checkPackageKey(attributes.key);
    changes.key = storedKey(attributes.key, engine);
  } else if (engine === "pypi" && pkg.engine !== "pypi" && storedKey(pkg.key, engine) !== pkg.key) {
    changes.key = storedKey(pkg.key, engine);
  }
  if (attributes.metadata !== undefined && attributes.metadata !== null) {
    checkMetadata("packages", attributes.metadata);
    changes.metadata = attributes.metadata;
  }
  let updated: Package | null;
  try {
    updated = await ctx.store.updatePackage(ctx.account.id, pkg.id, changes, ctx.now);
  } catch (error) {
    throw withPointer(error);
  }
  if (updated === null) throw notFound("release package", input.id);
  ctx.emit(packageEvent("package.updated", updated, ctx.now));
  return jsonResult(200, { data: serializePackage(updated, { accountId: ctx.account.id, urls: ctx.urls }) });
}

/** `DELETE /packages/{id-or-key}`: 204; its releases and artifacts go too, and their bytes. */
export async function deletePackage(ctx: PublishContext, input: { id: string }): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const pkg = await findPackage(ctx, input.id);
  assertMayWrite(ctx.principal, pkg.productId);
  const removed = await ctx.store.deletePackage(ctx.account.id, pkg.id);
  if (removed === null) throw notFound("release package", input.id);
  await removeBlobs(ctx, removed);
  ctx.emit(packageEvent("package.deleted", pkg, ctx.now));
  return noContentResult();
}
