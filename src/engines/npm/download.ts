/**
 * @module engines/npm/download — `GET /engines/npm/{name}/-/{file}.tgz`: the tarball a packument
 * links to, answered with a 303 to the signed download (as `/artifacts/{id}` answers).
 */
import type { BlobStorage } from "../../blobs/types.js";
import { NotFoundError } from "../../core/errors.js";
import type { EngineResult } from "../../core/result.js";
import { downloadArtifact } from "../artifacts.js";
import type { EngineContext } from "../context.js";
import { tarballFilename } from "./names.js";
import { findNpmPackage, visibleVersions } from "./packument.js";

/** Input of {@link resolveNpmTarball}. */
export interface NpmTarballInput {
  /** The package name as requested (decoded). */
  name: string;
  /** The tarball's file name as the packument links it: `sdk-1.2.0.tgz`. */
  filename: string;
  query: URLSearchParams;
  headers: Headers;
  blobs?: BlobStorage;
}

/**
 * The version's tarball: 303 to the blob storage's signed URL, authorised as a download.
 * @throws {NotFoundError} when the caller sees no such version (or the package is unknown).
 * @throws as the packument does for a package the caller may not read.
 */
export async function resolveNpmTarball(ctx: EngineContext, input: NpmTarballInput): Promise<EngineResult> {
  // Unknown packages never redirect here: a tarball URL is always one of ours.
  const found = await findNpmPackage(ctx, input.name, null);
  if (!("pkg" in found)) return found;
  const rows = await visibleVersions(ctx, found.pkg, found.product);
  const row = rows.find((r) => tarballFilename(found.pkg.key, r.release.version) === input.filename);
  if (row === undefined) throw new NotFoundError(`The requested release artifact '${input.filename}' was not found`);
  const download: Parameters<typeof downloadArtifact>[1] = { id: row.artifact.id, query: input.query, headers: input.headers };
  if (input.blobs !== undefined) download.blobs = input.blobs;
  return downloadArtifact(ctx, download);
}
