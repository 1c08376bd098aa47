/**
 * @module names — PEP 503 project-name normalisation.
 */

/** Whether a name is already in PEP 503 normal form by ASCII alone: `a-z`, `0-9` and single `-`s (anything else is left to the full rule). */
function isPlainNormal(name: string): boolean {
  let previous = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 45) {
      if (previous === 45) return false;
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
      return false;
    }
    previous = c;
  }
  return true;
}

/** PEP 503 normal form: lower-case, every run of `-`, `_` and `.` becomes one `-`. */
export function normalizeProjectName(name: string): string {
  return isPlainNormal(name) ? name : name.replace(/[-_.]+/g, "-").toLowerCase();
}
