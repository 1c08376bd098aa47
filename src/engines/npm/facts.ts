/**
 * @module engines/npm/facts — an artifact's stored npm facts (`metadata.npm`, read from the tarball
 * once when it was uploaded or imported), and SRI integrity from a stored checksum.
 */
import { checksumDigest } from "../../core/checksum.js";
import { fromHex, toBase64 } from "../../core/encoding.js";
import type { Artifact } from "../../model/records.js";
import type { NpmTarballFacts } from "./tarball.js";

/** The artifact's `metadata.npm` when it has the shape the tarball reader writes; null otherwise. */
export function npmFacts(artifact: Artifact): NpmTarballFacts | null {
  const value = artifact.metadata.npm as Partial<NpmTarballFacts> | undefined;
  if (value === null || typeof value !== "object") return null;
  const { integrity, shasum, manifest } = value;
  if (typeof integrity !== "string" || typeof shasum !== "string" || manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) return null;
  return { integrity, shasum, manifest };
}

/** SRI integrity (`sha256-…`, `sha512-…`) of a stored sha256 or sha512 checksum; null for any other. */
export function npmIntegrity(checksum: string | null): string | null {
  const digest = checksumDigest(checksum);
  if (digest === null || (digest.name !== "sha256" && digest.name !== "sha512")) return null;
  const bytes = fromHex(digest.hex);
  return bytes === null ? null : `${digest.name}-${toBase64(bytes)}`;
}
