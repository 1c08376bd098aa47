/**
 * @module dataset/schema — the dataset file format, as zod schemas.
 */
import * as z from "zod";
import { CHANNELS } from "../core/version.js";
import { metadataProblem } from "./metadata.js";
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

const uuid = z.string().uuid();
const date = z.string().datetime({ offset: true });
/** A `metadata` record within Keygen's bounds (16 KB of JSON, 4 levels, 64 keys): a deeper one would break every JSON writer. */
const meta = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = metadataProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});
/** The zod string formats the dataset uses; the fast shape check takes its patterns from them. */
export const FORMAT_SCHEMAS = { uuid, date } as const;
/** An account slug: lower-case letters, digits, '-' or '_'. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

const product = z.strictObject({
  id: uuid.optional(),
  code: z.string().min(1).nullable().optional(),
  name: z.string(),
  distributionStrategy: z.enum(DISTRIBUTION_STRATEGIES).optional(),
  created: date.optional(),
});

const pkg = z.strictObject({
  id: uuid.optional(),
  product: z.string().min(1),
  key: z.string().min(1).max(255),
  name: z.string().min(1),
  engine: z.enum(ENGINE_KEYS).nullable().optional(),
  metadata: meta.optional(),
  created: date.optional(),
});

const engine = z.strictObject({
  id: uuid.optional(),
  key: z.enum(ENGINE_KEYS),
  name: z.string().nullable().optional(),
  created: date.optional(),
});

const release = z.strictObject({
  id: uuid.optional(),
  product: z.string().min(1),
  package: z.string().min(1).nullable().optional(),
  version: z.string().min(1),
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(RELEASE_STATUSES).optional(),
  tag: z.string().min(1).max(255).nullable().optional(),
  name: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  entitlements: z.array(z.string().min(1)).max(20).optional(),
  metadata: meta.optional(),
  created: date.optional(),
  backdated: date.nullable().optional(),
  yanked: date.nullable().optional(),
});

const artifact = z.strictObject({
  id: uuid.optional(),
  release: z.string().min(1),
  filename: z.string().min(1).max(255),
  filetype: z.string().nullable().optional(),
  platform: z.string().nullable().optional(),
  arch: z.string().nullable().optional(),
  filesize: z.number().int().nonnegative().nullable().optional(),
  checksum: z.string().max(4096).nullable().optional(),
  signature: z.string().max(4096).nullable().optional(),
  status: z.enum(ARTIFACT_STATUSES).optional(),
  metadata: meta.optional(),
  created: date.optional(),
  file: z.string().min(1).nullable().optional(),
});

const entitlement = z.strictObject({ id: uuid.optional(), code: z.string().min(1), name: z.string().optional() });

const policy = z.strictObject({
  id: uuid.optional(),
  product: z.string().min(1),
  name: z.string(),
  expirationStrategy: z.enum(EXPIRATION_STRATEGIES).optional(),
  authenticationStrategy: z.enum(AUTHENTICATION_STRATEGIES).optional(),
  entitlements: z.array(z.string().min(1)).optional(),
});

const user = z.strictObject({
  id: uuid.optional(),
  email: z.string().min(1),
  role: z.enum(USER_ROLES).optional(),
  banned: z.boolean().optional(),
});

const license = z.strictObject({
  id: uuid.optional(),
  policy: z.string().min(1),
  key: z.string().min(1),
  expiry: date.nullable().optional(),
  suspended: z.boolean().optional(),
  owner: z.string().nullable().optional(),
  users: z.array(z.string()).optional(),
  entitlements: z.array(z.string().min(1)).optional(),
});

const token = z.strictObject({
  id: uuid.optional(),
  bearer: z.strictObject({ type: z.enum(BEARER_TYPES), id: z.string().min(1) }),
  token: z.string().min(8),
  expiry: date.nullable().optional(),
});

const account = z.strictObject({
  id: uuid.optional(),
  slug: z.string().regex(SLUG_PATTERN, "must be lower-case letters, digits, '-' or '_'"),
  name: z.string(),
  secretKey: z.string().min(16),
  created: date.optional(),
  products: z.array(product).optional(),
  packages: z.array(pkg).optional(),
  engines: z.array(engine).optional(),
  releases: z.array(release).optional(),
  artifacts: z.array(artifact).optional(),
  entitlements: z.array(entitlement).optional(),
  policies: z.array(policy).optional(),
  users: z.array(user).optional(),
  licenses: z.array(license).optional(),
  tokens: z.array(token).optional(),
});

/** The dataset file: every account with everything a store needs. */
export const DatasetFileSchema = z.strictObject({ $schema: z.string().optional(), accounts: z.array(account) });
/** A dataset file as written. */
export type DatasetFile = z.infer<typeof DatasetFileSchema>;
/** One account of a dataset file as written. */
export type DatasetAccountInput = z.infer<typeof account>;
