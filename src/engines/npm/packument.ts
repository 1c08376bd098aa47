/**
 * @module engines/npm/packument — `renderNpmPackument`: an npm package's metadata document (the
 * "packument") of the versions the caller may see, full or abbreviated (`Accept:
 * application/vnd.npm.install-v1+json`), with dist-tags, tarball links under the registry's own
 * path, integrity and `deprecated` for yanked versions; ETag/304 and the page cache as on PyPI.
 */
import { accessDenied, authorize } from "../../access/authorize.js";
import { listablePackageFiles } from "../../access/listing.js";
import { revisionAudience } from "../../access/scope.js";
import { scopeKey } from "../../access/scope-key.js";
import { utf8 } from "../../core/encoding.js";
import { NotFoundError, UnauthorizedError, notFound } from "../../core/errors.js";
import type { HeaderLookup } from "../../core/headers.js";
import { redirectResult, type EngineResult } from "../../core/result.js";
import type { Artifact, Package, Product, Release } from "../../model/records.js";
import type { ArtifactWithRelease } from "../../store/types.js";
import type { EngineContext } from "../context.js";
import { ifNoneMatchHits, weakEtag } from "../etag.js";
import { canBrotli, compress, createPageCache, type PageCache } from "../pypi/cache.js";
import { negotiateEncoding } from "../pypi/negotiate.js";
import { escapedName, isNpmName, tarballUrl } from "./names.js";
import { keygenUrls } from "../urls.js";
import { npmFacts, npmIntegrity } from "./facts.js";

/** How the registry treats names it does not serve itself. */
export interface NpmOptions {
  /** Registry unknown packages are redirected to with a 307 (e.g. `https://registry.npmjs.org/`); null or absent answers 404. */
  upstream?: string | null;
}

/** Input of {@link renderNpmPackument}. */
export interface NpmPackumentInput extends NpmOptions {
  /** The package name as requested (decoded): `@acme/sdk` or `sdk`. */
  name: string;
  /** Request headers: `Accept`, `Accept-Encoding`, `If-None-Match`. */
  headers: HeaderLookup;
  /** The `{account}` segment as requested; null for the account-less form (`/v1/engines/npm/…`). */
  accountSegment: string | null;
  /** Where rendered documents are kept between requests (the fetch handler passes its own). */
  cache?: PageCache;
}

/** The two forms of a packument. */
export type NpmFormat = "full" | "abbreviated";

/** Content types of the two forms. */
export const NPM_CONTENT_TYPES: Record<NpmFormat, string> = { full: "application/json", abbreviated: "application/vnd.npm.install-v1+json" };

const ABBREVIATED = "application/vnd.npm.install-v1+json";
/** Fields of the abbreviated form's versions (npm's registry "corgi" documents). */
const ABBREVIATED_FIELDS = [
  "name", "version", "deprecated", "dependencies", "optionalDependencies", "devDependencies", "bundleDependencies", "peerDependencies",
  "peerDependenciesMeta", "bin", "directories", "dist", "engines", "os", "cpu", "libc", "hasInstallScript", "funding", "_hasShrinkwrap",
];
const COMPRESS_MIN_BYTES = 1024;

/** The form `Accept` asks for: abbreviated when it names npm's install type at least as highly as anything else. */
export function negotiateNpmFormat(accept: string | null): NpmFormat {
  if (accept === null) return "full";
  let abbreviated = 0;
  let other = 0;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";");
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (!(weight > 0)) continue;
    if ((type ?? "").trim().toLowerCase() === ABBREVIATED) abbreviated = Math.max(abbreviated, weight);
    else other = Math.max(other, weight);
  }
  return abbreviated > 0 && abbreviated >= other ? "abbreviated" : "full";
}

/** The `WWW-Authenticate` challenge of the npm routes: npm shows it in its E401 message. */
export function npmChallenge(realm: string): string {
  return `Bearer realm="${realm.replace(/["\\]/g, "")}"`;
}

/** A yanked release's `deprecated` message: its yank reason, or a default (npm ignores an empty one). */
export function deprecationOf(release: Release): string | null {
  if (release.status !== "YANKED") return null;
  const reason = release.metadata.yankReason;
  return typeof reason === "string" && reason.trim() !== "" ? reason : "This version has been yanked";
}

/** One version of the packument: a release and its tarball. */
interface VersionRow {
  release: Release;
  artifact: Artifact;
}

/** The tarball artifact of each release, in the store's order (highest precedence first). */
export function versionRows(rows: readonly ArtifactWithRelease[]): VersionRow[] {
  const byRelease = new Map<string, VersionRow>();
  for (const { artifact, release } of rows) {
    if (artifact.status !== "UPLOADED" || !/\.tgz$/i.test(artifact.filename)) continue;
    const prior = byRelease.get(release.id);
    // A tarball with its package.json read wins over one without.
    if (prior === undefined || (npmFacts(prior.artifact) === null && npmFacts(artifact) !== null)) byRelease.set(release.id, { release, artifact });
  }
  return [...byRelease.values()];
}

/** `dist-tags`: release tags, the channels' newest versions, and `latest` (the newest stable version not yanked). */
export function distTags(rows: readonly VersionRow[]): Record<string, string> {
  const tags: Record<string, string> = {};
  const live = rows.filter((r) => r.release.status !== "YANKED");
  const newest = (list: readonly VersionRow[]) => list[0]?.release.version;
  const latest = newest(live.filter((r) => r.release.channel === "stable")) ?? newest(rows.filter((r) => r.release.channel === "stable")) ?? newest(live) ?? newest(rows);
  if (latest !== undefined) tags.latest = latest;
  for (const row of live) if (row.release.channel !== "stable" && tags[row.release.channel] === undefined) tags[row.release.channel] = row.release.version;
  for (const row of rows) if (row.release.tag !== null && row.release.tag !== "") tags[row.release.tag] = row.release.version;
  return tags;
}

/** The packument of the rows, as an object. */
export function packumentOf(name: string, pkg: Package, rows: readonly VersionRow[], format: NpmFormat, urlOf: (version: string) => string): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: pkg.created };
  let modified = pkg.updated;
  // Oldest first, as npm's registry lists versions.
  for (let i = rows.length - 1; i >= 0; i--) {
    const { release, artifact } = rows[i] as VersionRow;
    const facts = npmFacts(artifact);
    const version = release.version;
    const dist: Record<string, unknown> = { tarball: urlOf(version) };
    const integrity = facts?.integrity ?? npmIntegrity(artifact.checksum);
    if (integrity !== null) dist.integrity = integrity;
    if (facts?.shasum !== undefined) dist.shasum = facts.shasum;
    const doc: Record<string, unknown> = { ...(facts?.manifest ?? {}), name, version };
    const deprecated = deprecationOf(release);
    if (deprecated !== null) doc.deprecated = deprecated;
    doc.dist = dist;
    if (format === "full") {
      doc._id = `${name}@${version}`;
      if (doc.description === undefined && release.description !== null) doc.description = release.description;
      versions[version] = doc;
    } else {
      const short: Record<string, unknown> = {};
      for (const field of ABBREVIATED_FIELDS) if (doc[field] !== undefined) short[field] = doc[field];
      versions[version] = short;
    }
    time[version] = release.backdated ?? release.created;
    for (const at of [artifact.updated, release.updated]) if (at > modified) modified = at;
  }
  time.modified = modified;
  const tags = distTags(rows);
  if (format === "abbreviated") return { name, modified, "dist-tags": tags, versions };
  const latest = tags.latest === undefined ? undefined : (versions[tags.latest] as Record<string, unknown> | undefined);
  const doc: Record<string, unknown> = { _id: name, name, "dist-tags": tags, versions, time };
  if (typeof latest?.description === "string") doc.description = latest.description;
  else if (pkg.name !== name) doc.description = pkg.name;
  return doc;
}

/**
 * The npm package the caller asked for, after Keygen's package policy: an unknown name is 404 (or a
 * 307 to the configured upstream registry); a package the caller may not read is 401 with a
 * challenge (anonymous) or 403.
 * @throws {NotFoundError} unknown package without an upstream.
 * @throws {UnauthorizedError} anonymous caller, package of a LICENSED or CLOSED product.
 * @throws {ForbiddenError} authenticated caller without access.
 */
export async function findNpmPackage(ctx: EngineContext, name: string, upstream: string | null | undefined): Promise<{ pkg: Package; product: Product } | EngineResult> {
  const pkg = await ctx.store.getPackage(ctx.account.id, name, "npm");
  if (pkg === null || pkg.engine !== "npm") {
    // Only a valid npm name (old upper-case ones too) is passed on: anything else is no package anywhere.
    if (upstream === null || upstream === undefined || !isNpmName(name.toLowerCase())) throw new NotFoundError(`The requested release package '${name}' was not found`);
    return redirectResult(307, `${upstream.replace(/\/+$/, "")}/${escapedName(name)}`);
  }
  const product = await ctx.store.getProduct(ctx.account.id, pkg.productId);
  if (product === null) throw notFound("product", pkg.productId);
  const decision = authorize(ctx.principal, "read", { type: "package", package: pkg, product }, ctx.now);
  if (!decision.allowed) {
    if (ctx.principal.kind === "anonymous") throw new UnauthorizedError(undefined, { headers: { "WWW-Authenticate": npmChallenge(ctx.account.slug) } });
    throw accessDenied(decision);
  }
  return { pkg, product };
}

/**
 * The artifacts of a package the caller sees, files of yanked releases included (they stay
 * installable by exact version, marked deprecated); a release found only through a blocked license
 * (suspended, banned, revoked) denies the listing with Keygen's reason, as on PyPI.
 */
export async function visibleVersions(ctx: EngineContext, pkg: Package, product: Product): Promise<VersionRow[]> {
  const rows = await listablePackageFiles(ctx, pkg, product);
  return versionRows(rows);
}

/**
 * `GET /engines/npm/{name}`: the packument of the versions the caller may see, full or abbreviated
 * by `Accept`, with a weak ETag from the package's revision (its listed revision for a caller who
 * sees no drafts) and the caller's scope (304 to a match).
 * @throws as {@link findNpmPackage}.
 * @example await renderNpmPackument(ctx, { name: "@acme/sdk", headers: new Headers(), accountSegment: "acme" })
 */
export async function renderNpmPackument(ctx: EngineContext, input: NpmPackumentInput): Promise<EngineResult> {
  const found = await findNpmPackage(ctx, input.name, input.upstream);
  if (!("pkg" in found)) return found;
  const { pkg, product } = found;
  const format = negotiateNpmFormat(input.headers.get("accept"));
  // A caller who sees no drafts is shown only UPLOADED tarballs of published or yanked releases, the
  // package and its product: all that the listed revision follows, so a draft, a WAITING tarball or
  // an upload into a draft leaves its packument (and ETag) as it was, and a publish moves it.
  const audience = revisionAudience(pkg.productId, ctx.scope, ctx.lookupScope);
  const revisions = await Promise.all([ctx.store.getPackageRevision(ctx.account.id, pkg.id, audience), ctx.store.getAccountRevision(ctx.account.id)]);
  const etag = weakEtag(JSON.stringify(["npm", ctx.account.id, pkg.id, ...revisions, scopeKey(ctx.scope), scopeKey(ctx.lookupScope), ctx.origin, input.accountSegment, format, ctx.urls === undefined || ctx.urls === keygenUrls ? "" : ctx.urls("npm.tarball", { account: "{a}", package: "{p}", filename: "{f}" })]));
  // Revalidated on every use (a 304 is cheap): a publish, yank or deprecation shows at once, not after npm's cache expires.
  const headers: Record<string, string> = { "Cache-Control": "private, no-cache", Vary: "Accept, Authorization, Accept-Encoding", ETag: etag };
  const cache = input.cache ?? createPageCache({ maxEntries: 4 });
  // Rendered before any 304, so a refusal (a blocked license) is never answered as "not modified".
  const page = await cache.getOrCreate(`${etag}|npm-${format}`, async () => {
    const rows = await visibleVersions(ctx, pkg, product);
    const doc = packumentOf(pkg.key, pkg, rows, format, (version) => tarballUrl(ctx, input.accountSegment, pkg.key, version));
    return { body: utf8(JSON.stringify(doc)), lastModified: new Date((doc.time as Record<string, string> | undefined)?.modified ?? (doc.modified as string)).toUTCString() };
  });
  const ifNoneMatch = input.headers.get("if-none-match");
  if (ifNoneMatchHits(ifNoneMatch, etag)) return { status: 304, headers, body: null };
  if (page.lastModified !== null) headers["Last-Modified"] = page.lastModified;
  const coding = page.body.byteLength >= COMPRESS_MIN_BYTES ? negotiateEncoding(input.headers.get("accept-encoding"), canBrotli()) : "identity";
  let body = page.body;
  if (coding !== "identity") {
    body = (await cache.getOrCreate(`${etag}|npm-${format}|${coding}`, async () => ({ body: await compress(page.body, coding), lastModified: page.lastModified }))).body;
    headers["Content-Encoding"] = coding;
  }
  headers["Content-Type"] = NPM_CONTENT_TYPES[format];
  headers["Content-Length"] = String(body.byteLength);
  return { status: 200, headers, body };
}
