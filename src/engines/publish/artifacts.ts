/**
 * @module engines/publish/artifacts — the write side of the artifacts resource (Keygen's
 * ReleaseArtifactsController): `POST /artifacts` (a WAITING artifact and its upload URL), the list
 * with its filters, `PATCH` and `DELETE /artifacts/{id}`. `GET /artifacts/{id}` is the download (engines/artifacts).
 */
import { assertMayWrite, requireAuthenticated } from "../../access/permissions.js";
import { isArtifactVisible } from "../../access/scope.js";
import { ValidationError, isSdkError, notFound } from "../../core/errors.js";
import type { HeaderLookup } from "../../core/headers.js";
import { jsonResult, noContentResult, type EngineResult } from "../../core/result.js";
import { isUuid } from "../../core/uuid.js";
import { ARTIFACT_STATUSES, type Artifact, type ArtifactStatus, type Release } from "../../model/records.js";
import type { ArtifactWithRelease } from "../../store/types.js";
import type { ArtifactChanges, ArtifactFilter } from "../../store/write.js";
import { confirmUpload } from "../../blobs/s3/confirm.js";
import type { MultipartPlan } from "../../blobs/types.js";
import { serializeArtifact } from "../artifacts.js";
import { optionalParam } from "../query.js";
import { emptyList, listResult, removeBlobs, type ListInput, type PublishContext, productFilter } from "./context.js";
import { ArtifactCreateDocument, ArtifactUpdateDocument, parseDocument } from "./documents.js";
import { artifactEvent } from "./events.js";
import type { DocumentInput } from "./packages.js";
import { findReleaseFor } from "./releases.js";
import { checkFilename, checkFilesize, checkFiletype, checkMetadata, checkSignatureAndChecksum, lookupKey, unprocessable, withPointer } from "./validate.js";
import { blobOrigin } from "../urls.js";

/** Seconds an upload URL stays valid. */
export const UPLOAD_TTL = 3600;

/** Input of {@link createArtifact}: the document and what says how to answer (`Prefer: no-redirect`). */
export interface CreateArtifactInput extends DocumentInput {
  headers: HeaderLookup;
  query: URLSearchParams;
}

/** The `{id}` segment (UUID or filename) and the query (`release=` narrows a filename, as keygen-cli sends). */
export interface ArtifactRef {
  id: string;
  query: URLSearchParams;
}

function prefersNoRedirect(headers: HeaderLookup, query: URLSearchParams): boolean {
  const parts = (headers.get("prefer") ?? "").split(",").map((p) => p.trim().toLowerCase());
  return parts.includes("no-redirect") || query.getAll("prefer").some((p) => p.toLowerCase() === "no-redirect");
}

const ser = (ctx: PublishContext, artifact: Artifact) => serializeArtifact(artifact, { accountId: ctx.account.id, urls: ctx.urls });

/** A release the caller can find by `?release=`, or null when it is not found (any other failure is thrown). */
async function releaseNamed(ctx: PublishContext, release: string, query: URLSearchParams): Promise<Release | null> {
  try {
    return await findReleaseFor(ctx, { release, query });
  } catch (error) {
    if (isSdkError(error) && error.status === 404) return null;
    throw error;
  }
}

/** An artifact by UUID or filename (of `?release=` when given) that the caller can find. @throws {NotFoundError}. */
export async function findArtifactFor(ctx: PublishContext, ref: ArtifactRef): Promise<ArtifactWithRelease> {
  const missing = () => notFound("release artifact", ref.id);
  const visible = async (found: ArtifactWithRelease | null): Promise<ArtifactWithRelease | null> => {
    if (found === null) return null;
    const product = await ctx.store.getProduct(ctx.account.id, found.release.productId);
    return product !== null && isArtifactVisible(ctx.lookupScope, found.artifact, found.release, product) ? found : null;
  };
  if (isUuid(ref.id)) {
    const found = await visible(await ctx.store.getArtifact(ctx.account.id, ref.id));
    if (found !== null) return found;
  }
  const releaseTerm = optionalParam(ref.query, "release");
  if (releaseTerm !== undefined) {
    const release = await releaseNamed(ctx, releaseTerm, ref.query);
    if (release === null) throw missing();
    const artifact = (await ctx.store.listReleaseArtifacts(ctx.account.id, release.id, ctx.lookupScope)).find((a) => a.filename === ref.id);
    if (artifact === undefined) throw missing();
    return { artifact, release };
  }
  const found = await visible(await ctx.store.findArtifact(ctx.account.id, ref.id, ctx.lookupScope));
  if (found === null) throw missing();
  return found;
}

/** `GET /artifacts[?release=&product=&package=&platform=&arch=&filetype=&status=]` with Keygen's pagination. */
export async function listArtifacts(ctx: PublishContext, input: ListInput): Promise<EngineResult> {
  const q = input.query;
  const filter: ArtifactFilter = {};
  let none = false;
  const release = optionalParam(q, "release");
  if (release !== undefined) {
    const found = await releaseNamed(ctx, release, new URLSearchParams());
    if (found === null) none = true;
    else filter.releaseId = found.id;
  }
  const productId = await productFilter(ctx, q);
  if (productId === null) none = true;
  else if (productId !== undefined) filter.productId = productId;
  const pkg = q.get("package");
  if (pkg !== null) {
    if (pkg.trim() === "") filter.packageId = null;
    else {
      const found = await ctx.store.getPackage(ctx.account.id, pkg);
      if (found === null) none = true;
      else filter.packageId = found.id;
    }
  }
  for (const name of ["platform", "arch", "filetype"] as const) {
    const value = q.get(name);
    if (value === null) continue;
    const key = lookupKey(name === "filetype" ? value.trim().replace(/^\./, "") : value);
    if (key !== null) filter[name] = key;
  }
  const status = optionalParam(q, "status");
  if (status !== undefined) {
    if (!(ARTIFACT_STATUSES as readonly string[]).includes(status)) throw new ValidationError("is invalid", { source: { parameter: "status" } });
    filter.status = status as ArtifactStatus;
  }
  return listResult(
    input,
    (page) => (none ? Promise.resolve(emptyList()) : ctx.store.listArtifacts(ctx.account.id, ctx.scope, filter, page)),
    (row) => ser(ctx, row.artifact),
    (row) => row.artifact.id,
  );
}

/**
 * `POST /artifacts`: a WAITING artifact, answered `307` with `Location` = the storage's signed upload URL
 * (`Prefer: no-redirect`: `200` with the same `Location`), or `201` without one when the storage takes no uploads
 * or the declared filesize is over its multipart threshold (then `meta.multipart` = `{ filesize, partSize, partCount }`).
 * @throws {UnauthorizedError} anonymous; {@link ForbiddenError} not a writer of the release's product;
 * {@link ValidationError} 400 for a malformed document; {@link ConflictError} 422 (`RELEASE_NOT_FOUND`, `FILENAME_TAKEN`, …).
 */
export async function createArtifact(ctx: PublishContext, input: CreateArtifactInput): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { data } = parseDocument(ArtifactCreateDocument, input.document);
  const release = await ctx.store.getRelease(ctx.account.id, data.relationships.release.data.id);
  assertMayWrite(ctx.principal, release?.productId ?? null);
  if (release === null) throw unprocessable("artifacts", "relationships/release", "RELEASE_NOT_FOUND", "must exist");
  const a = data.attributes;
  checkFilename(a.filename);
  const filetype = checkFiletype(a.filetype, a.filename);
  checkFilesize(a.filesize);
  checkSignatureAndChecksum(a.signature, a.checksum);
  checkMetadata("artifacts", a.metadata ?? {});
  let artifact: Artifact;
  try {
    artifact = await ctx.store.createArtifact(
      ctx.account.id,
      {
        releaseId: release.id,
        filename: a.filename,
        filetype,
        filesize: a.filesize ?? null,
        platform: lookupKey(a.platform),
        arch: lookupKey(a.arch),
        signature: a.signature === "" ? null : (a.signature ?? null),
        checksum: a.checksum === "" ? null : (a.checksum ?? null),
        metadata: a.metadata ?? {},
      },
      ctx.now,
    );
  } catch (error) {
    throw withPointer(error);
  }
  let upload: string | undefined;
  let multipart: MultipartPlan | undefined;
  if (ctx.blobs?.presignUpload !== undefined) {
    try {
      const parts = ctx.blobs.multipart;
      if (parts !== undefined && artifact.filesize !== null && artifact.filesize > parts.threshold) multipart = await parts.start(ctx.account, artifact, ctx.now);
      else upload = await ctx.blobs.presignUpload({ account: ctx.account, artifact, ttl: UPLOAD_TTL, now: ctx.now, origin: blobOrigin(ctx) });
    } catch (error) {
      // No URL, no artifact: a WAITING artifact nobody can upload to is not left behind.
      await ctx.store.deleteArtifact(ctx.account.id, artifact.id).catch(ctx.report);
      throw error;
    }
  }
  ctx.emit(artifactEvent("artifact.created", artifact, ctx.now));
  // Too large for one PUT: the parts' URLs come from `POST /artifacts/{id}/upload/parts` (engines/publish/parts).
  if (multipart !== undefined) return jsonResult(201, { data: ser(ctx, artifact), meta: { multipart } });
  const doc = { data: ser(ctx, artifact) };
  if (upload === undefined) return jsonResult(201, doc);
  return jsonResult(prefersNoRedirect(input.headers, input.query) ? 200 : 307, doc, { Location: upload });
}

/** `PATCH /artifacts/{id}`: signature, checksum, metadata; 200 with the artifact. */
export async function updateArtifact(ctx: PublishContext, input: ArtifactRef & DocumentInput): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { release, artifact } = await findArtifactFor(ctx, input);
  assertMayWrite(ctx.principal, release.productId);
  const a = parseDocument(ArtifactUpdateDocument, input.document).data.attributes;
  checkSignatureAndChecksum(a.signature, a.checksum);
  const changes: ArtifactChanges = {};
  if (a.signature !== undefined) changes.signature = a.signature === "" ? null : a.signature;
  if (a.checksum !== undefined) changes.checksum = a.checksum === "" ? null : a.checksum;
  if (a.metadata !== undefined && a.metadata !== null) {
    checkMetadata("artifacts", a.metadata);
    changes.metadata = a.metadata;
  }
  const updated = await ctx.store.updateArtifact(ctx.account.id, artifact.id, changes, ctx.now);
  if (updated === null) throw notFound("release artifact", input.id);
  ctx.emit(artifactEvent("artifact.updated", updated, ctx.now));
  return jsonResult(200, { data: ser(ctx, updated) });
}

/** `DELETE /artifacts/{id}[?release=]`: 204; the bytes are removed from the storage too. */
export async function deleteArtifact(ctx: PublishContext, input: ArtifactRef): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { release, artifact } = await findArtifactFor(ctx, input);
  assertMayWrite(ctx.principal, release.productId);
  const removed = await ctx.store.deleteArtifact(ctx.account.id, artifact.id);
  if (removed === null) throw notFound("release artifact", input.id);
  await removeBlobs(ctx, [removed]);
  ctx.emit(artifactEvent("artifact.deleted", artifact, ctx.now));
  return noContentResult();
}

/**
 * `POST /artifacts/{id}/actions/confirm`: an upload to object storage is done; the object's size and
 * checksum are checked (HEAD) and the artifact becomes UPLOADED (200 with it), or FAILED with the reason (422);
 * an npm tarball is read back for its package.json, up to `maxNpmTarballBytes`.
 */
export async function confirmArtifact(ctx: PublishContext, input: ArtifactRef & { maxNpmTarballBytes?: number }): Promise<EngineResult> {
  requireAuthenticated(ctx.principal);
  const { release, artifact } = await findArtifactFor(ctx, input);
  assertMayWrite(ctx.principal, release.productId);
  const done = await confirmUpload(ctx.store, ctx.blobs, ctx.account, artifact.id, ctx.now, input.maxNpmTarballBytes !== undefined ? { maxNpmTarballBytes: input.maxNpmTarballBytes } : {});
  if (artifact.status !== "UPLOADED" && done.status === "UPLOADED") ctx.emit(artifactEvent("artifact.uploaded", done, ctx.now));
  return jsonResult(200, { data: ser(ctx, done) });
}
