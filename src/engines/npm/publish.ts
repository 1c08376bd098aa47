/**
 * @module engines/npm/publish — npm's own write commands over the write contract (beyond Keygen):
 * `npm publish` (PUT of the packument with the tarball attached), `npm deprecate` (PUT of the
 * packument with `deprecated` set: a yank with the message as its reason), and `npm dist-tag
 * add/rm` (release tags). The tarball's bytes go through the blob storage's own upload path (or,
 * on S3, the server's own PutObject), so size and digest are checked as for `POST /artifacts` + `PUT`.
 */
import { isWriter, mayWrite } from "../../access/permissions.js";
import { ADMIN_SCOPE } from "../../access/scope.js";
import type { BlobStorage } from "../../blobs/types.js";
import { fromBase64 } from "../../core/encoding.js";
import { ForbiddenError, NotFoundError, ReadOnlyStoreError, SdkError, UnauthorizedError, ValidationError, isSdkError } from "../../core/errors.js";
import { jsonResult, type EngineResult } from "../../core/result.js";
import { channelOf, parseStrict } from "../../core/version.js";
import type { Artifact, Package, Release } from "../../model/records.js";
import { isWritableStore, type WritableStore } from "../../store/write.js";
import type { EngineContext } from "../context.js";
import { checkTag } from "../publish/validate.js";
import { manifestMismatch } from "./accept.js";
import { isNpmName, tarballFilename } from "./names.js";
import { distTags, findNpmPackage, visibleVersions } from "./packument.js";
import { canStoreTarball, storeTarball } from "./publish-store.js";
import { readNpmTarball, tarballDigests } from "./tarball.js";

/** An npm-facing refusal: its status, and the text npm prints (`error`). */
export class NpmError extends SdkError {
  constructor(status: number, detail: string, code = "NPM_REFUSED") {
    super(status, detail, { code });
  }
}

/** Input of {@link npmPut}: the packument npm sent for `name`. */
export interface NpmPutInput {
  /** The package name of the route (decoded). */
  name: string;
  /** The parsed JSON body. */
  body: unknown;
  blobs: BlobStorage | undefined;
  /** Called after a release was published or yanked, for events (never awaited). */
  onChange?: (change: { type: "published" | "yanked"; release: Release; artifact?: Artifact }) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The caller may write at all (the product is checked against the package). */
function mayPublish(ctx: EngineContext): WritableStore {
  if (ctx.principal.kind === "anonymous") throw new UnauthorizedError("You must be logged in to publish packages: set _authToken to an admin, developer or product token");
  if (!isWriter(ctx.principal)) throw new ForbiddenError("This token may not publish: use an admin, developer or product token");
  if (!isWritableStore(ctx.store)) throw new ReadOnlyStoreError();
  return ctx.store;
}

/** A dist-tag a release may hold (Keygen's tag rules), or a 400 npm shows. */
function npmTag(tag: string): string {
  let checked: string | null | undefined;
  try {
    checked = checkTag(tag);
  } catch (error) {
    throw new NpmError(400, `Invalid tag ${JSON.stringify(tag)}: ${isSdkError(error) ? error.detail : "refused"}`);
  }
  if (checked == null) throw new NpmError(400, "The tag must not be blank");
  return checked;
}

/** The npm package of a write, when the caller may change it; 404 for one it may not see. */
async function writablePackage(ctx: EngineContext, name: string): Promise<Package | null> {
  const pkg = await ctx.store.getPackage(ctx.account.id, name, "npm");
  if (pkg === null || pkg.engine !== "npm") return null;
  if (!mayWrite(ctx.principal, pkg.productId).allowed) {
    // A product token's view: another product's package does not exist for it.
    if (ctx.principal.kind === "product") return null;
    throw new ForbiddenError("This token may not change this package");
  }
  return pkg;
}

/** The releases of a package by version (drafts and yanked ones included). */
async function releasesOf(store: WritableStore, accountId: string, pkg: Package): Promise<Release[]> {
  const { items } = await store.listReleases(accountId, ADMIN_SCOPE, { productId: pkg.productId, packageId: pkg.id }, { order: "desc", limit: 10_000 });
  return items;
}

/**
 * `PUT /engines/npm/{name}`: `npm publish` when the body attaches a tarball, else `npm deprecate`
 * (versions whose `deprecated` text changed are yanked with it as the reason, or published again for "").
 * @throws {NpmError} 400 for a malformed body, 403 for a version that exists (as npm's registry answers).
 */
export async function npmPut(ctx: EngineContext, input: NpmPutInput): Promise<EngineResult> {
  const store = mayPublish(ctx);
  const doc = input.body;
  if (!isObject(doc)) throw new NpmError(400, "The body must be a JSON packument");
  if (doc.name !== undefined && doc.name !== input.name) throw new NpmError(400, `The body names ${JSON.stringify(doc.name)} but the URL names ${JSON.stringify(input.name)}`);
  const attachments = doc._attachments;
  if (isObject(attachments) && Object.keys(attachments).length > 0) return publish(ctx, store, input, doc, attachments);
  return deprecate(ctx, store, input, doc);
}

async function deprecate(ctx: EngineContext, store: WritableStore, input: NpmPutInput, doc: Record<string, unknown>): Promise<EngineResult> {
  const pkg = await writablePackage(ctx, input.name);
  if (pkg === null) throw new NotFoundError(`The requested release package '${input.name}' was not found`);
  const versions = doc.versions;
  if (!isObject(versions)) throw new NpmError(400, "'versions' must be an object");
  const releases = new Map((await releasesOf(store, ctx.account.id, pkg)).map((r) => [r.version, r]));
  const changes: Array<{ release: Release; reason: string | null }> = [];
  for (const [version, manifest] of Object.entries(versions)) {
    const release = releases.get(version);
    if (release === undefined || !isObject(manifest)) continue;
    const text = manifest.deprecated;
    if (typeof text !== "string") continue;
    const current = release.status === "YANKED" ? (typeof release.metadata.yankReason === "string" ? release.metadata.yankReason : "") : null;
    if (text === "" && release.status === "YANKED") changes.push({ release, reason: null });
    else if (text !== "" && text !== current && text !== "This version has been yanked") changes.push({ release, reason: text });
  }
  for (const { release, reason } of changes) {
    const done = await store.setReleaseStatus(ctx.account.id, release.id, reason === null ? "PUBLISHED" : "YANKED", ctx.now, reason);
    if (done !== null) input.onChange?.({ type: reason === null ? "published" : "yanked", release: done });
  }
  return jsonResult(200, { ok: true, id: input.name }, {}, "application/json");
}

/** The attached tarball's bytes and digests (hashed once here), checked against its declared length and the manifest's dist digests. */
async function attachedTarball(attachments: Record<string, unknown>, manifest: Record<string, unknown>): Promise<{ bytes: Uint8Array; digests: { integrity: string; shasum: string; sha512: string } }> {
  const entries = Object.values(attachments);
  if (entries.length !== 1) throw new NpmError(400, "Exactly one tarball must be attached");
  const attachment = entries[0];
  if (!isObject(attachment) || typeof attachment.data !== "string") throw new NpmError(400, "The attachment must carry base64 'data'");
  const bytes = fromBase64(attachment.data);
  if (bytes === null || bytes.byteLength === 0) throw new NpmError(400, "The attachment's data is not base64");
  if (attachment.length !== undefined && attachment.length !== bytes.byteLength) throw new NpmError(400, `The attachment has ${bytes.byteLength} bytes but declares ${String(attachment.length)}`);
  const digests = await tarballDigests(bytes);
  const { integrity, shasum } = digests;
  const dist = isObject(manifest.dist) ? manifest.dist : {};
  if (typeof dist.integrity === "string" && dist.integrity.startsWith("sha512-") && dist.integrity !== integrity) throw new NpmError(400, "The tarball does not match its dist.integrity");
  if (typeof dist.shasum === "string" && dist.shasum.toLowerCase() !== shasum) throw new NpmError(400, "The tarball does not match its dist.shasum");
  return { bytes, digests };
}

async function publish(ctx: EngineContext, store: WritableStore, input: NpmPutInput, doc: Record<string, unknown>, attachments: Record<string, unknown>): Promise<EngineResult> {
  const name = input.name;
  if (!isNpmName(name)) throw new NpmError(400, `Invalid package name ${JSON.stringify(name)}`);
  const versions = doc.versions;
  if (!isObject(versions) || Object.keys(versions).length !== 1) throw new NpmError(400, "'versions' must hold exactly the version being published");
  const [version, manifest] = Object.entries(versions)[0] as [string, unknown];
  if (!isObject(manifest)) throw new NpmError(400, `'versions.${version}' must be an object`);
  const parsed = parseStrict(version);
  const channel = parsed === null ? null : channelOf(parsed);
  if (parsed === null || parsed.version !== version) throw new NpmError(400, `Invalid version ${JSON.stringify(version)}: it must be SemVer`);
  if (channel === null) throw new NpmError(400, `Version ${version} names no channel: a pre-release must start with rc, beta, alpha or dev`);
  const { bytes, digests } = await attachedTarball(attachments, manifest);
  const sha512 = digests.sha512;
  const facts = await readNpmTarball(bytes, digests);
  if (facts === null) throw new NpmError(400, "The attachment is not an npm tarball (a gzipped tar with package/package.json)");
  const mismatch = manifestMismatch(facts, name, version);
  if (mismatch !== null) throw new NpmError(400, mismatch);
  const tags = isObject(doc["dist-tags"]) ? Object.entries(doc["dist-tags"]).filter(([, v]) => v === version).map(([t]) => t) : [];
  const tag = tags.find((t) => t !== "latest") ?? null;
  if (tag !== null) npmTag(tag);
  const blobs = input.blobs;
  if (!canStoreTarball(blobs)) throw new NpmError(501, "This server's blob storage takes no uploads");

  const account = ctx.account;
  const now = ctx.now;
  let pkg = await writablePackage(ctx, name);
  const productToken = ctx.principal.kind === "product" ? ctx.principal.product : null;
  const created = { package: false, release: false };
  let release: Release | null = null;
  let artifact: Artifact | null = null;
  let untagged: Release | null = null;
  try {
    if (pkg === null) {
      if (productToken === null) throw new NpmError(404, `Package '${name}' does not exist: create it first (POST /packages with engine npm), or publish with a product token`);
      if ((await store.getPackage(account.id, name)) !== null) throw new NpmError(403, `The name '${name}' belongs to another product`);
      const description = typeof facts.manifest.description === "string" && facts.manifest.description !== "" ? facts.manifest.description : name;
      pkg = await store.createPackage(account.id, { productId: productToken.id, key: name, name: description.slice(0, 255), engine: "npm", metadata: {} }, now);
      created.package = true;
    }
    const releases = await releasesOf(store, account.id, pkg);
    release = releases.find((r) => r.version === version) ?? null;
    if (release !== null) {
      const files = await store.listReleaseArtifacts(account.id, release.id, ADMIN_SCOPE);
      if (release.status !== "DRAFT" || files.some((a) => /\.tgz$/i.test(a.filename))) {
        throw new NpmError(403, `You cannot publish over the previously published versions: ${version}.`, "VERSION_EXISTS");
      }
    }
    if (tag !== null) {
      untagged = releases.find((r) => r.tag === tag && r.version !== version) ?? null;
      if (untagged !== null) await store.updateRelease(account.id, untagged.id, { tag: null }, now);
    }
    const description = typeof facts.manifest.description === "string" ? facts.manifest.description.slice(0, 16_000) : null;
    if (release === null) {
      release = await store.createRelease(account.id, {
        productId: pkg.productId, packageId: pkg.id, version, channel, status: "DRAFT", tag, name: null, description, entitlements: [], metadata: {}, backdated: null,
      }, now);
      created.release = true;
    } else if (tag !== null) release = (await store.updateRelease(account.id, release.id, { tag }, now)) ?? release;
    artifact = await store.createArtifact(account.id, {
      releaseId: release.id, filename: tarballFilename(name, version), filetype: "tgz", filesize: bytes.byteLength,
      platform: null, arch: null, signature: null, checksum: sha512, metadata: {},
    }, now);
    const stored = await storeTarball({ store, blobs, account, artifact, bytes, facts, now, origin: ctx.origin });
    const published = await store.setReleaseStatus(account.id, release.id, "PUBLISHED", now);
    if (published === null) throw new NotFoundError("The release was deleted during the publish");
    input.onChange?.({ type: "published", release: published, artifact: stored });
    return jsonResult(200, { ok: true, id: name, version }, {}, "application/json");
  } catch (error) {
    // Nothing half-written: what this publish made goes again (the artifact's bytes with it), and a moved tag returns.
    if (artifact !== null) {
      const gone = await store.deleteArtifact(account.id, artifact.id).catch(() => null);
      if (gone !== null && gone.blob !== null) await blobs.remove?.(account, gone).catch(() => {});
    }
    if (created.release && release !== null) await store.deleteRelease(account.id, release.id).catch(() => null);
    else if (release !== null && tag !== null && release.tag === tag) await store.updateRelease(account.id, release.id, { tag: null }, now).catch(() => null);
    if (untagged !== null) await store.updateRelease(account.id, untagged.id, { tag }, now).catch(() => null);
    if (created.package && pkg !== null) await store.deletePackage(account.id, pkg.id).catch(() => null);
    if (isSdkError(error) && error.status === 422) throw new NpmError(400, `${error.source?.pointer ?? ""} ${error.detail}`.trim());
    throw error;
  }
}

/** Input of the dist-tag routes. */
export interface NpmDistTagInput {
  name: string;
  /** The tag (absent: list them). */
  tag?: string;
  /** PUT: the version (npm sends it as a JSON string). */
  body?: unknown;
}

/** `GET /-/package/{name}/dist-tags`: the dist-tags the caller sees (as the packument shows them). */
export async function listNpmDistTags(ctx: EngineContext, input: NpmDistTagInput): Promise<EngineResult> {
  const found = await findNpmPackage(ctx, input.name, null);
  if (!("pkg" in found)) return found;
  return jsonResult(200, distTags(await visibleVersions(ctx, found.pkg, found.product)), {}, "application/json");
}

/** `PUT /-/package/{name}/dist-tags/{tag}` (`npm dist-tag add`): the tag moves to the release of the version. */
export async function addNpmDistTag(ctx: EngineContext, input: NpmDistTagInput): Promise<EngineResult> {
  const store = mayPublish(ctx);
  const tag = input.tag ?? "";
  npmTag(tag);
  if (typeof input.body !== "string") throw new ValidationError("The body must be the version as a JSON string", { code: "BODY_INVALID", source: { pointer: "" } });
  const pkg = await writablePackage(ctx, input.name);
  if (pkg === null) throw new NotFoundError(`The requested release package '${input.name}' was not found`);
  const releases = await releasesOf(store, ctx.account.id, pkg);
  const target = releases.find((r) => r.version === input.body);
  if (target === undefined) throw new NotFoundError(`Version ${input.body} of ${input.name} was not found`);
  if (target.tag !== tag) {
    const holder = releases.find((r) => r.tag === tag);
    if (holder !== undefined) await store.updateRelease(ctx.account.id, holder.id, { tag: null }, ctx.now);
    try {
      await store.updateRelease(ctx.account.id, target.id, { tag }, ctx.now);
    } catch (error) {
      if (holder !== undefined) await store.updateRelease(ctx.account.id, holder.id, { tag }, ctx.now).catch(() => null);
      throw error;
    }
  }
  return jsonResult(200, { ok: true }, {}, "application/json");
}

/** `DELETE /-/package/{name}/dist-tags/{tag}` (`npm dist-tag rm`): the release holding the tag loses it. */
export async function removeNpmDistTag(ctx: EngineContext, input: NpmDistTagInput): Promise<EngineResult> {
  const store = mayPublish(ctx);
  const pkg = await writablePackage(ctx, input.name);
  if (pkg === null) throw new NotFoundError(`The requested release package '${input.name}' was not found`);
  const holder = (await releasesOf(store, ctx.account.id, pkg)).find((r) => r.tag === input.tag);
  if (holder === undefined) throw new NotFoundError(`No release of ${input.name} is tagged ${JSON.stringify(input.tag ?? "")}`);
  await store.updateRelease(ctx.account.id, holder.id, { tag: null }, ctx.now);
  return jsonResult(200, { ok: true }, {}, "application/json");
}
