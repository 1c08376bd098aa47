/**
 * @module engines/publish/parts — the multipart extension of the artifacts resource (Keygen has none):
 * `GET /artifacts/{id}/upload/parts` lists the parts the storage holds (a resuming uploader sends only
 * the rest), `POST /artifacts/{id}/upload/parts` presigns PUTs for given parts, each bound to the part's
 * size and SHA-256. Same rules as the artifact's upload: a writer of its product, hidden = missing (404).
 */
import * as z from "zod";
import { assertMayWrite, requireAuthenticated } from "../../access/permissions.js";
import type { MultipartBlobs, MultipartPart, MultipartPlan } from "../../blobs/types.js";
import { ConflictError, ValidationError } from "../../core/errors.js";
import { jsonResult, type EngineResult } from "../../core/result.js";
import type { Artifact } from "../../model/records.js";
import { findArtifactFor, type ArtifactRef } from "./artifacts.js";
import type { PublishContext } from "./context.js";
import { parseDocument } from "./documents.js";
import type { DocumentInput } from "./packages.js";

/** Most parts one `POST /upload/parts` presigns (URLs expire: ask for more as the upload goes). */
export const MAX_PARTS_PER_REQUEST = 100;

/** `POST /artifacts/{id}/upload/parts`: the parts to presign, each with its SHA-256 in hex. */
export const PartsPresignDocument = z.strictObject({
  data: z.array(z.strictObject({
    type: z.enum(["part", "parts"]),
    attributes: z.strictObject({ number: z.number().int(), checksum: z.string() }),
  })),
});

const serializePart = (p: MultipartPart) => ({ type: "parts", id: String(p.number), attributes: { number: p.number, size: p.size, checksum: p.sha256 } });

/** The WAITING artifact a writer may upload to, its storage's multipart side, and the upload's plan. @throws 404 / 403 / 422. */
async function multipartOf(ctx: PublishContext, ref: ArtifactRef): Promise<{ artifact: Artifact; parts: MultipartBlobs; plan: MultipartPlan }> {
  requireAuthenticated(ctx.principal);
  const { release, artifact } = await findArtifactFor(ctx, ref);
  assertMayWrite(ctx.principal, release.productId);
  const parts = ctx.blobs?.multipart;
  if (parts === undefined) {
    throw new ConflictError("This server's blob storage takes every upload in one PUT: it has no multipart uploads", { code: "MULTIPART_UNSUPPORTED", pointer: "/data/attributes/filesize" });
  }
  if (artifact.status !== "WAITING") {
    throw new ConflictError(`The artifact is ${artifact.status}, not WAITING for its bytes`, { code: "ARTIFACT_NOT_WAITING", pointer: "/data/attributes/status" });
  }
  const plan = await parts.plan(ctx.account, artifact);
  if (plan === null) {
    throw new ConflictError(`The artifact uploads in one PUT: only a filesize over ${parts.threshold} bytes uploads in parts`, { code: "MULTIPART_NOT_STARTED", pointer: "/data/attributes/filesize" });
  }
  return { artifact, parts, plan };
}

/** `GET /artifacts/{id}/upload/parts`: the parts stored so far (number, size, SHA-256), and the plan in `meta`. */
export async function listUploadParts(ctx: PublishContext, ref: ArtifactRef): Promise<EngineResult> {
  const { artifact, parts, plan } = await multipartOf(ctx, ref);
  const stored = await parts.listParts(ctx.account, artifact);
  if (stored === null) throw new ConflictError("The artifact's multipart upload is gone (aborted or expired): upload the file again", { code: "UPLOAD_MISSING" });
  return jsonResult(200, { data: stored.sort((a, b) => a.number - b.number).map(serializePart), meta: { multipart: plan } });
}

/** `POST /artifacts/{id}/upload/parts`: presigned PUTs (`links.upload`, with `meta.headers` to send) for the given parts. */
export async function presignUploadParts(ctx: PublishContext, input: ArtifactRef & DocumentInput): Promise<EngineResult> {
  const { artifact, parts, plan } = await multipartOf(ctx, input);
  const { data } = parseDocument(PartsPresignDocument, input.document);
  if (data.length === 0 || data.length > MAX_PARTS_PER_REQUEST) {
    throw new ValidationError(`must list 1 to ${MAX_PARTS_PER_REQUEST} parts`, { source: { pointer: "/data" } });
  }
  const seen = new Set<number>();
  const wanted = data.map(({ attributes: { number, checksum } }, i) => {
    if (number < 1 || number > plan.partCount || seen.has(number)) {
      throw new ValidationError(seen.has(number) ? "is listed twice" : `must be a part number from 1 to ${plan.partCount}`, { source: { pointer: `/data/${i}/attributes/number` } });
    }
    if (!/^[0-9a-fA-F]{64}$/.test(checksum)) throw new ValidationError("must be the part's SHA-256 as 64 hex digits", { source: { pointer: `/data/${i}/attributes/checksum` } });
    seen.add(number);
    return { number, sha256: checksum.toLowerCase() };
  });
  const signed = await parts.presignParts(ctx.account, artifact, wanted, ctx.now);
  return jsonResult(200, {
    data: signed.map((p) => ({ ...serializePart(p), links: { upload: p.url }, meta: { headers: p.headers } })),
    meta: { multipart: plan },
  });
}
