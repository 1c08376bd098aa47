/**
 * @module engines/raw — the raw engine: a stable link that answers 303 to
 * the artifact download route of the release and file it names.
 */
import { accessDenied, authorize } from "../access/authorize.js";
import { mayFindReleasesOf } from "../access/scope.js";
import { notFound } from "../core/errors.js";
import { redirectResult, type EngineResult } from "../core/result.js";
import type { EngineContext } from "./context.js";
import { linkUrl } from "./urls.js";

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
  const product = await ctx.store.getProduct(accountId, input.product);
  // A product the caller cannot see ends here, as a missing one does: the same store work, the same time.
  if (product === null || product.accountId !== accountId || !mayFindReleasesOf(ctx.lookupScope, product)) throw missing();
  let packageId: string | null = null;
  if (input.package !== undefined) {
    const pkg = input.package === "" ? null : await ctx.store.getPackage(accountId, input.package);
    if (pkg === null || pkg.productId !== product.id) throw missing();
    packageId = pkg.id;
  }
  const found = await ctx.store.findRawArtifact({
    accountId,
    productId: product.id,
    packageId,
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
  return redirectResult(303, location);
}
