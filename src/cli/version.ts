/**
 * @module cli/version — the package's version, read from its package.json (beside `src/` and `dist/`).
 */
import { readFileSync } from "node:fs";

/** The installed release-engines version (from the nearest package.json named release-engines above this module), or "unknown". */
export function cliVersion(): string {
  // From src/cli/ (tsx) it is two folders up, from dist/ one.
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "release-engines" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not there: look one folder further up
    }
  }
  return "unknown";
}
