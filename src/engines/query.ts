/**
 * @module engines/query — query parameters with Keygen's typed_params rules: missing
 * required ones are `is missing`, blank ones `cannot be blank`, both 400 with `source.parameter`.
 */
import { ValidationError } from "../core/errors.js";

/** A required query parameter's value. @throws {ValidationError} when it is missing or blank. */
export function requiredParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null) throw new ValidationError("is missing", { source: { parameter: name } });
  if (value.trim() === "") throw new ValidationError("cannot be blank", { source: { parameter: name } });
  return value;
}

/** An optional query parameter's value, undefined when absent. @throws {ValidationError} when it is present but blank. */
export function optionalParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value.trim() === "") throw new ValidationError("cannot be blank", { source: { parameter: name } });
  return value;
}

/**
 * A version-like value as the client meant it: a `+` sent raw in a query string arrives as a space
 * (old Tauri v1 clients), and a space is never part of a version or constraint.
 */
export function restorePlus(value: string): string {
  return value.replace(/ /g, "+");
}
