/**
 * @module names — PEP 503 project-name normalisation.
 */

/** PEP 503 normal form: lower-case, every run of `-`, `_` and `.` becomes one `-`. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
