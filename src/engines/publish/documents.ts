/**
 * @module engines/publish/documents — the JSON:API request documents of the write routes, as zod
 * schemas with Keygen's typed_params rules: every object is strict (an unknown attribute or
 * relationship is refused with `unpermitted parameter`, never ignored), a wrong type is
 * `type mismatch (received X expected Y)`, a missing member `is missing`, each a 400 with
 * `source.pointer` at the member. Optional members that are not nullable ignore a `null`, as Keygen
 * (`ignore_nil_optionals`) does.
 */
import * as z from "zod";
import { ValidationError } from "../../core/errors.js";
import { CHANNELS } from "../../core/version.js";
import { ENGINE_KEYS } from "../../model/records.js";

const typeOf = (singular: string, plural: string) => z.enum([singular, plural]);
const identifier = (singular: string, plural: string, id: z.ZodType<string> = z.string()) => z.strictObject({ type: typeOf(singular, plural), id });
const toOne = <T extends z.ZodType>(data: T) => z.strictObject({ data });
const text = z.string().nullish();
const metadata = z.record(z.string(), z.unknown()).nullish();

const constraint = z.strictObject({
  type: typeOf("constraint", "constraints"),
  relationships: z.strictObject({ entitlement: toOne(identifier("entitlement", "entitlements")) }),
});

/** `POST /packages`. */
export const PackageCreateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("package", "packages"),
    attributes: z.strictObject({ name: z.string(), key: z.string(), engine: z.enum(ENGINE_KEYS).nullish(), metadata }),
    relationships: z.strictObject({ product: toOne(identifier("product", "products")) }),
  }),
});

/** `PATCH /packages/{id}`. */
export const PackageUpdateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("package", "packages"),
    id: z.string().optional(),
    attributes: z.strictObject({ name: text, key: text, engine: z.enum(ENGINE_KEYS).nullish(), metadata }),
  }),
});

/** `POST /releases`. */
export const ReleaseCreateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("release", "releases"),
    attributes: z.strictObject({
      name: text,
      description: text,
      channel: z.enum(CHANNELS),
      status: z.enum(["DRAFT", "PUBLISHED"]).nullish(),
      version: z.string(),
      tag: text,
      backdated: text,
      metadata,
    }),
    relationships: z.strictObject({
      product: toOne(identifier("product", "products")),
      package: toOne(identifier("package", "packages").nullable()).optional(),
      constraints: z.strictObject({ data: z.array(constraint) }).optional(),
    }),
  }),
});

/** `PATCH /releases/{id}`. */
export const ReleaseUpdateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("release", "releases"),
    id: z.string().optional(),
    attributes: z.strictObject({ name: text, description: text, tag: text, backdated: text, metadata }),
  }),
});

/** `POST /releases/{id}/actions/publish` (no body, or an empty document). */
export const PublishDocument = z.strictObject({});

/** `POST /releases/{id}/actions/yank` (no body, or `meta.reason`). */
export const YankDocument = z.strictObject({ meta: z.strictObject({ reason: text }).optional() });

/** `POST /releases/{id}/constraints`. */
export const ConstraintsAttachDocument = z.strictObject({ data: z.array(constraint) });

/** `DELETE /releases/{id}/constraints`: constraints by id (Keygen) or by their entitlement. */
export const ConstraintsDetachDocument = z.strictObject({
  data: z.array(
    z.strictObject({
      type: typeOf("constraint", "constraints"),
      id: z.string().optional(),
      relationships: z.strictObject({ entitlement: toOne(identifier("entitlement", "entitlements")) }).optional(),
    }),
  ),
});

/** `PUT /releases/{id}/package`: a package, or null for none. */
export const ReleasePackageDocument = z.strictObject({ data: identifier("package", "packages").nullable() });

/** `POST /artifacts`. */
export const ArtifactCreateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("artifact", "artifacts"),
    attributes: z.strictObject({
      filename: z.string(),
      filesize: z.number().int().nullish(),
      filetype: text,
      platform: text,
      arch: text,
      signature: text,
      checksum: text,
      metadata,
    }),
    relationships: z.strictObject({ release: toOne(identifier("release", "releases", z.guid())) }),
  }),
});

/** `PATCH /artifacts/{id}`. */
export const ArtifactUpdateDocument = z.strictObject({
  data: z.strictObject({
    type: typeOf("artifact", "artifacts"),
    id: z.string().optional(),
    attributes: z.strictObject({ signature: text, checksum: text, metadata }),
  }),
});

/** A JSON pointer (RFC 6901) to a member of the request document. */
export function pointerTo(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k) => `/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** typed_params' name of a JSON value's type. */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
  if (typeof value === "object") return "object";
  return typeof value;
}

function at(doc: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = doc;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const EXPECTED: Record<string, string> = { int: "integer", number: "integer", record: "object", object: "object", array: "array", string: "string", boolean: "boolean" };

/** One zod issue as Keygen's typed_params error: its message and where it points. */
function issueError(doc: unknown, issue: z.core.$ZodIssue): ValidationError {
  if (issue.code === "unrecognized_keys") {
    return new ValidationError("unpermitted parameter", { source: { pointer: pointerTo([...issue.path, issue.keys[0] as string]) } });
  }
  const pointer = pointerTo(issue.path);
  const value = at(doc, issue.path);
  if (value === undefined) return new ValidationError("is missing", { source: { pointer } });
  if (value === null) return new ValidationError("cannot be null", { source: { pointer } });
  if (issue.code === "invalid_type") {
    return new ValidationError(`type mismatch (received ${typeName(value)} expected ${EXPECTED[issue.expected] ?? issue.expected})`, { source: { pointer } });
  }
  if (issue.code === "invalid_format" && (issue.format === "uuid" || issue.format === "guid")) {
    return new ValidationError(`type mismatch (received ${typeName(value)} expected UUID string)`, { source: { pointer } });
  }
  return new ValidationError("is invalid", { source: { pointer } });
}

/**
 * A request document checked against its schema.
 * @throws {ValidationError} 400 with `source.pointer`: `is missing` at `/data` for no body, else the first problem
 * (an unpermitted member first, since naming a wrong member explains the rest).
 */
export function parseDocument<S extends z.ZodType>(schema: S, doc: unknown): z.output<S> {
  const result = schema.safeParse(doc ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
  if (first === undefined) throw new ValidationError("is invalid", { source: { pointer: "" } });
  throw issueError(doc ?? {}, first);
}
