/**
 * @module engines/pypi/json — PEP 691 JSON pages with PEP 700 fields (`versions`, `size`, `upload-time`).
 */
import type { FileHash, PypiFile } from "./files.js";

/** API version both renderings declare (PEP 700). */
export const PYPI_API_VERSION = "1.1";

/** The project list as PEP 691 JSON. */
export function renderIndexJson(names: readonly string[]): string {
  return JSON.stringify({ meta: { "api-version": PYPI_API_VERSION }, projects: names.map((name) => ({ name })) });
}

/** The project page as PEP 691 JSON; `versions` holds every listed file's version, once, in page order. */
export function renderProjectJson(name: string, files: readonly PypiFile[]): string {
  const versions = [...new Set(files.map((f) => f.version))];
  return JSON.stringify({
    meta: { "api-version": PYPI_API_VERSION },
    name,
    versions,
    // One object shape for every file: an absent field is `undefined`, which JSON.stringify leaves
    // out, so the text is what adding only the present keys (in this order) gives.
    files: files.map((f) => ({
      filename: f.filename,
      url: f.url,
      hashes: hashesObject(f.hashes),
      "requires-python": f.requiresPython ?? undefined,
      // PEP 714: only the new key; `dist-info-metadata` crashes pip 22.3–23.1.
      "core-metadata": f.coreMetadata === null ? undefined : f.coreMetadata.hash === null ? true : { [f.coreMetadata.hash.name]: f.coreMetadata.hash.hex },
      yanked: f.yanked === null ? undefined : f.yanked === "" ? true : f.yanked,
      size: f.size ?? undefined,
      "upload-time": f.uploadTime,
    })),
  });
}

/** `Object.fromEntries` of the digests as name → hex, without an array per digest when there is one (as for most files). */
function hashesObject(hashes: readonly FileHash[]): Record<string, string> {
  // A computed key is an own data property even for `__proto__`, as fromEntries makes it.
  if (hashes.length === 1) return { [(hashes[0] as FileHash).name]: (hashes[0] as FileHash).hex };
  return Object.fromEntries(hashes.map((h) => [h.name, h.hex]));
}
