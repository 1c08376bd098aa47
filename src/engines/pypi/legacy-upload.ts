/**
 * @module engines/pypi/legacy-upload — `twine upload`: PyPI's legacy upload API over the write contract.
 *
 * One multipart form per file (`:action=file_upload`, `name`, `version`, `content`, digests and
 * core metadata fields). The pypi package is found by its PEP 503 name (or created, for a product
 * token), the release by version (or created), and the file becomes an artifact whose bytes go
 * through the blob storage's own upload path, so size and sha256 are checked exactly as for
 * `POST /artifacts` + `PUT`. Whatever the upload created is removed again when it fails.
 */
import { inferFiletype } from "../../core/filetype.js";
import { ForbiddenError, ReadOnlyStoreError, SdkError, UnauthorizedError, isSdkError } from "../../core/errors.js";
import { normalizeProjectName } from "../../core/names.js";
import type { EngineResult } from "../../core/result.js";
import type { BlobStorage } from "../../blobs/types.js";
import { isWriter } from "../../access/permissions.js";
import { ADMIN_SCOPE } from "../../access/scope.js";
import { storableFilename } from "../../blobs/receive.js";
import type { Artifact, Package, Release } from "../../model/records.js";
import { isWritableStore, type WritableStore } from "../../store/write.js";
import type { EngineContext } from "../context.js";
import { semverOfPep440 } from "./pep440.js";

/** Input of {@link legacyUpload}. */
export interface LegacyUploadInput {
  /** The parsed multipart form. */
  form: FormData;
  blobs: BlobStorage | undefined;
  /** Status of releases the upload creates (default PUBLISHED, as PyPI makes a file installable at once). */
  releaseStatus?: "PUBLISHED" | "DRAFT";
  /** Called after the file is stored (never awaited, never fails the upload). */
  onUploaded?: (artifact: Artifact, release: Release, created: { package: boolean; release: boolean }) => void;
}

/** A refusal twine shows: the status, and the reason as the status text and the body. */
export class LegacyUploadError extends SdkError {
  constructor(status: number, reason: string) {
    super(status, reason, { code: status === 409 ? "FILE_EXISTS" : "UPLOAD_REFUSED" });
  }
}

const FILETYPES: Record<string, string> = { bdist_wheel: "whl", sdist: "tar.gz" };

function field(form: FormData, name: string): string | null {
  const v = form.get(name);
  return typeof v === "string" ? v : null;
}

/** Writers (access/permissions) upload; a product token only into its own product (checked against the package below). */
function mayPublish(ctx: EngineContext): void {
  if (ctx.principal.kind === "anonymous") throw new UnauthorizedError("Invalid or non-existent authentication information: upload with a token (username __token__ and the token as password)");
  if (!isWriter(ctx.principal)) throw new ForbiddenError("The token is not allowed to upload: use an admin, developer or product token");
}

/** Handle one `twine upload` request: 200 when the file is stored, else a {@link LegacyUploadError}. */
export async function legacyUpload(ctx: EngineContext, input: LegacyUploadInput): Promise<EngineResult> {
  mayPublish(ctx);
  if (!isWritableStore(ctx.store)) throw new ReadOnlyStoreError();
  const store: WritableStore = ctx.store;
  const form = input.form;
  const action = field(form, ":action");
  if (action !== "file_upload") throw new LegacyUploadError(400, `Unsupported ':action' ${JSON.stringify(action ?? "")}: only file_upload is`);
  const rawName = field(form, "name");
  const rawVersion = field(form, "version");
  const content = form.get("content");
  if (rawName === null || rawName.trim() === "") throw new LegacyUploadError(400, "'name' is required");
  if (rawVersion === null || rawVersion.trim() === "") throw new LegacyUploadError(400, "'version' is required");
  if (content === null || typeof content === "string") throw new LegacyUploadError(400, "'content' must be a file");
  const filename = content.name;
  if (storableFilename(filename) === null) throw new LegacyUploadError(400, `Invalid filename ${JSON.stringify(filename)}`);
  const filetype = field(form, "filetype");
  if (filetype !== null && FILETYPES[filetype] === undefined) throw new LegacyUploadError(400, `Unsupported filetype ${JSON.stringify(filetype)}: bdist_wheel or sdist`);
  const semver = semverOfPep440(rawVersion);
  if (semver === null) throw new LegacyUploadError(400, `Invalid version ${JSON.stringify(rawVersion)}: it must be a PEP 440 version a SemVer release can hold (no epoch or post-release)`);
  const sha256 = field(form, "sha256_digest")?.trim().toLowerCase() ?? null;
  if (sha256 !== null && !/^[0-9a-f]{64}$/.test(sha256)) throw new LegacyUploadError(400, "'sha256_digest' must be 64 hex digits");
  const name = normalizeProjectName(rawName);
  if (input.blobs?.presignUpload === undefined || input.blobs.receive === undefined) throw new LegacyUploadError(501, "This server's blob storage takes no uploads");

  const account = ctx.account;
  const now = ctx.now;
  let pkg: Package | null = await store.getPackage(account.id, name, "pypi");
  const productToken = ctx.principal.kind === "product" ? ctx.principal.product : null;
  if (pkg !== null && productToken !== null && pkg.productId !== productToken.id) pkg = null;
  const created = { package: false, release: false };
  let release: Release | null = null;
  let artifact: Artifact | null = null;
  try {
    if (pkg === null) {
      if (productToken === null) throw new LegacyUploadError(400, `Package '${name}' does not exist: create it first (POST /packages with engine pypi), or upload with a product token`);
      if ((await store.getPackage(account.id, name)) !== null) throw new LegacyUploadError(403, `The name '${name}' belongs to another product`);
      pkg = await store.createPackage(account.id, { productId: productToken.id, key: name, name: rawName.trim(), engine: "pypi", metadata: {} }, now);
      created.package = true;
    }
    release = await store.findRelease(account.id, semver.version, ADMIN_SCOPE, { productId: pkg.productId, packageId: pkg.id });
    if (release !== null && release.version !== semver.version) release = null;
    if (release === null) {
      release = await store.createRelease(account.id, {
        productId: pkg.productId, packageId: pkg.id, version: semver.version, channel: semver.channel, status: input.releaseStatus ?? "PUBLISHED",
        tag: null, name: null, description: field(form, "summary"), entitlements: [], metadata: {}, backdated: null,
      }, now);
      created.release = true;
    }
    const existing = await store.listReleaseArtifacts(account.id, release.id, ADMIN_SCOPE);
    if (existing.some((a) => a.filename === filename)) throw new LegacyUploadError(409, "File already exists. See the release's artifacts; a file can be uploaded only once");
    const requiresPython = field(form, "requires_python");
    artifact = await store.createArtifact(account.id, {
      releaseId: release.id, filename, filetype: inferFiletype(filename), filesize: content.size, platform: null, arch: null, signature: null,
      checksum: sha256, metadata: requiresPython !== null && requiresPython !== "" ? { requiresPython } : {},
    }, now);
    const url = new URL(await input.blobs.presignUpload({ account, artifact, ttl: 300, now, origin: ctx.origin }));
    const path = url.pathname.replace(/^\/v1\/(?:blobs|uploads)\//, "");
    const headers = new Headers({ "content-length": String(content.size), "content-type": "application/octet-stream" });
    let stored: Artifact = artifact;
    const answer = await input.blobs.receive({ path, query: url.searchParams, headers, body: content.stream(), store, now, uploaded: (done) => (stored = done) });
    if (answer.status >= 300) throw new LegacyUploadError(answer.status === 413 ? 413 : 400, `The file was refused: ${await reasonOf(answer)}`);
    input.onUploaded?.(stored, release, created);
    return { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: `OK: ${filename} is ${name} ${semver.version}\n` };
  } catch (error) {
    // Nothing half-written: what this upload made goes again (the artifact's bytes with it).
    if (artifact !== null) {
      const gone = await store.deleteArtifact(account.id, artifact.id).catch(() => null);
      if (gone !== null && gone.blob !== null) await input.blobs.remove?.(account, gone).catch(() => {});
    }
    if (created.release && release !== null) await store.deleteRelease(account.id, release.id).catch(() => null);
    if (created.package && pkg !== null) await store.deletePackage(account.id, pkg.id).catch(() => null);
    if (isSdkError(error) && error.status === 422) throw new LegacyUploadError(400, `${error.source?.pointer ?? ""} ${error.detail}`.trim());
    throw error;
  }
}

/** The detail of a JSON:API error answer, or its status. */
async function reasonOf(result: EngineResult): Promise<string> {
  const body = result.body;
  let text = "";
  if (typeof body === "string") text = body;
  else if (body instanceof Uint8Array) text = new TextDecoder().decode(body);
  else if (body instanceof ReadableStream) text = await new Response(body).text();
  try {
    const doc = JSON.parse(text) as { errors?: Array<{ detail?: string }> };
    return doc.errors?.[0]?.detail ?? `status ${result.status}`;
  } catch {
    return text.slice(0, 200) || `status ${result.status}`;
  }
}

/** The plain-text answer twine shows for an error: the reason as status text and body. */
export function legacyUploadErrorResult(error: unknown): EngineResult & { statusText: string } {
  if (isSdkError(error)) {
    const reason = error.detail.replace(/[^\x20-\x7e]/g, " ").slice(0, 300);
    return { status: error.status, statusText: reason, headers: { "Content-Type": "text/plain; charset=utf-8", ...error.headers }, body: `${error.status} ${reason}\n` };
  }
  return { status: 500, statusText: "Internal Server Error", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "500 Internal Server Error\n" };
}

