/**
 * @module engines/artifacts — artifact downloads: 303 to a presigned URL.
 */
import { accessDenied, authorize } from "../access/authorize.js";
import { mayChooseLinkTtl } from "../access/permissions.js";
import type { BlobStorage } from "../blobs/types.js";
import { notFound } from "../core/errors.js";
import { jsonResult, type EngineResult } from "../core/result.js";
import { isUuid } from "../core/uuid.js";
import type { Artifact, Product, Release } from "../model/records.js";
import { isArtifactVisible, withYanked } from "../access/scope.js";
import type { ArtifactWithRelease } from "../store/types.js";
import type { Scope } from "../access/scope.js";
import { artifactLookupFilter } from "./artifact-filters.js";
import type { EngineContext } from "./context.js";
import { blobOrigin, linkPath, type Urls } from "./urls.js";

/** JSON:API resource object of type `artifacts`. */
export function serializeArtifact(artifact: Artifact, ctx: { accountId: string; urls?: Urls | undefined }, redirect?: string): Record<string, unknown> {
  const at = { account: ctx.accountId, id: artifact.id };
  const base = linkPath(ctx, "artifacts.download", at);
  return {
    id: artifact.id,
    type: "artifacts",
    attributes: {
      filename: artifact.filename,
      filetype: artifact.filetype,
      filesize: artifact.filesize,
      platform: artifact.platform,
      arch: artifact.arch,
      signature: artifact.signature,
      checksum: artifact.checksum,
      status: artifact.status,
      metadata: artifact.metadata,
      created: artifact.created,
      updated: artifact.updated,
    },
    relationships: {
      account: { data: { type: "accounts", id: artifact.accountId }, links: { related: linkPath(ctx, "account", { account: artifact.accountId }) } },
      release: { data: { type: "releases", id: artifact.releaseId }, links: { related: `${base}/release` } },
    },
    links: { ...(redirect !== undefined ? { redirect } : {}), related: linkPath(ctx, "artifacts.file", { ...at, filename: encodeURIComponent(artifact.filename) }), self: base },
  };
}

/** Input of {@link downloadArtifact}. */
export interface DownloadInput {
  /** Artifact UUID or filename. */
  id: string;
  /** The vanity filename after the id; `<file>.metadata` names the file's PEP 658 metadata. */
  filename?: string;
  query: URLSearchParams;
  headers: Headers;
  blobs?: BlobStorage;
}

const DEFAULT_TTL = 900;

function preferences(input: DownloadInput): Set<string> {
  const out = new Set<string>();
  for (const part of (input.headers.get("prefer") ?? "").split(",")) out.add(part.trim().toLowerCase());
  const q = input.query.getAll("prefer");
  if (q.length === 1) out.add((q[0] as string).toLowerCase());
  return out;
}

async function productOf(ctx: EngineContext, release: Release): Promise<Product> {
  const product = await ctx.store.getProduct(ctx.account.id, release.productId);
  if (product === null) throw notFound("product", release.productId);
  return product;
}

/**
 * Find the artifact in the caller's lookup scope, files of YANKED releases included. By
 * filename, Keygen's lookup comes first, so a licensee's name still means a release that is not
 * yanked when there is one (as PEP 592 installers prefer); the YANKED releases are the fallback.
 */
async function locate(ctx: EngineContext, id: string, scope: Scope, query: URLSearchParams): Promise<ArtifactWithRelease | null> {
  const filter = await artifactLookupFilter(ctx, query);
  if (filter === null) return null;
  if (filter !== undefined) {
    // Keygen applies the filters before the lookup, to a UUID as to a filename.
    return (await ctx.store.findArtifact(ctx.account.id, id, ctx.lookupScope, filter)) ?? ctx.store.findArtifact(ctx.account.id, id, scope, filter);
  }
  if (isUuid(id)) {
    const found = await ctx.store.getArtifact(ctx.account.id, id);
    if (found !== null && isArtifactVisible(scope, found.artifact, found.release, await productOf(ctx, found.release))) return found;
  }
  return (await ctx.store.findArtifact(ctx.account.id, id, ctx.lookupScope)) ?? ctx.store.findArtifact(ctx.account.id, id, scope);
}

/**
 * Authorise a download and answer 303 to the blob storage's URL (or 200 with the artifact document).
 * @throws {NotFoundError} when the artifact is missing or out of the caller's scope.
 * @throws {ForbiddenError} with Keygen's reason when the caller may find it but not read it.
 */
export async function downloadArtifact(ctx: EngineContext, input: DownloadInput): Promise<EngineResult> {
  // PEP 592 (SPEC 19): files of a YANKED release download for whoever could see it were it PUBLISHED.
  const scope = withYanked(ctx.lookupScope);
  let found = await locate(ctx, input.id, scope, input.query);
  if (found === null) throw notFound("release artifact", input.id);
  if (input.filename !== undefined && input.filename !== found.artifact.filename && input.filename === `${found.artifact.filename}.metadata`) {
    // PEP 658: `<file URL>.metadata` is the sibling artifact named `<file>.metadata`.
    const siblings = await ctx.store.listReleaseArtifacts(ctx.account.id, found.release.id, scope);
    const meta = siblings.find((a) => a.filename === input.filename);
    if (meta === undefined) throw notFound("release artifact", input.filename);
    found = { artifact: meta, release: found.release };
  }
  const { artifact, release } = found;
  const product = await productOf(ctx, release);
  const decision = authorize(ctx.principal, "download", { type: "artifact", artifact, release, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);

  const prefer = preferences(input);
  const doc = (redirect?: string) => ({ data: serializeArtifact(artifact, { accountId: ctx.account.id, urls: ctx.urls }, redirect) });
  if (artifact.status !== "UPLOADED" || prefer.has("no-download") || input.blobs === undefined) return jsonResult(200, doc());
  const elevated = mayChooseLinkTtl(ctx.principal);
  const ttlText = input.query.get("ttl");
  let ttl = DEFAULT_TTL;
  if (elevated && ttlText !== null && /^\d{1,7}$/.test(ttlText)) ttl = Math.min(Math.max(Number(ttlText), 60), 604_800);
  const url = await input.blobs.presign({ account: ctx.account, artifact, ttl, now: ctx.now, origin: blobOrigin(ctx) });
  if (url === null) return jsonResult(200, doc());
  ctx.emit?.({ type: "artifact.downloaded", accountId: ctx.account.id, at: ctx.now.toISOString(), data: serializeArtifact(artifact, { accountId: ctx.account.id, urls: ctx.urls }) });
  if (prefer.has("no-redirect")) return jsonResult(200, doc(url), { Location: url });
  return jsonResult(303, doc(url), { Location: url });
}
