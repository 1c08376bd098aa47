/**
 * @module http/keygen-headers — Keygen's request headers that every API route honours before it
 * runs: `Keygen-Version` (keygen-api config/initializers/request_migrations.rb, lib/keygen/middleware.rb)
 * and `Keygen-Environment` (app/controllers/concerns/current_environment_scope.rb; CE refuses it).
 */
import { ValidationError } from "../core/errors.js";

/** The API version Keygen answers in when a request names none (1.8). */
export const CURRENT_API_VERSION = "1.8";

/** Versions request_migrations knows: the current one and every one it migrates to (1.0–1.7). */
const SUPPORTED = new Set(["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", CURRENT_API_VERSION]);

/** A header lookup (`Headers` or an adapter's). */
interface HeaderLookup {
  get(name: string): string | null;
}

/**
 * The API version a request is answered in: its `Keygen-Version` without a leading `v`, else the
 * current one; echoed as the response's `Keygen-Version`.
 * @throws {ValidationError} 400 `INVALID_API_VERSION` for a version Keygen does not support.
 */
export function requestedApiVersion(headers: HeaderLookup): string {
  const given = headers.get("keygen-version");
  if (given === null) return CURRENT_API_VERSION;
  const version = given.trim().replace(/^v/, "");
  if (!SUPPORTED.has(version)) {
    throw new ValidationError("unsupported API version requested", { code: "INVALID_API_VERSION", about: "https://keygen.sh/docs/api/versioning/" });
  }
  return version;
}

/**
 * Keygen CE's answer to an environment (this SDK has none, as CE).
 * @throws {ValidationError} 400 `ENVIRONMENT_NOT_SUPPORTED` at `source.header` when the request names one.
 */
export function refuseEnvironment(headers: HeaderLookup): void {
  if (headers.get("keygen-environment") !== null) {
    throw new ValidationError("is unsupported", { code: "ENVIRONMENT_NOT_SUPPORTED", source: { header: "Keygen-Environment" } });
  }
}
