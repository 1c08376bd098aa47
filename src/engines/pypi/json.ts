/**
 * @module engines/pypi/json — PEP 691 JSON pages with PEP 700 fields (`versions`, `size`, `upload-time`).
 */
import type { PypiFile } from "./files.js";

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
    files: files.map((f) => {
      const entry: Record<string, unknown> = { filename: f.filename, url: f.url, hashes: f.hash === null ? {} : { [f.hash.name]: f.hash.hex } };
      if (f.requiresPython !== null) entry["requires-python"] = f.requiresPython;
      // PEP 714: only the new key; `dist-info-metadata` crashes pip 22.3–23.1.
      if (f.coreMetadata !== null) entry["core-metadata"] = f.coreMetadata.hash === null ? true : { [f.coreMetadata.hash.name]: f.coreMetadata.hash.hex };
      if (f.yanked !== null) entry.yanked = f.yanked === "" ? true : f.yanked;
      if (f.size !== null) entry.size = f.size;
      entry["upload-time"] = f.uploadTime;
      return entry;
    }),
  });
}
