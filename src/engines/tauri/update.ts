/**
 * @module engines/tauri/update — the Tauri dynamic update server (Keygen §3, SPEC 10–14a).
 *
 * Every answer is one the Tauri updater accepts: a 200 with `{url, signature, version, pub_date,
 * notes?}` (absolute URL, strict SemVer, RFC 3339 date, the artifact's signature), or a 204 with an
 * empty body whose `Release-Engines-Reason` header says why there is no update.
 */
import { accessDenied, authorize } from "../../access/authorize.js";
import { queryCredential, type QueryCredential } from "../../auth/credentials.js";
import { ValidationError, notFound } from "../../core/errors.js";
import type { HeaderLookup } from "../../core/headers.js";
import { noContentResult, type EngineResult } from "../../core/result.js";
import type { Artifact, Product, Release } from "../../model/records.js";
import { isPackageVisible } from "../../access/scope.js";
import type { EngineContext } from "../context.js";
import { weakEtag } from "../etag.js";
import { optionalParam, requiredParam, restorePlus } from "../query.js";
import { parseConstraint, resolveUpgrade, upgradeChannels, type UpgradeRequest } from "../upgrade.js";
import { serializeRelease } from "../releases.js";
import { pickTauriArtifact } from "./artifact.js";
import { linkUrl, type Urls } from "../urls.js";

/** Why a Tauri request got a 204 (SPEC 14a); none of them reveals a record the caller may not see. */
export type TauriNoUpdateReason = "unknown-current-version" | "unknown-channel" | "up-to-date" | "no-signed-artifact-for-platform";

/** The header a 204 names its reason in. */
export const REASON_HEADER = "Release-Engines-Reason";

/** The 200 body, keys in Keygen's order; `notes` is omitted when the release has none (SPEC 14). */
export interface TauriUpdateBody {
  url: string;
  signature: string;
  version: string;
  pub_date: string;
  notes?: string;
}

/** Input of {@link resolveTauriUpdate}: the package segment, the query string and the request headers. */
export interface TauriUpdateInput {
  /** Package UUID or key. */
  package: string;
  /** `platform`, `arch`, `version` (required), `channel`, `constraint` (optional). */
  query: URLSearchParams;
  /**
   * For `Accept`, `If-None-Match` and `Authorization` (a `Headers`, or any lookup by name): without
   * an `Authorization` header, a `?token=`/`?auth=` credential in `query` is carried on the `url`.
   */
  headers?: HeaderLookup;
}

/** The answer's JSON content type (Keygen renders the Tauri route as plain JSON). */
export const TAURI_CONTENT_TYPE = "application/json; charset=utf-8";

// SemVer 2.0.0, exactly (semver.org's regex): no `v`, no leading zeros, no spaces.
const STRICT_SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const ACCEPTED_TYPES = ["application/json", "application/octet-stream", "*/*", "application/*"];

function checkAccept(headers: HeaderLookup | undefined): void {
  const accept = headers?.get("accept");
  if (accept === null || accept === undefined || accept.trim() === "") return;
  const types = accept.split(",").map((part) => (part.split(";")[0] ?? "").trim().toLowerCase());
  if (types.some((t) => ACCEPTED_TYPES.includes(t))) return;
  throw new ValidationError("The mime type of the request is not acceptable (check content-type and accept headers)", { code: "MIME_TYPE_INVALID" });
}

function noUpdate(reason: TauriNoUpdateReason): EngineResult {
  return noContentResult({ [REASON_HEADER]: reason, Vary: "Accept, Authorization, Accept-Encoding" });
}

/**
 * The download URL of an artifact on the request's origin (Keygen §3.3): the artifact route (where `urls`
 * puts `artifacts.file`), with the caller's query credential when it authenticated by one (SPEC 20), percent-encoded.
 */
export function artifactUrl(origin: string, accountId: string, artifact: Artifact, credential: QueryCredential | null = null, urls?: Urls): string {
  const name = artifact.filename;
  // Most names have nothing to encode (encodeURIComponent keeps exactly these characters).
  const filename = /^[A-Za-z0-9\-_.!~*'()]*$/.test(name) ? name : encodeURIComponent(name);
  const url = linkUrl({ origin, urls }, "artifacts.file", { account: accountId, id: artifact.id, filename });
  return credential === null ? url : `${url}?${credential.name}=${encodeURIComponent(credential.value)}`;
}

/** The 200 body for an upgrade release and its chosen artifact. */
export function tauriUpdateBody(release: Release, artifact: Artifact, url: string): TauriUpdateBody {
  const body: TauriUpdateBody = {
    url,
    signature: artifact.signature as string,
    version: release.version,
    pub_date: new Date(release.created).toISOString(),
  };
  if (release.description !== null) body.notes = release.description;
  return body;
}

async function productOf(ctx: EngineContext, productId: string): Promise<Product> {
  const product = await ctx.store.getProduct(ctx.account.id, productId);
  if (product === null) throw notFound("product", productId);
  return product;
}

/**
 * Answer a Tauri updater's check: the newest upgrade the caller may see that has a signed artifact
 * for the platform and arch, or 204 with the reason.
 * @throws {ValidationError} for a missing or blank parameter, an invalid `constraint`, or an unacceptable `Accept`.
 * @throws {NotFoundError} when the package is not a `tauri` package the caller may see.
 * @throws {ForbiddenError} when the caller finds the current release but may not upgrade it (e.g. a suspended license).
 * @example await resolveTauriUpdate(ctx, { package: "my-app", query: new URLSearchParams("platform=linux&arch=x86_64&version=1.0.0") })
 */
export async function resolveTauriUpdate(ctx: EngineContext, input: TauriUpdateInput): Promise<EngineResult> {
  checkAccept(input.headers);
  const platform = requiredParam(input.query, "platform");
  const arch = requiredParam(input.query, "arch");
  const version = restorePlus(requiredParam(input.query, "version"));
  const channel = optionalParam(input.query, "channel");
  const constraint = optionalParam(input.query, "constraint");
  const range = constraint === undefined ? undefined : parseConstraint(restorePlus(constraint));

  const pkg = await ctx.store.getPackage(ctx.account.id, input.package, "tauri");
  const pkgProduct = pkg === null ? null : await productOf(ctx, pkg.productId);
  if (pkg === null || pkgProduct === null || !isPackageVisible(ctx.scope, pkg, pkgProduct)) throw notFound("release package", input.package);

  if (!STRICT_SEMVER.test(version)) return noUpdate("unknown-current-version");
  const current = await ctx.store.getReleaseByVersion(ctx.account.id, pkg.productId, pkg.id, version, ctx.lookupScope);
  if (current === null) return noUpdate("unknown-current-version");
  const decision = authorize(ctx.principal, "upgrade", { type: "release", release: current, product: pkgProduct }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);
  if (upgradeChannels(channel ?? current.channel).length === 0) return noUpdate("unknown-channel");

  const request: UpgradeRequest = { current, packageId: pkg.id };
  if (channel !== undefined) request.channel = channel;
  if (range !== undefined) request.range = range;
  const upgradeCtx = { store: ctx.store, accountId: ctx.account.id, scope: ctx.scope };
  // Object.assign, not `{ ...request, artifact }`: V8 spreads then extends an object slowly.
  const upgrade = await resolveUpgrade(upgradeCtx, Object.assign({}, request, { artifact: { platform, arch } }));
  if (upgrade === null) {
    // Both questions are asked within the caller's scope, so the reason reveals nothing hidden.
    const any = await resolveUpgrade(upgradeCtx, request);
    return noUpdate(any === null ? "up-to-date" : "no-signed-artifact-for-platform");
  }
  const artifacts = await ctx.store.listReleaseArtifacts(ctx.account.id, upgrade.id, ctx.scope, { platform, arch });
  const artifact = pickTauriArtifact(artifacts, platform, arch);
  if (artifact === null) return noUpdate("no-signed-artifact-for-platform");

  // SPEC 20: an app that authenticates with `?auth=`/`?token=` sends no header, so its download needs the same credential.
  const credential = ctx.principal.kind === "anonymous" ? null : queryCredential({ authorization: input.headers?.get("authorization") ?? null, query: input.query });
  const body = JSON.stringify(tauriUpdateBody(upgrade, artifact, artifactUrl(ctx.origin, ctx.account.id, artifact, credential, ctx.urls)));
  const etag = weakEtag(body);
  const headers = { ETag: etag, Vary: "Accept, Authorization, Accept-Encoding" };
  if (matchesEtag(input.headers?.get("if-none-match") ?? null, etag)) return { status: 304, headers, body: null };
  ctx.emit?.({ type: "release.upgraded", accountId: ctx.account.id, at: ctx.now.toISOString(), data: serializeRelease(upgrade, { accountId: ctx.account.id, urls: ctx.urls }) as unknown as Record<string, unknown> });
  return { status: 200, headers: { "Content-Type": TAURI_CONTENT_TYPE, ...headers }, body };
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}
