/**
 * @module test/dataset/legacy-load — the loader as it was before the speed work (commit 6a988ef), kept
 * verbatim as the oracle the equivalence test compares the fast loader against.
 */
import { hmacSha256Hex, sha256Hex } from "../../src/core/crypto.js";
import { checksumDigest } from "../../src/core/checksum.js";
import { DatasetError } from "../../src/core/errors.js";
import { isUuid, uuidV5 } from "../../src/core/uuid.js";
import { channelOf, parseVersion } from "../../src/core/version.js";
import type {
  Account,
  Artifact,
  Engine,
  EngineKey,
  Entitlement,
  License,
  Package,
  Policy,
  Product,
  Release,
  Token,
  User,
} from "../../src/model/records.js";
import { ENGINE_NAMES } from "../../src/model/records.js";
import { normalizeProjectName } from "../../src/core/names.js";
import { DatasetFileSchema, type DatasetAccountInput } from "../../src/dataset/schema.js";

/** Every record of a dataset, normalised and with ids filled in. */
export interface Dataset {
  accounts: Account[];
  products: Product[];
  packages: Package[];
  engines: Engine[];
  releases: Release[];
  artifacts: Artifact[];
  entitlements: Entitlement[];
  policies: Policy[];
  users: User[];
  licenses: License[];
  tokens: Token[];
}

/** Reads a dataset's `file` (a path relative to the dataset folder); null when it does not exist. */
export type DatasetFileReader = (relativePath: string) => Promise<Uint8Array | null>;

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Reads artifact files; without it, a dataset that names a `file` is refused. */
  readFile?: DatasetFileReader;
}

/** The instant used for every missing `created`, so the same file always yields the same pages. */
export const EPOCH = "1970-01-01T00:00:00.000Z";

type Problem = { path: string; message: string };

function iso(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : new Date(value).toISOString();
}

/** A relative path that stays inside its folder, or null. */
export function safeRelativePath(path: string): string | null {
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path) || path.includes("\0")) return null;
  const parts: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") return null;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join("/") : null;
}

/**
 * Validate a parsed dataset file and normalise it into records.
 * @throws {DatasetError} listing every problem (JSON path and reason); nothing is half-loaded.
 */
export async function legacyLoadDataset(input: unknown, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const parsed = DatasetFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new DatasetError(
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const out: Dataset = {
    accounts: [], products: [], packages: [], engines: [], releases: [], artifacts: [],
    entitlements: [], policies: [], users: [], licenses: [], tokens: [],
  };
  const problems: Problem[] = [];
  const seenSlugs = new Map<string, number>();
  const seenIds = new Map<string, string>();
  const claimId = (id: string, path: string) => {
    const prior = seenIds.get(id);
    if (prior !== undefined) problems.push({ path, message: `id ${id} is already used at ${prior}` });
    else seenIds.set(id, path);
  };
  for (const [i, acc] of parsed.data.accounts.entries()) {
    const path = `accounts[${i}]`;
    const prior = seenSlugs.get(acc.slug);
    if (prior !== undefined) problems.push({ path: `${path}.slug`, message: `slug '${acc.slug}' is already used by accounts[${prior}]` });
    seenSlugs.set(acc.slug, i);
    await loadAccount(acc, path, out, problems, claimId, options);
  }
  if (problems.length > 0) throw new DatasetError(problems);
  return out;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}

async function loadAccount(
  acc: DatasetAccountInput,
  path: string,
  out: Dataset,
  problems: Problem[],
  claimId: (id: string, path: string) => void,
  options: LoadDatasetOptions,
): Promise<void> {
  const accountId = acc.id ?? (uuidV5(`account:${acc.slug}`));
  claimId(accountId, path);
  const account: Account = { id: accountId, slug: acc.slug, name: acc.name, secretKey: acc.secretKey, created: iso(acc.created) ?? EPOCH };
  out.accounts.push(account);
  const derive = (kind: string, natural: string): string => uuidV5(`${kind}:${accountId}:${natural}`);

  // Products
  const products: Product[] = [];
  const productsByCode = new Map<string, Product>();
  for (const [j, p] of (acc.products ?? []).entries()) {
    const at = `${path}.products[${j}]`;
    if (p.code != null && isUuid(p.code)) problems.push({ path: `${at}.code`, message: "must not look like a UUID" });
    const id = p.id ?? (derive("product", p.code ?? p.name));
    claimId(id, at);
    const rec: Product = { id, accountId, code: p.code ?? null, name: p.name, distributionStrategy: p.distributionStrategy ?? "LICENSED", created: iso(p.created) ?? EPOCH };
    if (rec.code !== null) {
      const lc = rec.code.toLowerCase();
      if ([...productsByCode.keys()].some((c) => c.toLowerCase() === lc)) problems.push({ path: `${at}.code`, message: `code '${rec.code}' is already used` });
      productsByCode.set(rec.code, rec);
    }
    products.push(rec);
  }
  const findProduct = (ref: string) => products.find((p) => p.id === ref) ?? productsByCode.get(ref) ?? null;

  // Packages
  const packages: Package[] = [];
  for (const [j, p] of (acc.packages ?? []).entries()) {
    const at = `${path}.packages[${j}]`;
    const product = findProduct(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    const engine = p.engine ?? null;
    const key = engine === "pypi" ? normalizeProjectName(p.key) : p.key;
    if (isUuid(key)) problems.push({ path: `${at}.key`, message: "must not look like a UUID" });
    if (packages.some((q) => q.key === key)) problems.push({ path: `${at}.key`, message: `key '${key}' is already used` });
    const id = p.id ?? (derive("package", key));
    claimId(id, at);
    const created = iso(p.created) ?? EPOCH;
    packages.push({ id, accountId, productId: product?.id ?? id, key, name: p.name, engine, metadata: p.metadata ?? {}, created, updated: created });
  }
  const findPackage = (ref: string) => packages.find((p) => p.id === ref) ?? packages.find((p) => p.key === ref) ?? null;

  // Engines: one per key used by a package, plus any declared explicitly.
  const engines = new Map<EngineKey, Engine>();
  for (const [j, e] of (acc.engines ?? []).entries()) {
    const at = `${path}.engines[${j}]`;
    if (engines.has(e.key)) problems.push({ path: `${at}.key`, message: `engine '${e.key}' is declared twice` });
    const id = e.id ?? (derive("engine", e.key));
    claimId(id, at);
    const created = iso(e.created) ?? EPOCH;
    engines.set(e.key, { id, accountId, key: e.key, name: e.name === undefined ? ENGINE_NAMES[e.key] : e.name, created, updated: created });
  }
  for (const p of packages) {
    if (p.engine === null || engines.has(p.engine)) continue;
    const used = packages.filter((q) => q.engine === p.engine).map((q) => q.created).sort();
    const id = await derive("engine", p.engine);
    claimId(id, `${path}.engines(${p.engine})`);
    engines.set(p.engine, { id, accountId, key: p.engine, name: ENGINE_NAMES[p.engine], created: used[0] ?? EPOCH, updated: used[used.length - 1] ?? EPOCH });
  }

  // Entitlements
  const entitlements: Entitlement[] = [];
  for (const [j, e] of (acc.entitlements ?? []).entries()) {
    const at = `${path}.entitlements[${j}]`;
    if (entitlements.some((x) => x.code === e.code)) problems.push({ path: `${at}.code`, message: `code '${e.code}' is already used` });
    const id = e.id ?? (derive("entitlement", e.code));
    claimId(id, at);
    entitlements.push({ id, accountId, code: e.code, name: e.name ?? e.code });
  }
  const checkCodes = (codes: readonly string[], at: string) => {
    for (const [k, code] of codes.entries()) {
      if (!entitlements.some((e) => e.code === code)) problems.push({ path: `${at}[${k}]`, message: `no entitlement with code '${code}'` });
    }
  };

  // Releases
  const releases: Release[] = [];
  const releaseById = new Map<string, Release>();
  const releasesByVersion = new Map<string, Release[]>();
  const releaseVersions = new Set<string>();
  const releaseTags = new Set<string>();
  for (const [j, r] of (acc.releases ?? []).entries()) {
    const at = `${path}.releases[${j}]`;
    const product = findProduct(r.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${r.product}'` });
    let packageId: string | null = null;
    if (r.package != null) {
      const pkg = findPackage(r.package);
      if (pkg === null) problems.push({ path: `${at}.package`, message: `no package with id or key '${r.package}'` });
      else if (product !== null && pkg.productId !== product.id) problems.push({ path: `${at}.package`, message: "package belongs to another product" });
      packageId = pkg?.id ?? null;
    }
    const version = parseVersion(r.version);
    let channel = r.channel ?? "stable";
    if (version === null) {
      problems.push({ path: `${at}.version`, message: `'${r.version}' is not a valid version` });
    } else {
      const implied = channelOf(version);
      if (implied === null) problems.push({ path: `${at}.version`, message: "a pre-release must start with rc, beta, alpha or dev" });
      else if (r.channel !== undefined && r.channel !== implied) problems.push({ path: `${at}.channel`, message: `version ${version.version} belongs to channel '${implied}'` });
      else channel = implied;
    }
    const versionText = version?.version ?? r.version;
    const productId = product?.id ?? "";
    const versionSlot = `${productId}|${packageId ?? ""}|${versionText}`;
    if (releaseVersions.has(versionSlot)) {
      problems.push({ path: `${at}.version`, message: `version ${versionText} is already released for this product and package` });
    }
    if (r.tag != null) {
      if (isUuid(r.tag)) problems.push({ path: `${at}.tag`, message: "must not look like a UUID" });
      const tagSlot = `${productId}|${packageId ?? ""}|${r.tag}`;
      if (releaseTags.has(tagSlot)) problems.push({ path: `${at}.tag`, message: `tag '${r.tag}' is already used for this product and package` });
    }
    checkCodes(r.entitlements ?? [], `${at}.entitlements`);
    const id = r.id ?? (derive("release", `${productId}:${packageId ?? ""}:${versionText}`));
    claimId(id, at);
    const created = iso(r.created) ?? EPOCH;
    const status = r.status ?? "DRAFT";
    const rec: Release = {
      id, accountId, productId, packageId, version: versionText, versionKey: version?.key ?? "", channel, status,
      tag: r.tag ?? null, name: r.name ?? null, description: r.description ?? null,
      entitlements: [...new Set(r.entitlements ?? [])], metadata: r.metadata ?? {}, created, updated: created,
      backdated: iso(r.backdated), yanked: iso(r.yanked) ?? (status === "YANKED" ? created : null),
    };
    releases.push(rec);
    releaseById.set(id, rec);
    releaseVersions.add(versionSlot);
    if (rec.tag !== null) releaseTags.add(`${productId}|${packageId ?? ""}|${rec.tag}`);
    const sameVersion = releasesByVersion.get(versionText);
    if (sameVersion) sameVersion.push(rec);
    else releasesByVersion.set(versionText, [rec]);
  }

  // Artifacts
  const artifacts: Artifact[] = [];
  const artifactSlots = new Set<string>();
  for (const [j, a] of (acc.artifacts ?? []).entries()) {
    const at = `${path}.artifacts[${j}]`;
    // A release is named by id, by a version unique in the account, or as `<package key or product code>@<version>`.
    const atSign = a.release.lastIndexOf("@");
    const owner = atSign > 0 ? a.release.slice(0, atSign) : null;
    const byVersion = (releasesByVersion.get(atSign > 0 ? a.release.slice(atSign + 1) : a.release) ?? []).filter((r) =>
      owner === null || (r.packageId !== null ? packages.find((p) => p.id === r.packageId)?.key === owner : findProduct(owner)?.id === r.productId),
    );
    const release = releaseById.get(a.release) ?? (byVersion.length === 1 ? byVersion[0] : undefined);
    if (release === undefined) {
      problems.push({ path: `${at}.release`, message: byVersion.length > 1 ? `'${a.release}' is ambiguous: use the release id or '<package or product>@<version>'` : `no release '${a.release}'` });
    }
    if (a.filename.includes("\\") || a.filename.startsWith("/") || a.filename.split("/").includes("..")) problems.push({ path: `${at}.filename`, message: "must be a plain file name" });
    const slot = `${release?.id ?? ""}|${a.filename}`;
    if (release && artifactSlots.has(slot)) problems.push({ path: `${at}.filename`, message: `'${a.filename}' is already a file of this release` });
    artifactSlots.add(slot);
    let filesize = a.filesize ?? null;
    let checksum = a.checksum ?? null;
    let blob: string | null = null;
    if (a.file != null) {
      const rel = safeRelativePath(a.file);
      if (rel === null) problems.push({ path: `${at}.file`, message: "must be a relative path inside the dataset folder" });
      else if (options.readFile === undefined) problems.push({ path: `${at}.file`, message: "files cannot be read here" });
      else {
        const bytes = await options.readFile(rel);
        if (bytes === null) problems.push({ path: `${at}.file`, message: `no such file: ${rel}` });
        else {
          blob = rel;
          const digest = await sha256Hex(bytes);
          if (filesize !== null && filesize !== bytes.length) problems.push({ path: `${at}.filesize`, message: `is ${filesize} but the file has ${bytes.length} bytes` });
          filesize = bytes.length;
          if (checksum === null) checksum = digest;
          else {
            const given = checksumDigest(checksum);
            if (given?.name === "sha256" && given.hex !== digest) problems.push({ path: `${at}.checksum`, message: "does not match the file's sha256" });
          }
        }
      }
    }
    const id = a.id ?? (derive("artifact", `${release?.id ?? ""}:${a.filename}`));
    claimId(id, at);
    const created = iso(a.created) ?? EPOCH;
    const ext = /\.([^./]+)$/.exec(a.filename)?.[1];
    artifacts.push({
      id, accountId, releaseId: release?.id ?? "", filename: a.filename,
      filetype: a.filetype === undefined ? (ext?.toLowerCase() ?? null) : a.filetype === null ? null : a.filetype.replace(/^\./, "").toLowerCase(),
      platform: a.platform?.trim().toLowerCase() || null, arch: a.arch?.trim().toLowerCase() || null,
      filesize, checksum, signature: a.signature ?? null, status: a.status ?? (blob !== null ? "UPLOADED" : "WAITING"),
      metadata: a.metadata ?? {}, created, updated: created, blob,
    });
  }

  // Policies
  const policies: Policy[] = [];
  for (const [j, p] of (acc.policies ?? []).entries()) {
    const at = `${path}.policies[${j}]`;
    const product = findProduct(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    checkCodes(p.entitlements ?? [], `${at}.entitlements`);
    const id = p.id ?? (derive("policy", `${product?.id ?? ""}:${p.name}`));
    claimId(id, at);
    policies.push({
      id, accountId, productId: product?.id ?? "", name: p.name,
      expirationStrategy: p.expirationStrategy ?? "RESTRICT_ACCESS", authenticationStrategy: p.authenticationStrategy ?? "TOKEN",
      entitlements: [...new Set(p.entitlements ?? [])],
    });
  }

  // Users
  const users: User[] = [];
  for (const [j, u] of (acc.users ?? []).entries()) {
    const at = `${path}.users[${j}]`;
    if (users.some((x) => x.email.toLowerCase() === u.email.toLowerCase())) problems.push({ path: `${at}.email`, message: `'${u.email}' is already used` });
    const id = u.id ?? (derive("user", u.email.toLowerCase()));
    claimId(id, at);
    users.push({ id, accountId, email: u.email, role: u.role ?? "user", banned: u.banned ?? false });
  }
  const findUser = (ref: string) => users.find((u) => u.id === ref) ?? users.find((u) => u.email.toLowerCase() === ref.toLowerCase()) ?? null;

  // Licenses
  const licenses: License[] = [];
  for (const [j, l] of (acc.licenses ?? []).entries()) {
    const at = `${path}.licenses[${j}]`;
    const policy = policies.find((p) => p.id === l.policy) ?? policies.find((p) => p.name === l.policy) ?? null;
    if (policy === null) problems.push({ path: `${at}.policy`, message: `no policy with id or name '${l.policy}'` });
    if (licenses.some((x) => x.key === l.key)) problems.push({ path: `${at}.key`, message: "key is already used" });
    let ownerId: string | null = null;
    if (l.owner != null) {
      const owner = findUser(l.owner);
      if (owner === null) problems.push({ path: `${at}.owner`, message: `no user with id or email '${l.owner}'` });
      ownerId = owner?.id ?? null;
    }
    const userIds: string[] = [];
    for (const [k, ref] of (l.users ?? []).entries()) {
      const user = findUser(ref);
      if (user === null) problems.push({ path: `${at}.users[${k}]`, message: `no user with id or email '${ref}'` });
      else if (!userIds.includes(user.id)) userIds.push(user.id);
    }
    checkCodes(l.entitlements ?? [], `${at}.entitlements`);
    const id = l.id ?? (derive("license", l.key));
    claimId(id, at);
    licenses.push({
      id, accountId, policyId: policy?.id ?? "", productId: policy?.productId ?? "", key: l.key,
      expiry: iso(l.expiry), suspended: l.suspended ?? false, ownerId, userIds, entitlements: [...new Set(l.entitlements ?? [])],
    });
  }

  // Tokens: only the digest is kept.
  const tokens: Token[] = [];
  for (const [j, t] of (acc.tokens ?? []).entries()) {
    const at = `${path}.tokens[${j}]`;
    let bearerId: string | null = null;
    if (t.bearer.type === "user") bearerId = findUser(t.bearer.id)?.id ?? null;
    else if (t.bearer.type === "product") bearerId = findProduct(t.bearer.id)?.id ?? null;
    else bearerId = (licenses.find((l) => l.id === t.bearer.id) ?? licenses.find((l) => l.key === t.bearer.id))?.id ?? null;
    if (bearerId === null) problems.push({ path: `${at}.bearer.id`, message: `no ${t.bearer.type} '${t.bearer.id}'` });
    if (isUuid(t.token)) problems.push({ path: `${at}.token`, message: "must be a token value, not a UUID" });
    const digest = await hmacSha256Hex(acc.secretKey, t.token);
    if (tokens.some((x) => x.digest === digest)) problems.push({ path: `${at}.token`, message: "token is already used" });
    const id = t.id ?? (derive("token", digest));
    claimId(id, at);
    tokens.push({ id, accountId, bearerType: t.bearer.type, bearerId: bearerId ?? "", digest, expiry: iso(t.expiry) });
  }

  // Loop rather than spread: a spread of 100,000s of records overflows the call stack.
  const append = <T>(into: T[], from: readonly T[]) => {
    for (const item of from) into.push(item);
  };
  append(out.products, products);
  append(out.packages, packages);
  append(out.engines, [...engines.values()]);
  append(out.releases, releases);
  append(out.artifacts, artifacts);
  append(out.entitlements, entitlements);
  append(out.policies, policies);
  append(out.users, users);
  append(out.licenses, licenses);
  append(out.tokens, tokens);
}
