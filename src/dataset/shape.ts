/**
 * @module dataset/shape — a fast, conservative check that a dataset file already has the shape
 * {@link DatasetFileSchema} accepts, so a valid file skips zod's per-record parse and copy.
 *
 * It answers true only for input zod accepts unchanged: plain objects with exactly the schema's keys,
 * the same string patterns (taken from the zod schemas themselves), lengths, enums and integer rules.
 * Anything else, including anything merely unusual, answers false and the caller runs zod, which
 * reports every problem. The only value zod would copy rather than pass through is a `metadata`
 * record; the loader copies those itself.
 */
import { CHANNELS } from "../core/version.js";
import {
  ARTIFACT_STATUSES,
  AUTHENTICATION_STRATEGIES,
  BEARER_TYPES,
  DISTRIBUTION_STRATEGIES,
  ENGINE_KEYS,
  EXPIRATION_STRATEGIES,
  RELEASE_STATUSES,
  USER_ROLES,
} from "../model/records.js";
import { metadataProblem } from "./metadata.js";
import { DatasetFileSchema, FORMAT_SCHEMAS, SLUG_PATTERN, type DatasetFile } from "./schema.js";

type Check = (value: unknown) => boolean;

/** The pattern of a zod string format (uuid, datetime), or a pattern nothing matches when zod's internals differ. */
function formatPattern(schema: unknown): RegExp {
  const checks = (schema as { _zod?: { def?: { checks?: Array<{ _zod?: { def?: { pattern?: unknown } } }> } } })._zod?.def?.checks;
  const pattern = checks?.length === 1 ? checks[0]?._zod?.def?.pattern : undefined;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : /(?!)/;
}

const UUID = formatPattern(FORMAT_SCHEMAS.uuid);

/** zod's uuid pattern as {@link isZodUuid} spells it out (a zod with another pattern gets its regex run instead). */
const ZOD_UUID_SOURCE = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$";

/** A hex digit's UTF-16 code. */
const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** True when `s` matches zod's uuid pattern ({@link ZOD_UUID_SOURCE}); a loop over its codes, run for every record's id. */
export function isZodUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23 ? c !== 45 : !isHexCode(c)) return false;
  }
  const version = s.charCodeAt(14);
  const variant = s.charCodeAt(19);
  if (version >= 49 && version <= 56 && (variant === 56 || variant === 57 || variant === 97 || variant === 98 || variant === 65 || variant === 66)) return true;
  return s === "00000000-0000-0000-0000-000000000000" || s === "ffffffff-ffff-ffff-ffff-ffffffffffff";
}
const DATE = formatPattern(FORMAT_SCHEMAS.date);

const isPlain = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

const str = (min = 0, max = Infinity): Check => (v) => typeof v === "string" && v.length >= min && v.length <= max;
const anyStr = str();
const uuid: Check = UUID.source === ZOD_UUID_SOURCE && UUID.flags === "" ? (v) => typeof v === "string" && isZodUuid(v) : (v) => typeof v === "string" && UUID.test(v);
const date: Check = (v) => typeof v === "string" && DATE.test(v);
const bool: Check = (v) => typeof v === "boolean";
const oneOf = (values: readonly string[]): Check => {
  const set = new Set<unknown>(values);
  return (v) => set.has(v);
};
const opt = (check: Check): Check => (v) => v === undefined || check(v);
const optNull = (check: Check): Check => (v) => v === undefined || v === null || check(v);
const arrayOf = (check: Check, max = Infinity): Check => (v) => {
  if (!Array.isArray(v) || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (!check(v[i])) return false;
  return true;
};
/** A `z.record(z.string(), z.unknown())` whose zod copy equals a plain key-by-key copy, within the metadata bounds. */
const record: Check = (v) => {
  if (!isPlain(v) || Object.getOwnPropertySymbols(v).length > 0) return false;
  for (const key in v) if (key === "__proto__") return false;
  return metadataProblem(v) === null;
};

/** A strict object check as zod runs it: each shape key read and checked, then no key outside the shape. */
function strict(shape: Record<string, Check>): Check {
  const keys = Object.keys(shape);
  const checks = keys.map((key) => shape[key] as Check);
  const known = new Set(keys);
  return (v) => {
    if (!isPlain(v)) return false;
    for (let i = 0; i < keys.length; i++) if (!(checks[i] as Check)(v[keys[i] as string])) return false;
    for (const key in v) if (!known.has(key)) return false;
    return true;
  };
}

const meta = opt(record);
const optId = opt(uuid);
const optDate = opt(date);
const codes = (max?: number) => opt(arrayOf(str(1), max));

const product = strict({
  id: optId, code: optNull(str(1)), name: anyStr, distributionStrategy: opt(oneOf(DISTRIBUTION_STRATEGIES)), created: optDate,
});
const pkg = strict({
  id: optId, product: str(1), key: str(1, 255), name: str(1), engine: optNull(oneOf(ENGINE_KEYS)), metadata: meta, created: optDate,
});
const engine = strict({ id: optId, key: oneOf(ENGINE_KEYS), name: optNull(anyStr), created: optDate });
// Releases and artifacts are nearly every record of a large file: their checks are written out,
// field by field, so that each read is of a named property (one hidden class for every record
// JSON.parse makes) and each check inlined, where strict()'s shared closure calls every check through
// one call site and reads every key through one keyed load. Each mirrors the zod schema's fields.
const CHANNEL_SET = new Set<unknown>(CHANNELS);
const RELEASE_STATUS_SET = new Set<unknown>(RELEASE_STATUSES);
const ARTIFACT_STATUS_SET = new Set<unknown>(ARTIFACT_STATUSES);
/** The keys of a release, as the schema has them. */
export const RELEASE_KEYS: ReadonlySet<string> = new Set(["id", "product", "package", "version", "channel", "status", "tag", "name", "description", "entitlements", "metadata", "created", "backdated", "yanked"]);
/** The keys of an artifact, as the schema has them. */
export const ARTIFACT_KEYS: ReadonlySet<string> = new Set(["id", "release", "filename", "filetype", "platform", "arch", "filesize", "checksum", "signature", "status", "metadata", "created", "file"]);

/** A string of `min` to `max` UTF-16 units. */
const isText = (v: unknown, min: number, max: number) => typeof v === "string" && v.length >= min && v.length <= max;
/** Absent, null or a string. */
const isOptText = (v: unknown) => v === undefined || v === null || typeof v === "string";
/** No key outside `keys`. */
function onlyKeys(v: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  for (const key in v) if (!keys.has(key)) return false;
  return true;
}

const release: Check = (v) => {
  if (!isPlain(v)) return false;
  let x = v.id;
  if (x !== undefined && !uuid(x)) return false;
  if (!isText(v.product, 1, Infinity) || !isText(v.version, 1, Infinity)) return false;
  x = v.package;
  if (x !== undefined && x !== null && !isText(x, 1, Infinity)) return false;
  x = v.channel;
  if (x !== undefined && !CHANNEL_SET.has(x)) return false;
  x = v.status;
  if (x !== undefined && !RELEASE_STATUS_SET.has(x)) return false;
  x = v.tag;
  if (x !== undefined && x !== null && !isText(x, 1, 255)) return false;
  if (!isOptText(v.name) || !isOptText(v.description)) return false;
  x = v.entitlements;
  if (x !== undefined) {
    if (!Array.isArray(x) || x.length > 20) return false;
    for (let i = 0; i < x.length; i++) if (!isText(x[i], 1, Infinity)) return false;
  }
  x = v.metadata;
  if (x !== undefined && !record(x)) return false;
  x = v.created;
  if (x !== undefined && !date(x)) return false;
  x = v.backdated;
  if (x !== undefined && x !== null && !date(x)) return false;
  x = v.yanked;
  if (x !== undefined && x !== null && !date(x)) return false;
  return onlyKeys(v, RELEASE_KEYS);
};
const artifact: Check = (v) => {
  if (!isPlain(v)) return false;
  let x = v.id;
  if (x !== undefined && !uuid(x)) return false;
  if (!isText(v.release, 1, Infinity) || !isText(v.filename, 1, 255)) return false;
  if (!isOptText(v.filetype) || !isOptText(v.platform) || !isOptText(v.arch)) return false;
  x = v.filesize;
  if (x !== undefined && x !== null && !(Number.isSafeInteger(x) && (x as number) >= 0)) return false;
  x = v.checksum;
  if (x !== undefined && x !== null && !isText(x, 0, 4096)) return false;
  x = v.signature;
  if (x !== undefined && x !== null && !isText(x, 0, 4096)) return false;
  x = v.status;
  if (x !== undefined && !ARTIFACT_STATUS_SET.has(x)) return false;
  x = v.metadata;
  if (x !== undefined && !record(x)) return false;
  x = v.created;
  if (x !== undefined && !date(x)) return false;
  x = v.file;
  if (x !== undefined && x !== null && !isText(x, 1, Infinity)) return false;
  return onlyKeys(v, ARTIFACT_KEYS);
};
const entitlement = strict({ id: optId, code: str(1), name: opt(anyStr) });
const policy = strict({
  id: optId, product: str(1), name: anyStr, expirationStrategy: opt(oneOf(EXPIRATION_STRATEGIES)),
  authenticationStrategy: opt(oneOf(AUTHENTICATION_STRATEGIES)), entitlements: codes(),
});
const user = strict({ id: optId, email: str(1), role: opt(oneOf(USER_ROLES)), banned: opt(bool) });
const license = strict({
  id: optId, policy: str(1), key: str(1), expiry: optNull(date), suspended: opt(bool), owner: optNull(anyStr),
  users: opt(arrayOf(anyStr)), entitlements: codes(),
});
const token = strict({
  id: optId, bearer: strict({ type: oneOf(BEARER_TYPES), id: str(1) }), token: str(8), expiry: optNull(date),
});
/** An account's keys and small sections, its releases and artifacts only checked to be lists (see {@link hasDatasetFrame}). */
const accountFrame = (elements: { releases: Check; artifacts: Check }) => strict({
  id: optId, slug: (v) => typeof v === "string" && SLUG_PATTERN.test(v), name: anyStr, secretKey: str(16), created: optDate,
  products: opt(arrayOf(product)), packages: opt(arrayOf(pkg)), engines: opt(arrayOf(engine)), releases: opt(elements.releases),
  artifacts: opt(elements.artifacts), entitlements: opt(arrayOf(entitlement)), policies: opt(arrayOf(policy)),
  users: opt(arrayOf(user)), licenses: opt(arrayOf(license)), tokens: opt(arrayOf(token)),
});
const file = strict({ $schema: opt(anyStr), accounts: arrayOf(accountFrame({ releases: arrayOf(release), artifacts: arrayOf(artifact) })) });
const frame = strict({ $schema: opt(anyStr), accounts: arrayOf(accountFrame({ releases: Array.isArray, artifacts: Array.isArray })) });

/**
 * True only when `input` is a dataset file {@link DatasetFileSchema} accepts and would return
 * unchanged (apart from copying `metadata` records); false means "run zod", not "invalid".
 */
export function hasDatasetShape(input: unknown): input is DatasetFile {
  return file(input);
}

/**
 * {@link hasDatasetShape} but for the elements of each account's `releases` and `artifacts`, which
 * the loader checks with {@link isReleaseShape} and {@link isArtifactShape} as it reaches them (one
 * walk of the bulk of the file instead of two): the file has the shape when this and every one of
 * those answer true.
 */
export function hasDatasetFrame(input: unknown): input is DatasetFile {
  return frame(input);
}

/** True only when a `releases` element has the shape {@link hasDatasetShape} requires. */
export const isReleaseShape: Check = release;

/** True only when an `artifacts` element has the shape {@link hasDatasetShape} requires. */
export const isArtifactShape: Check = artifact;

/** Thrown by a load that meets a release or artifact without the shape: the file goes through zod instead. */
export class NotShaped extends Error {}

/** The dataset file schema the fast check mirrors (re-exported for tests that compare the two). */
export { DatasetFileSchema };
