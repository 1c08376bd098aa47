/**
 * @module engines/tauri/update — the Tauri dynamic update server.
 *
 * Every answer is one the Tauri updater accepts: a 200 with `{url, signature, version, pub_date,
 * notes?}` (absolute URL, strict SemVer, RFC 3339 date, the artifact's signature), or a 204 with an
 * empty body whose `Release-Engines-Reason` header says why there is no update.
 */
import { upgradeScopeOf } from "../../access/principal.js";
import { accessDenied, authorize } from "../../access/authorize.js";
import { queryCredential, type QueryCredential } from "../../auth/credentials.js";
import { ValidationError, notFound } from "../../core/errors.js";
import type { HeaderLookup } from "../../core/headers.js";
import { noContentResult, type EngineResult } from "../../core/result.js";
import type { Artifact, Package, Product, Release } from "../../model/records.js";
import { ADMIN_SCOPE, isPackageVisible, revisionAudience } from "../../access/scope.js";
import { scopeKey } from "../../access/scope-key.js";
import { boundedMemo } from "../../core/memo.js";
import type { RevisionAudience } from "../../store/types.js";
import type { EngineContext } from "../context.js";
import { ifNoneMatchHits, weakEtag } from "../etag.js";
import { revisionNow } from "../read-now.js";
import { optionalParam, requiredParam, restorePlus } from "../query.js";
import { parseConstraint, resolveUpgrade, upgradeChannels, type UpgradeRequest } from "../upgrade.js";
import { serializeRelease } from "../releases.js";
import { isTauriEligible, pickTauriArtifact } from "./artifact.js";
import { knownAnswer, knownPackage, rememberAnswer, rememberPackage, type AnswerSlot, type TauriAnswer, type TauriPackage } from "./answers.js";
import { fileLinksKey, linkUrl, type Urls } from "../urls.js";

/**
 * Why a Tauri request got a 204; none of them reveals a record the caller may not see.
 * `no-uploaded-artifact-for-platform`: the newest upgrade the caller may see has a signed file for
 * the platform and arch whose bytes are not uploaded yet (WAITING, PROCESSING or FAILED).
 */
export type TauriNoUpdateReason =
  | "unknown-current-version" | "unknown-channel" | "up-to-date" | "no-signed-artifact-for-platform" | "no-uploaded-artifact-for-platform";

/** The header a 204 names its reason in. */
export const REASON_HEADER = "Release-Engines-Reason";

/** The 200 body, keys in Keygen's order; `notes` is omitted when the release has none. */
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
  /** The raw query string `query` was parsed from (with or without `?`), when the caller has it: remembered answers are found by it without parsing. */
  search?: string;
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

/** Whether an `Accept` value admits the answer's JSON (a pure function of the header, remembered). */
const acceptable = boundedMemo((accept: string): boolean => {
  if (accept.trim() === "") return true;
  const types = accept.split(",").map((part) => (part.split(";")[0] ?? "").trim().toLowerCase());
  return types.some((t) => ACCEPTED_TYPES.includes(t));
}, 256);

function checkAccept(headers: HeaderLookup | undefined): void {
  const accept = headers?.get("accept");
  if (accept === null || accept === undefined || acceptable(accept)) return;
  throw new ValidationError("The mime type of the request is not acceptable (check content-type and accept headers)", { code: "MIME_TYPE_INVALID" });
}

const VARY = "Accept, Authorization, Accept-Encoding";

function noUpdate(reason: TauriNoUpdateReason): TauriAnswer {
  return { kind: "none", reason };
}

/**
 * The download URL of an artifact on the request's origin: the artifact route, with
 * the caller's query credential when it authenticated by one, percent-encoded.
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

/** The package a segment names and its product, worked out from the store and remembered per catalogue revision (packages and products are the catalogue). */
async function lookUpPackage(ctx: EngineContext, segment: string, accountRevision: string): Promise<TauriPackage> {
  const pkg = await ctx.store.getPackage(ctx.account.id, segment, "tauri");
  const product = pkg === null ? null : await ctx.store.getProduct(ctx.account.id, pkg.productId);
  return rememberPackage(ctx.store, ctx.account.id, accountRevision, segment, pkg === null ? null : { pkg, product });
}

/** The question's parameters, read and checked. @throws {ValidationError} for a missing or blank parameter or an invalid `constraint`. */
function questionOf(query: URLSearchParams, credential: QueryCredential | null): TauriQuestion {
  const platform = requiredParam(query, "platform");
  const arch = requiredParam(query, "arch");
  const version = restorePlus(requiredParam(query, "version"));
  const channel = optionalParam(query, "channel");
  const constraint = optionalParam(query, "constraint");
  const range = constraint === undefined ? undefined : parseConstraint(restorePlus(constraint));
  return { platform, arch, version, channel, range, credential };
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
  // The question as text: the raw query string when the caller has it (then a remembered answer needs
  // no parsing: the parameters were checked when it was worked out), else the parameters re-serialized.
  const search = input.search ?? input.query.toString();
  const accountRead = revisionNow(ctx, null);
  const accountRevision = typeof accountRead === "string" ? accountRead : await accountRead;
  const knownPkg = knownPackage(ctx.store, ctx.account.id, accountRevision, input.package);
  const found = knownPkg !== undefined ? knownPkg : await lookUpPackage(ctx, input.package, accountRevision);
  if (found === null || found.product === null || !isPackageVisible(ctx.scope, found.pkg, found.product)) {
    questionOf(input.query, null); // a bad parameter is a 400 before the package is a 404 (Keygen checks parameters first)
    if (found !== null && found.product === null) throw notFound("product", found.pkg.productId);
    throw notFound("release package", input.package);
  }
  const { pkg, product } = found;

  // SPEC 20: an app that authenticates with `?auth=`/`?token=` sends no header, so its download needs the same credential.
  const credential = ctx.principal.kind === "anonymous" ? null : queryCredential(new InputCredentials(input));
  // A caller who sees no drafts gets answers that follow the listed revision: a draft being made, its
  // files uploading, leave them as they were (only the 204 reasons below look further, and say so).
  const audience = revisionAudience(pkg.productId, ctx.scope, ctx.lookupScope);
  const packageRead = revisionNow(ctx, pkg.id, audience);
  const slot: AnswerSlot = {
    store: ctx.store,
    accountId: ctx.account.id,
    packageId: pkg.id,
    packageRevision: typeof packageRead === "string" ? packageRead : await packageRead,
    accountRevision,
    // Everything else the answer depends on: what the caller may see and look up; who (the kind decides `authorize`'s branch);
    // the upgrade scope (a user's role narrows which releases it is offered); whether links carry a query credential; where they point; what was asked.
    path: [scopeKey(ctx.scope), scopeKey(ctx.lookupScope), ctx.principal.kind, scopeKey(upgradeScopeOf(ctx.principal, ctx.scope)), credential === null ? "h" : "q", ctx.origin, fileLinksKey(ctx.urls), search],
  };
  const remembered = knownAnswer(slot);
  const known = remembered?.kind === "none" && remembered.allRevision !== undefined ? await stillTrue(ctx, pkg, remembered.allRevision, remembered) : remembered;
  const answer = known ?? rememberAnswer(slot, await decide(ctx, pkg, product, questionOf(input.query, credential), audience));
  // A literal key (REASON_HEADER's text): a computed one makes V8 define the literal's properties one by one at run time.
  if (answer.kind === "none") return noContentResult({ "Release-Engines-Reason": answer.reason, Vary: VARY });
  if (ifNoneMatchHits(input.headers?.get("if-none-match") ?? null, answer.etag)) return { status: 304, headers: { ETag: answer.etag, Vary: VARY }, body: null };
  const upgrade = answer.upgrade;
  ctx.emit?.({ type: "release.upgraded", accountId: ctx.account.id, at: ctx.now.toISOString(), data: serializeRelease(upgrade, { accountId: ctx.account.id, urls: ctx.urls }) as unknown as Record<string, unknown> });
  return { status: 200, headers: { "Content-Type": TAURI_CONTENT_TYPE, ETag: answer.etag, Vary: VARY }, body: answer.body };
}

/** The credential source of a Tauri check: its `Authorization`, and its query parsed only when read (a class: a literal with a getter is built at run time). */
class InputCredentials {
  readonly authorization: string | null;

  constructor(private readonly input: TauriUpdateInput) {
    this.authorization = input.headers?.get("authorization") ?? null;
  }

  get query(): URLSearchParams {
    return this.input.query;
  }
}

/** A remembered 204 whose reason looked at files not yet uploaded, unless the full package revision has moved from `allRevision` since. */
async function stillTrue(ctx: EngineContext, pkg: Package, allRevision: string, answer: TauriAnswer): Promise<TauriAnswer | undefined> {
  return allRevision === (await revisionNow(ctx, pkg.id, "all")) ? answer : undefined;
}

/** The question of a Tauri check, read and checked. */
interface TauriQuestion {
  platform: string;
  arch: string;
  version: string;
  channel: string | undefined;
  range: ReturnType<typeof parseConstraint> | undefined;
  credential: QueryCredential | null;
}

/** Work a check's answer out from the store (what {@link resolveTauriUpdate} remembers). @throws {ForbiddenError} when the caller may not upgrade the current release. */
async function decide(ctx: EngineContext, pkg: Package, product: Product, q: TauriQuestion, audience: RevisionAudience): Promise<TauriAnswer> {
  if (!STRICT_SEMVER.test(q.version)) return noUpdate("unknown-current-version");
  const current = await ctx.store.getReleaseByVersion(ctx.account.id, pkg.productId, pkg.id, q.version, ctx.lookupScope);
  if (current === null) return noUpdate("unknown-current-version");
  const decision = authorize(ctx.principal, "upgrade", { type: "release", release: current, product }, ctx.now);
  if (!decision.allowed) throw accessDenied(decision);
  if (upgradeChannels(q.channel ?? current.channel).length === 0) return noUpdate("unknown-channel");

  const request: UpgradeRequest = { current, packageId: pkg.id };
  if (q.channel !== undefined) request.channel = q.channel;
  if (q.range !== undefined) request.range = q.range;
  const upgradeCtx = { store: ctx.store, accountId: ctx.account.id, scope: upgradeScopeOf(ctx.principal, ctx.scope) };
  // Object.assign, not `{ ...request, artifact }`: V8 spreads then extends an object slowly.
  const upgrade = await resolveUpgrade(upgradeCtx, Object.assign({}, request, { artifact: { platform: q.platform, arch: q.arch } }));
  if (upgrade === null) {
    // Both questions are asked within the caller's scope, so the reason reveals nothing hidden.
    const any = await resolveUpgrade(upgradeCtx, request);
    if (any === null) return noUpdate("up-to-date");
    // Files not yet uploaded move only the full revision: read before them, it dates this answer.
    const allRevision = audience === "listed" ? await revisionNow(ctx, pkg.id, "all") : undefined;
    const reason = await awaitsUpload(ctx, any, q.platform, q.arch) ? "no-uploaded-artifact-for-platform" : "no-signed-artifact-for-platform";
    return allRevision === undefined ? noUpdate(reason) : { kind: "none", reason, allRevision };
  }
  const artifacts = await ctx.store.listReleaseArtifacts(ctx.account.id, upgrade.id, upgradeCtx.scope, { platform: q.platform, arch: q.arch });
  const artifact = pickTauriArtifact(artifacts, q.platform, q.arch);
  if (artifact === null) return noUpdate("no-signed-artifact-for-platform");
  const body = JSON.stringify(tauriUpdateBody(upgrade, artifact, artifactUrl(ctx.origin, ctx.account.id, artifact, q.credential, ctx.urls)));
  return { kind: "update", body, etag: weakEtag(body), upgrade };
}

const NOT_UPLOADED: ReadonlySet<Artifact["status"]> = new Set(["WAITING", "PROCESSING", "FAILED"]);

/**
 * Whether `release` (one the caller may see) has a signed file for the platform and arch that is not
 * uploaded yet. Such files are listed only to callers who see everything of the product, so this asks
 * for all of the release's files; it answers a yes or no about a release the caller sees, nothing more.
 */
async function awaitsUpload(ctx: EngineContext, release: Release, platform: string, arch: string): Promise<boolean> {
  const files = await ctx.store.listReleaseArtifacts(ctx.account.id, release.id, ADMIN_SCOPE, { platform, arch });
  return files.some((a) => NOT_UPLOADED.has(a.status) && isTauriEligible(a) && a.platform === platform && a.arch === arch);
}

