/**
 * @module core/target — which request targets may reach the handler: paths only, never an authority.
 */
import { ValidationError } from "./errors.js";

/**
 * Whether a request target is origin-form (`/path[?query]`): it starts with one `/`, and no `\`
 * before the query (URL parsers read `//host` and `/\host` as an authority, which would move the origin).
 */
export function isOriginForm(target: string): boolean {
  if (target.charCodeAt(0) !== 0x2f || target.charCodeAt(1) === 0x2f) return false;
  const q = target.indexOf("?");
  const slash = target.indexOf("\\");
  return slash < 0 || (q >= 0 && slash > q);
}

/** The 400 for a request target that is not origin-form (absolute-form, `//host/…`, `/\host/…`, `*`). */
export function requestTargetError(): ValidationError {
  return new ValidationError("The request target must be a path (origin-form), not a URL or an authority", { code: "REQUEST_TARGET_INVALID" });
}
