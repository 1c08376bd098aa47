/**
 * @module engines/pypi/render — `renderPep503Index`: the PyPI simple index, its project list and
 * project pages as PEP 503 HTML or PEP 691 JSON, with redirects, pass-through for unknown
 * projects, Basic challenges and revision-based caching.
 */
import { accessDenied, authorize } from "../../access/authorize.js";
import { listablePackageFiles } from "../../access/listing.js";
import { revisionAudience } from "../../access/scope.js";
import { utf8 } from "../../core/encoding.js";
import { boundedMemo } from "../../core/memo.js";
import { NestedMemo } from "../../core/nested-memo.js";
import { NotAcceptableError, NotFoundError, UnauthorizedError, notFound } from "../../core/errors.js";
import type { HeaderLookup } from "../../core/headers.js";
import { normalizeProjectName } from "../../core/names.js";
import { redirectResult, type EngineResult } from "../../core/result.js";
import type { Artifact, Package, Product } from "../../model/records.js";
import { scopeKey } from "../../access/scope-key.js";
import type { EngineContext } from "../context.js";
import { ifNoneMatchHits, weakEtag } from "../etag.js";
import { isPending, packageNow, productNow, revisionNow } from "../read-now.js";
import { canBrotli, compress, createPageCache, type CachedPage, type PageCache } from "./cache.js";
import { dataAttributes, projectFiles } from "./files.js";
import { renderIndexHtml, renderProjectHtml } from "./html.js";
import { renderIndexJson, renderProjectJson } from "./json.js";
import { keygenUrls, linkUrl, type Urls } from "../urls.js";
import { negotiateEncoding, negotiatePypiFormat, PYPI_CONTENT_TYPES, type ContentCoding, type PypiFormat } from "./negotiate.js";

/** How the index treats what it does not serve itself. */
export interface PypiOptions {
  /**
   * Simple index unknown projects are passed to with a 307 (default `https://pypi.org/simple/`,
   * Keygen's behaviour); null answers 404 instead.
   */
  upstream?: string | null;
  /** Serve HTML only, as Keygen does (JSON-only `Accept` headers then get 406). */
  htmlOnly?: boolean;
}

/** Input of {@link renderPep503Index}. */
export interface Pep503Input extends PypiOptions {
  /** The project segment as requested (decoded); absent for the project list. */
  project?: string;
  /** Whether the request path ended with `/`. */
  trailingSlash: boolean;
  /** The request's query string, with its `?` (or empty); kept on redirects. */
  search: string;
  /** Request headers: `Accept`, `Accept-Encoding`, `If-None-Match` (a `Headers`, or any lookup by name). */
  headers: HeaderLookup;
  /** The `{account}` segment as requested (slug or id), for redirects; defaults to the account id. */
  accountSegment?: string;
  /** Where rendered pages are kept between requests (the fetch handler passes its own). */
  cache?: PageCache;
}

/** Default upstream for unknown projects. */
export const DEFAULT_PYPI_UPSTREAM = "https://pypi.org/simple/";

/** Pages smaller than this are sent uncompressed. */
const COMPRESS_MIN_BYTES = 1024;

const PAGE_HEADERS = {
  "Cache-Control": "max-age=600, private",
  Vary: "Accept, Authorization, Accept-Encoding",
};

/** A page's ETag for one fingerprint, and the page cache's keys of its variants (made once, not per request). */
interface PageTags {
  etag: string;
  /** The cache key of the page as rendered. */
  identity: string;
  /** The cache keys of its compressed variants, by coding. */
  coded: Record<string, string>;
}

/** Tags of recent fingerprints, by the fingerprint's parts: a repeat request (a 304 above all) neither joins nor hashes the fingerprint. */
const tagsOf = new NestedMemo<PageTags>(1024);

/** Formats of recent `Accept` values (negotiation is a pure function of the header). */
const formatsOf = [false, true].map((htmlOnly) => boundedMemo((accept) => negotiatePypiFormat(accept, htmlOnly), 256));

/** Codings of recent `Accept-Encoding` values, without and with brotli (negotiation is a pure function of the header). */
const codingsOf = [false, true].map((brotli) => boundedMemo((acceptEncoding) => negotiateEncoding(acceptEncoding, brotli), 256));

function codingFor(acceptEncoding: string | null): ContentCoding {
  return acceptEncoding === null ? "identity" : (codingsOf[canBrotli() ? 1 : 0] as (acceptEncoding: string) => ContentCoding)(acceptEncoding);
}

function formatFor(accept: string | null, htmlOnly: boolean | undefined): PypiFormat | null {
  return accept === null ? negotiatePypiFormat(null, htmlOnly) : (formatsOf[htmlOnly === true ? 1 : 0] as (accept: string) => PypiFormat | null)(accept);
}

function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

function newest(dates: Iterable<string>): string | null {
  let max: string | null = null;
  for (const d of dates) if (max === null || d > max) max = d;
  return max;
}

/** The `{account}` segment of a redirect: as requested (slug or id), else the account id. */
function accountSegment(ctx: EngineContext, input: Pep503Input): string {
  return encodeURIComponent(input.accountSegment ?? ctx.account.id);
}

/** The `WWW-Authenticate` challenge of the PyPI routes: Basic, so pip and browsers answer it. */
export function pypiChallenge(realm: string): string {
  return `Basic realm="${realm.replace(/["\\]/g, "")}"`;
}

/** What a page's links depend on besides the origin: the links a builder gives for placeholder records. */
function urlsKey(urls: Urls, account: string): string[] {
  return [urls("pypi.project", { account, project: "{p}" }), urls("artifacts.file", { account, id: "{a}", filename: "{f}" })];
}

interface Page {
  /** Everything the page depends on besides the store's data and the caller's scopes, hashed into the ETag. */
  key: string[];
  render(format: PypiFormat): Promise<CachedPage>;
}

async function answer(ctx: EngineContext, input: Pep503Input, format: PypiFormat, page: Page): Promise<EngineResult> {
  const cache = input.cache ?? createPageCache({ maxEntries: 4 });
  // Scopes as their keys (remembered per scope object): `JSON.stringify` of both scopes was a tenth of a 304.
  const urls = ctx.urls !== undefined && ctx.urls !== keygenUrls ? JSON.stringify(urlsKey(ctx.urls, ctx.account.id)) : "";
  // A spread, not `concat`: V8 runs `concat` in its runtime, a spread in the optimized code.
  const parts = [...page.key, scopeKey(ctx.scope), scopeKey(ctx.lookupScope), ctx.origin, format, urls];
  let tags = tagsOf.get(parts);
  if (tags === undefined) {
    const etag = weakEtag(`${JSON.stringify(page.key)}${scopeKey(ctx.scope)}|${scopeKey(ctx.lookupScope)}|${JSON.stringify(ctx.origin)}|${format}${urls}`);
    tags = tagsOf.set(parts, { etag, identity: `${etag}|${format}`, coded: { gzip: `${etag}|${format}|gzip`, br: `${etag}|${format}|br` } });
  }
  const etag = tags.etag;
  // A literal, not `{ ...PAGE_HEADERS, ETag }`: V8 spreads then extends such objects slowly.
  const headers: Record<string, string> = { "Cache-Control": PAGE_HEADERS["Cache-Control"], Vary: PAGE_HEADERS.Vary, ETag: etag };
  // The page before any 304: its render authorizes every release it lists (a cached page was rendered
  // under this same fingerprint, scopes included), so a refusal is never answered as "not modified".
  const identity = cache.peek?.(tags.identity) ?? (await cache.getOrCreate(tags.identity, () => page.render(format)));
  const ifNoneMatch = input.headers.get("if-none-match");
  if (ifNoneMatchHits(ifNoneMatch, etag)) return { status: 304, headers, body: null };

  // Last-Modified (the newest file's upload time) informs, but never validates: removing a file or
  // hiding a release does not move it, so only the ETag (revision and visible set) may answer 304.
  if (identity.lastModified !== null) headers["Last-Modified"] = identity.lastModified;
  const coding = identity.body.byteLength >= COMPRESS_MIN_BYTES ? codingFor(input.headers.get("accept-encoding")) : "identity";
  let body = identity.body;
  if (coding !== "identity") {
    const codedKey = tags.coded[coding] ?? `${etag}|${format}|${coding}`;
    body = (cache.peek?.(codedKey) ?? (await cache.getOrCreate(codedKey, async () => ({ body: await compress(identity.body, coding), lastModified: identity.lastModified })))).body;
    headers["Content-Encoding"] = coding;
  }
  headers["Content-Type"] = PYPI_CONTENT_TYPES[format];
  headers["Content-Length"] = String(body.byteLength);
  return { status: 200, headers, body };
}

function indexPage(ctx: EngineContext, accountRevision: string): Page {
  return {
    key: ["index", ctx.account.id, accountRevision],
    async render(format) {
      const packages = await ctx.store.listPackages(ctx.account.id, "pypi", ctx.scope);
      const text =
        format === "json"
          ? renderIndexJson(packages.map((p) => p.key))
          : renderIndexHtml(
              ctx.account.name,
              packages.map((p) => ({
                name: p.key,
                href: linkUrl(ctx, "pypi.project", { account: ctx.account.id, project: p.id }),
                data: dataAttributes(p.metadata),
              })),
            );
      const last = newest(packages.map((p) => p.updated));
      return { body: utf8(text), lastModified: last === null ? null : httpDate(last) };
    },
  };
}

/** Text `encodeURIComponent` leaves as it is. */
const URI_UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

function projectPage(ctx: EngineContext, pkg: Package, product: Product, revisions: string[]): Page {
  const urlOf = (a: Artifact) => linkUrl(ctx, "artifacts.file", { account: ctx.account.id, id: a.id, filename: URI_UNRESERVED.test(a.filename) ? a.filename : encodeURIComponent(a.filename) });
  return {
    key: ["project", ctx.account.id, pkg.id, ...revisions],
    async render(format) {
      // Yanked releases stay listed (PEP 592); a blocked license denies the listing with its reason.
      const rows = await listablePackageFiles(ctx, pkg, product);
      const files = projectFiles(rows, urlOf, format === "json" ? "json" : "html");
      const text = format === "json" ? renderProjectJson(pkg.key, files) : renderProjectHtml(pkg.name, ctx.account.name, files);
      let last = pkg.updated;
      for (const { artifact, release } of rows) {
        if (artifact.updated > last) last = artifact.updated;
        if (release.updated > last) last = release.updated;
      }
      return { body: utf8(text), lastModified: httpDate(last) };
    },
  };
}

/**
 * The PyPI simple index: the project list (no `project`) or one project's page.
 *
 * Non-normalised names and missing trailing slashes answer 301 to the canonical URL (query kept);
 * an unknown project answers 307 to the upstream index (or 404); a project the caller may not read
 * answers 401 with a Basic challenge (anonymous) or 403. The project lookup ignores authorization,
 * so "exists but not allowed" is never a redirect.
 * @throws {UnauthorizedError} anonymous caller, project of a LICENSED or CLOSED product.
 * @throws {ForbiddenError} authenticated caller without access.
 * @throws {NotAcceptableError} when `Accept` allows neither HTML nor JSON.
 * @throws {NotFoundError} unknown project when `upstream` is null.
 * @example await renderPep503Index(ctx, { project: "demo-pkg", trailingSlash: true, search: "", headers: new Headers() })
 */
export async function renderPep503Index(ctx: EngineContext, input: Pep503Input): Promise<EngineResult> {
  if (input.project === undefined) {
    if (!input.trailingSlash) return redirectResult(301, `${linkUrl(ctx, "pypi.index", { account: accountSegment(ctx, input) })}${input.search}`);
    const format = formatFor(input.headers.get("accept"), input.htmlOnly);
    if (format === null) throw new NotAcceptableError();
    const accountRead = revisionNow(ctx, null);
    return answer(ctx, input, format, indexPage(ctx, typeof accountRead === "string" ? accountRead : await accountRead));
  }
  const name = normalizeProjectName(input.project);
  if (name !== input.project || !input.trailingSlash) {
    return redirectResult(301, `${linkUrl(ctx, "pypi.project", { account: accountSegment(ctx, input), project: encodeURIComponent(name) })}${input.search}`);
  }

  // Reads the store holds in process are taken without a promise (a warm 304 awaits nothing of the store's).
  const pkgRead = packageNow(ctx, name, "pypi");
  const pkg = isPending(pkgRead) ? await pkgRead : pkgRead;
  if (pkg === null) {
    const upstream = input.upstream === undefined ? DEFAULT_PYPI_UPSTREAM : input.upstream;
    if (upstream === null) throw new NotFoundError(`The requested release package '${name}' was not found`);
    return redirectResult(307, `${upstream.replace(/\/+$/, "")}/${encodeURIComponent(name)}/`);
  }
  const productRead = productNow(ctx, pkg.productId);
  const product = isPending(productRead) ? await productRead : productRead;
  if (product === null) throw notFound("product", pkg.productId);
  const decision = authorize(ctx.principal, "read", { type: "package", package: pkg, product }, ctx.now);
  if (!decision.allowed) {
    if (ctx.principal.kind === "anonymous") throw new UnauthorizedError(undefined, { headers: { "WWW-Authenticate": pypiChallenge(ctx.account.slug) } });
    throw accessDenied(decision);
  }
  const format = formatFor(input.headers.get("accept"), input.htmlOnly);
  if (format === null) throw new NotAcceptableError();
  // A caller who sees no drafts of the product lists only what the listed revision follows, so a
  // draft, a WAITING artifact or an upload into a draft leaves its page (and ETag) as it was.
  const audience = revisionAudience(pkg.productId, ctx.scope, ctx.lookupScope);
  const packageRead = revisionNow(ctx, pkg.id, audience);
  const accountRead = revisionNow(ctx, null);
  const revisions = typeof packageRead === "string" && typeof accountRead === "string" ? [packageRead, accountRead] : await Promise.all([packageRead, accountRead]);
  return answer(ctx, input, format, projectPage(ctx, pkg, product, revisions));
}
