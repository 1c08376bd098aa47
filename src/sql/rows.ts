/**
 * @module sql/rows — column lists of each record and the mapping from driver rows to records.
 */
import type {
  Account, Artifact, Engine, Entitlement, License, Package, Policy, Product, Release, Token, User,
} from "../model/records.js";
import { raw, type Fragment } from "./fragment.js";
import type { Row } from "./client.js";

/** Columns read for each record kind. */
export const COLUMNS = {
  accounts: ["id", "slug", "name", "secret_key", "created"],
  products: ["id", "account_id", "code", "name", "distribution_strategy", "created"],
  packages: ["id", "account_id", "product_id", "key", "name", "engine", "metadata", "created", "updated"],
  engines: ["id", "account_id", "key", "name", "created", "updated"],
  releases: [
    "id", "account_id", "product_id", "package_id", "version", "version_key", "channel", "status", "tag", "name",
    "description", "entitlements", "metadata", "created", "updated", "backdated", "yanked",
  ],
  artifacts: [
    "id", "account_id", "release_id", "filename", "filetype", "platform", "arch", "filesize", "checksum", "signature",
    "status", "metadata", "created", "updated", "blob",
  ],
  entitlements: ["id", "account_id", "code", "name"],
  policies: ["id", "account_id", "product_id", "name", "expiration_strategy", "authentication_strategy", "entitlements"],
  users: ["id", "account_id", "email", "role", "banned"],
  licenses: ["id", "account_id", "policy_id", "product_id", "key", "expiry", "suspended", "owner_id", "entitlements"],
  tokens: ["id", "account_id", "bearer_type", "bearer_id", "digest", "expiry"],
} as const;

/** Column lists made so far, by kind, alias and prefix (a handful: the store's queries name them). */
const selects = new Map<string, Fragment>();

/** `alias.col AS prefixcol, …` for a record kind (one fragment per kind, alias and prefix, made once). */
export function select(kind: keyof typeof COLUMNS, alias: string, prefix = ""): Fragment {
  const key = `${kind} ${alias} ${prefix}`;
  let made = selects.get(key);
  if (made === undefined) selects.set(key, (made = raw(COLUMNS[kind].map((c) => `${alias}.${c} AS ${prefix}${c}`).join(", "))));
  return made;
}

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t" || v === "true";
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`: the form the store writes its instants in (SQLite keeps that text). */
const CANONICAL_ISO = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * An ISO-8601 UTC instant with milliseconds, from a Date (PostgreSQL) or text (SQLite). Text already
 * in the written form is its own answer, so reading a row parses no date (the round trip through
 * Date returns the same text; a day past its month's end, such as 02-30, still takes it).
 */
export function iso(v: unknown): string {
  if (typeof v === "string" && CANONICAL_ISO.test(v) && (v.charCodeAt(8) - 48) * 10 + v.charCodeAt(9) - 48 <= 28) return v;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

/** A JSON value from jsonb (already parsed) or text. */
export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  // The empty array and object most rows hold, without the parser.
  if (v === "[]") return [] as T;
  if (v === "{}") return {} as T;
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

const col = (row: Row, p: string, name: string) => row[p + name];

/** Row to Account. */
export function toAccount(r: Row, p = ""): Account {
  return { id: str(col(r, p, "id")), slug: str(col(r, p, "slug")), name: str(col(r, p, "name")), secretKey: str(col(r, p, "secret_key")), created: iso(col(r, p, "created")) };
}

/** Row to Product. */
export function toProduct(r: Row, p = ""): Product {
  return {
    id: str(col(r, p, "id")), accountId: str(col(r, p, "account_id")), code: strOrNull(col(r, p, "code")), name: str(col(r, p, "name")),
    distributionStrategy: str(col(r, p, "distribution_strategy")) as Product["distributionStrategy"], created: iso(col(r, p, "created")),
  };
}

/** Row to Package. */
export function toPackage(r: Row, p = ""): Package {
  return {
    id: str(col(r, p, "id")), accountId: str(col(r, p, "account_id")), productId: str(col(r, p, "product_id")), key: str(col(r, p, "key")),
    name: str(col(r, p, "name")), engine: strOrNull(col(r, p, "engine")) as Package["engine"], metadata: json(col(r, p, "metadata"), {}),
    created: iso(col(r, p, "created")), updated: iso(col(r, p, "updated")),
  };
}

/** Row to Engine. */
export function toEngine(r: Row, p = ""): Engine {
  return {
    id: str(col(r, p, "id")), accountId: str(col(r, p, "account_id")), key: str(col(r, p, "key")) as Engine["key"], name: strOrNull(col(r, p, "name")),
    created: iso(col(r, p, "created")), updated: iso(col(r, p, "updated")),
  };
}

/** Row to Release. */
export function toRelease(r: Row, p = ""): Release {
  return {
    id: str(col(r, p, "id")), accountId: str(col(r, p, "account_id")), productId: str(col(r, p, "product_id")), packageId: strOrNull(col(r, p, "package_id")),
    version: str(col(r, p, "version")), versionKey: str(col(r, p, "version_key")), channel: str(col(r, p, "channel")) as Release["channel"],
    status: str(col(r, p, "status")) as Release["status"], tag: strOrNull(col(r, p, "tag")), name: strOrNull(col(r, p, "name")),
    description: strOrNull(col(r, p, "description")), entitlements: json(col(r, p, "entitlements"), []), metadata: json(col(r, p, "metadata"), {}),
    created: iso(col(r, p, "created")), updated: iso(col(r, p, "updated")), backdated: isoOrNull(col(r, p, "backdated")), yanked: isoOrNull(col(r, p, "yanked")),
  };
}

/** Row to Artifact. */
export function toArtifact(r: Row, p = ""): Artifact {
  return {
    id: str(col(r, p, "id")), accountId: str(col(r, p, "account_id")), releaseId: str(col(r, p, "release_id")), filename: str(col(r, p, "filename")),
    filetype: strOrNull(col(r, p, "filetype")), platform: strOrNull(col(r, p, "platform")), arch: strOrNull(col(r, p, "arch")),
    filesize: num(col(r, p, "filesize")), checksum: strOrNull(col(r, p, "checksum")), signature: strOrNull(col(r, p, "signature")),
    status: str(col(r, p, "status")) as Artifact["status"], metadata: json(col(r, p, "metadata"), {}),
    created: iso(col(r, p, "created")), updated: iso(col(r, p, "updated")), blob: strOrNull(col(r, p, "blob")),
  };
}

/** Row to Entitlement. */
export function toEntitlement(r: Row): Entitlement {
  return { id: str(r.id), accountId: str(r.account_id), code: str(r.code), name: str(r.name) };
}

/** Row to Policy. */
export function toPolicy(r: Row): Policy {
  return {
    id: str(r.id), accountId: str(r.account_id), productId: str(r.product_id), name: str(r.name),
    expirationStrategy: str(r.expiration_strategy) as Policy["expirationStrategy"],
    authenticationStrategy: str(r.authentication_strategy) as Policy["authenticationStrategy"], entitlements: json(r.entitlements, []),
  };
}

/** Row to User. */
export function toUser(r: Row): User {
  return { id: str(r.id), accountId: str(r.account_id), email: str(r.email), role: str(r.role) as User["role"], banned: bool(r.banned) };
}

/** Row to License (`user_ids` is the aggregated JSON array of its users). */
export function toLicense(r: Row): License {
  return {
    id: str(r.id), accountId: str(r.account_id), policyId: str(r.policy_id), productId: str(r.product_id), key: str(r.key),
    expiry: isoOrNull(r.expiry), suspended: bool(r.suspended), ownerId: strOrNull(r.owner_id), userIds: json(r.user_ids, []),
    entitlements: json(r.entitlements, []),
  };
}

/** Row to Token. */
export function toToken(r: Row): Token {
  return {
    id: str(r.id), accountId: str(r.account_id), bearerType: str(r.bearer_type) as Token["bearerType"], bearerId: str(r.bearer_id),
    digest: str(r.digest), expiry: isoOrNull(r.expiry),
  };
}
