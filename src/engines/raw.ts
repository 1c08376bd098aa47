/**
 * @module engines/raw — the raw engine: a stable link that answers 303 to
 * the artifact download route of the release and file it names.
 */
import { accessDenied, authorize } from "../access/authorize.js";
import { mayFindReleasesOf, revisionAudience } from "../access/scope.js";
import { scopeKey } from "../access/scope-key.js";
import { notFound } from "../core/errors.js";
import { NestedMemo } from "../core/nested-memo.js";
import { redirectResult, type EngineResult } from "../core/result.js";
import type { Package, Product } from "../model/records.js";
import type { EngineContext } from "./context.js";
import { isPending, packageNow, productNow, revisionNow } from "./read-now.js";
import { fileLinksKey, linkUrl } from "./urls.js";

/** Input of {@link resolveRawArtifact}: the decoded path segments and the request's query. */
export interface RawArtifactInput {
  /** Product UUID or code (never its name). */
  product: string;
  /** Package UUID or key from `@{package}`; absent means only releases without a package. */
  package?: string;
  /** Release UUID, version or tag; `latest` falls back to the newest stable release with the file. */
  release: string;
  /** Artifact UUID or filename (a filename may contain `/`). */
  artifact: string;
  /** The request's query, carried over to the redirect so that `?auth=` survives. */
  query?: URLSearchParams;
  /** The request's query string as sent (`?…` or empty), when known: a remembered redirect is found by it without parsing the query. */
  search?: string;
}

/** Most entries in any one level of a store's remembered redirects (a full level is emptied and fills again). */
const LIMIT = 4096;

/** Each store's remembered redirects of raw links that name a package (a redirect is a pure function of the parts of {@link slotOf}). */
const remembered = new WeakMap<object, NestedMemo<string>>();

function locationsOf(store: object): NestedMemo<string> {
  let memo = remembered.get(store);
  if (memo === undefined) remembered.set(store, (memo = new NestedMemo(LIMIT)));
  return memo;
}

/**
 * Everything a packaged raw link's redirect depends on: the package and its revision (the listed one for a caller who
 * sees no drafts, as its lookups see only published releases and uploaded files), the catalogue's revision (the
 * product's distribution strategy decides visibility), what the caller may see and look up, where links point, and
 * the link itself. A failure (404, 403) is never remembered: it is worked out every time.
 */
function slotOf(ctx: EngineContext, product: Product, pkg: Package, input: RawArtifactInput, search: string): string[] | Promise<string[]> {
  const packageRead = revisionNow(ctx, pkg.id, revisionAudience(product.id, ctx.scope, ctx.lookupScope));
  const accountRead = revisionNow(ctx, null);
  const parts = (packageRevision: string, accountRevision: string) =>
    [ctx.account.id, pkg.id, packageRevision, accountRevision, scopeKey(ctx.scope), scopeKey(ctx.lookupScope), ctx.origin, fileLinksKey(ctx.urls), input.release, input.artifact, search];
  // Both revisions in process (the memory store, a live SQL cache): no promise, so a remembered redirect awaits nothing.
  if (typeof packageRead === "string" && typeof accountRead === "string") return parts(packageRead, accountRead);
  return Promise.all([packageRead, accountRead]).then(([p, a]) => parts(p, a));
}

/** Percent-encode a filename for a path, keeping its `/` separators (as a Rails glob segment does). */
function encodePath(filename: string): string {
  // Most names have nothing to encode: skip the split.
  if (/^[A-Za-z0-9\-_.!~*'()/]*$/.test(filename)) return filename;
  return filename.split("/").map(encodeURIComponent).join("/");
}

/**
 * Resolve a raw link to the artifact the caller may see and answer 303 to its download route:
 * `<origin>/v1/accounts/<account id>/artifacts/<artifact id>/<filename>[?<query>]` (or where `ctx.urls` puts `artifacts.file`).
 * @throws {NotFoundError} `The requested release artifact '<artifact>' was not found` for any
 *   unknown or invisible product, package, release or artifact, so nothing leaks.
 * @throws {ForbiddenError} with Keygen's reason when the caller finds the artifact but may not read it
 *   (e.g. a suspended license authenticated by token).
 * @example await resolveRawArtifact(ctx, { product: "cli", release: "1.0.0", artifact: "cli_linux_amd64" })
 */
export async function resolveRawArtifact(ctx: EngineContext, input: RawArtifactInput): Promise<EngineResult> {
  const missing = () => notFound("release artifact", input.artifact);
  const accountId = ctx.account.id;
  // Reads the store holds in process are taken without a promise (a remembered redirect awaits nothing of the store's).
  const productRead = productNow(ctx, input.product);
  const product = isPending(productRead) ? await productRead : productRead;
  // A product the caller cannot see ends here, as a missing one does: the same store work, the same time.
  if (product === null || product.accountId !== accountId || !mayFindReleasesOf(ctx.lookupScope, product)) throw missing();
  let pkg: Package | null = null;
  if (input.package !== undefined) {
    const pkgRead = input.package === "" ? null : packageNow(ctx, input.package);
    pkg = isPending(pkgRead) ? await pkgRead : pkgRead;
    if (pkg === null || pkg.productId !== product.id) throw missing();
  }
  // Releases without a package have no revision of their own: their links are worked out every time.
  const slotRead = pkg === null ? null : slotOf(ctx, product, pkg, input, input.search ?? input.query?.toString() ?? "");
  const slot = slotRead === null || Array.isArray(slotRead) ? slotRead : await slotRead;
  const known = slot === null ? undefined : locationsOf(ctx.store).get(slot);
  if (known !== undefined) return redirectResult(303, known);
  const found = await ctx.store.findRawArtifact({
    accountId,
    productId: product.id,
    packageId: pkg === null ? null : pkg.id,
    release: input.release,
    artifact: input.artifact,
    scope: ctx.lookupScope,
  });
  if (found === null) throw missing();
  const { artifact, release } = found;
  const decision = authorize(ctx.principal, "read", { type: "artifact", artifact, release, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);
  const search = input.query?.toString() ?? "";
  const location = `${linkUrl(ctx, "artifacts.file", { account: accountId, id: artifact.id, filename: encodePath(artifact.filename) })}${search === "" ? "" : `?${search}`}`;
  if (slot !== null) locationsOf(ctx.store).set(slot, location);
  return redirectResult(303, location);
}
