/**
 * @module dataset/load — turn a dataset file into normalised records, or list every problem.
 */
import { hmacSha256Hex, sha256Hex } from "../core/crypto.js";
import { checksumDigest } from "../core/checksum.js";
import { DatasetError } from "../core/errors.js";
import { isUuid, uuidV5 } from "../core/uuid.js";
import { channelOf, parseVersion } from "../core/version.js";
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
} from "../model/records.js";
import { ENGINE_NAMES } from "../model/records.js";
import { normalizeProjectName } from "../core/names.js";
import { DatasetFileSchema, type DatasetAccountInput, type DatasetFile } from "./schema.js";
import { hasDatasetShape } from "./shape.js";

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

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`: a date the schema accepted in this form is already its own ISO text. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ$/;

function iso(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // The schema's pattern has already ruled out impossible days and times, so the round trip through
  // Date would return the same text.
  return CANONICAL_ISO.test(value) ? value : new Date(value).toISOString();
}

/** A copy of a metadata record, as zod's record parse makes (the fast shape check excludes `__proto__` and symbols). */
function copyRecord(record: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (record !== undefined) for (const key in record) out[key] = record[key];
  return out;
}

/** Distinct strings in first-seen order (`[...new Set(list)]`), without a Set for the usual short lists. */
function distinct(list: readonly string[] | undefined): string[] {
  if (list === undefined || list.length === 0) return [];
  if (list.length === 1) return [list[0] as string];
  return [...new Set(list)];
}

/**
 * Ids claimed so far and where. Claims are numbered in order; each run of claims (one section of one
 * account) records its path prefix, so a path is only spelled out when a problem names it.
 */
class IdClaims {
  private readonly seen = new Map<string, number>();
  private readonly runs: Array<{ start: number; prefix: string; indexed: boolean }> = [];
  private count = 0;

  /** Start a run: its claims are at `prefix[0]`, `prefix[1]`, … (indexed) or at `prefix` itself. */
  begin(prefix: string, indexed: boolean): void {
    this.runs.push({ start: this.count, prefix, indexed });
  }

  /** Claim the next id of the current run, noting a problem when it is already taken. */
  claim(id: string, problems: Problem[]): void {
    const n = this.count++;
    const prior = this.seen.get(id);
    if (prior !== undefined) problems.push({ path: this.pathOf(n), message: `id ${id} is already used at ${this.pathOf(prior)}` });
    else this.seen.set(id, n);
  }

  private pathOf(n: number): string {
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.runs[mid] as { start: number }).start <= n) lo = mid;
      else hi = mid - 1;
    }
    const run = this.runs[lo] as { start: number; prefix: string; indexed: boolean };
    return run.indexed ? `${run.prefix}[${n - run.start}]` : run.prefix;
  }
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
export async function loadDataset(input: unknown, options: LoadDatasetOptions = {}): Promise<Dataset> {
  // A file that already has the schema's exact shape skips zod's parse (and its copy of every record);
  // anything else goes through zod, which names every problem.
  const data = hasDatasetShape(input) ? input : parseDatasetFile(input);
  const out: Dataset = {
    accounts: [], products: [], packages: [], engines: [], releases: [], artifacts: [],
    entitlements: [], policies: [], users: [], licenses: [], tokens: [],
  };
  const problems: Problem[] = [];
  const seenSlugs = new Map<string, number>();
  const ids = new IdClaims();
  for (let i = 0; i < data.accounts.length; i++) {
    const acc = data.accounts[i] as DatasetAccountInput;
    const path = `accounts[${i}]`;
    const prior = seenSlugs.get(acc.slug);
    if (prior !== undefined) problems.push({ path: `${path}.slug`, message: `slug '${acc.slug}' is already used by accounts[${prior}]` });
    seenSlugs.set(acc.slug, i);
    await loadAccount(acc, path, out, problems, ids, options);
  }
  if (problems.length > 0) throw new DatasetError(problems);
  return out;
}

function parseDatasetFile(input: unknown): DatasetFile {
  const parsed = DatasetFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new DatasetError(
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}

/** `map.set(key, value)` unless the key is already there, so lookups find the first record, as `Array.find` did. */
function setFirst<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}

/** Versions and tags already released for one product and package. */
interface ReleaseSlots {
  versions: Set<string>;
  tags: Set<string>;
}

/** File names of one release: a short list, or a set once the release has many. */
type FileNames = string[] | Set<string>;

async function loadAccount(
  acc: DatasetAccountInput,
  path: string,
  out: Dataset,
  problems: Problem[],
  ids: IdClaims,
  options: LoadDatasetOptions,
): Promise<void> {
  const accountId = acc.id ?? (uuidV5(`account:${acc.slug}`));
  ids.begin(path, false);
  ids.claim(accountId, problems);
  const account: Account = { id: accountId, slug: acc.slug, name: acc.name, secretKey: acc.secretKey, created: iso(acc.created) ?? EPOCH };
  out.accounts.push(account);
  const derive = (kind: string, natural: string): string => uuidV5(`${kind}:${accountId}:${natural}`);

  // Products
  const products: Product[] = [];
  const productsById = new Map<string, Product>();
  const productsByCode = new Map<string, Product>();
  const productCodes = new Set<string>();
  ids.begin(`${path}.products`, true);
  for (const [j, p] of (acc.products ?? []).entries()) {
    const at = `${path}.products[${j}]`;
    if (p.code != null && isUuid(p.code)) problems.push({ path: `${at}.code`, message: "must not look like a UUID" });
    const id = p.id ?? (derive("product", p.code ?? p.name));
    ids.claim(id, problems);
    const rec: Product = { id, accountId, code: p.code ?? null, name: p.name, distributionStrategy: p.distributionStrategy ?? "LICENSED", created: iso(p.created) ?? EPOCH };
    if (rec.code !== null) {
      const lc = rec.code.toLowerCase();
      if (productCodes.has(lc)) problems.push({ path: `${at}.code`, message: `code '${rec.code}' is already used` });
      productCodes.add(lc);
      productsByCode.set(rec.code, rec);
    }
    products.push(rec);
    setFirst(productsById, id, rec);
  }
  const findProduct = (ref: string) => productsById.get(ref) ?? productsByCode.get(ref) ?? null;

  // Packages
  const packages: Package[] = [];
  const packagesById = new Map<string, Package>();
  const packagesByKey = new Map<string, Package>();
  ids.begin(`${path}.packages`, true);
  for (const [j, p] of (acc.packages ?? []).entries()) {
    const at = `${path}.packages[${j}]`;
    const product = findProduct(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    const engine = p.engine ?? null;
    const key = engine === "pypi" ? normalizeProjectName(p.key) : p.key;
    if (isUuid(key)) problems.push({ path: `${at}.key`, message: "must not look like a UUID" });
    if (packagesByKey.has(key)) problems.push({ path: `${at}.key`, message: `key '${key}' is already used` });
    const id = p.id ?? (derive("package", key));
    ids.claim(id, problems);
    const created = iso(p.created) ?? EPOCH;
    const rec: Package = { id, accountId, productId: product?.id ?? id, key, name: p.name, engine, metadata: copyRecord(p.metadata), created, updated: created };
    packages.push(rec);
    setFirst(packagesById, id, rec);
    setFirst(packagesByKey, key, rec);
  }
  const findPackage = (ref: string) => packagesById.get(ref) ?? packagesByKey.get(ref) ?? null;

  // Engines: one per key used by a package, plus any declared explicitly.
  const engines = new Map<EngineKey, Engine>();
  ids.begin(`${path}.engines`, true);
  for (const [j, e] of (acc.engines ?? []).entries()) {
    const at = `${path}.engines[${j}]`;
    if (engines.has(e.key)) problems.push({ path: `${at}.key`, message: `engine '${e.key}' is declared twice` });
    const id = e.id ?? (derive("engine", e.key));
    ids.claim(id, problems);
    const created = iso(e.created) ?? EPOCH;
    engines.set(e.key, { id, accountId, key: e.key, name: e.name === undefined ? ENGINE_NAMES[e.key] : e.name, created, updated: created });
  }
  for (const p of packages) {
    if (p.engine === null || engines.has(p.engine)) continue;
    const used = packages.filter((q) => q.engine === p.engine).map((q) => q.created).sort();
    const id = derive("engine", p.engine);
    ids.begin(`${path}.engines(${p.engine})`, false);
    ids.claim(id, problems);
    engines.set(p.engine, { id, accountId, key: p.engine, name: ENGINE_NAMES[p.engine], created: used[0] ?? EPOCH, updated: used[used.length - 1] ?? EPOCH });
  }

  // Entitlements
  const entitlements: Entitlement[] = [];
  const entitlementCodes = new Set<string>();
  ids.begin(`${path}.entitlements`, true);
  for (const [j, e] of (acc.entitlements ?? []).entries()) {
    const at = `${path}.entitlements[${j}]`;
    if (entitlementCodes.has(e.code)) problems.push({ path: `${at}.code`, message: `code '${e.code}' is already used` });
    const id = e.id ?? (derive("entitlement", e.code));
    ids.claim(id, problems);
    entitlements.push({ id, accountId, code: e.code, name: e.name ?? e.code });
    entitlementCodes.add(e.code);
  }
  const checkCodes = (codes: readonly string[] | undefined, at: () => string) => {
    if (codes === undefined) return;
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k] as string;
      if (!entitlementCodes.has(code)) problems.push({ path: `${at()}[${k}]`, message: `no entitlement with code '${code}'` });
    }
  };

  // Releases
  const releases: Release[] = [];
  const releaseById = new Map<string, Release>();
  const releasesByVersion = new Map<string, Release[]>();
  // Versions and tags taken, per product id then package id ("" for none).
  const slotsByProduct = new Map<string, Map<string, ReleaseSlots>>();
  const slotsOf = (productId: string, packageId: string): ReleaseSlots => {
    let byPackage = slotsByProduct.get(productId);
    if (byPackage === undefined) slotsByProduct.set(productId, (byPackage = new Map()));
    let slots = byPackage.get(packageId);
    if (slots === undefined) byPackage.set(packageId, (slots = { versions: new Set(), tags: new Set() }));
    return slots;
  };
  const releaseList = acc.releases ?? [];
  const releaseAt = (j: number) => `${path}.releases[${j}]`;
  ids.begin(`${path}.releases`, true);
  for (let j = 0; j < releaseList.length; j++) {
    const r = releaseList[j] as (typeof releaseList)[number];
    const product = findProduct(r.product);
    if (product === null) problems.push({ path: `${releaseAt(j)}.product`, message: `no product with id or code '${r.product}'` });
    let packageId: string | null = null;
    if (r.package != null) {
      const pkg = findPackage(r.package);
      if (pkg === null) problems.push({ path: `${releaseAt(j)}.package`, message: `no package with id or key '${r.package}'` });
      else if (product !== null && pkg.productId !== product.id) problems.push({ path: `${releaseAt(j)}.package`, message: "package belongs to another product" });
      packageId = pkg?.id ?? null;
    }
    const version = parseVersion(r.version);
    let channel = r.channel ?? "stable";
    if (version === null) {
      problems.push({ path: `${releaseAt(j)}.version`, message: `'${r.version}' is not a valid version` });
    } else {
      const implied = channelOf(version);
      if (implied === null) problems.push({ path: `${releaseAt(j)}.version`, message: "a pre-release must start with rc, beta, alpha or dev" });
      else if (r.channel !== undefined && r.channel !== implied) problems.push({ path: `${releaseAt(j)}.channel`, message: `version ${version.version} belongs to channel '${implied}'` });
      else channel = implied;
    }
    const versionText = version?.version ?? r.version;
    const productId = product?.id ?? "";
    const slots = slotsOf(productId, packageId ?? "");
    if (slots.versions.has(versionText)) {
      problems.push({ path: `${releaseAt(j)}.version`, message: `version ${versionText} is already released for this product and package` });
    }
    if (r.tag != null) {
      if (isUuid(r.tag)) problems.push({ path: `${releaseAt(j)}.tag`, message: "must not look like a UUID" });
      if (slots.tags.has(r.tag)) problems.push({ path: `${releaseAt(j)}.tag`, message: `tag '${r.tag}' is already used for this product and package` });
    }
    checkCodes(r.entitlements, () => `${releaseAt(j)}.entitlements`);
    const id = r.id ?? (derive("release", `${productId}:${packageId ?? ""}:${versionText}`));
    ids.claim(id, problems);
    const created = iso(r.created) ?? EPOCH;
    const status = r.status ?? "DRAFT";
    const rec: Release = {
      id, accountId, productId, packageId, version: versionText, versionKey: version?.key ?? "", channel, status,
      tag: r.tag ?? null, name: r.name ?? null, description: r.description ?? null,
      entitlements: distinct(r.entitlements), metadata: copyRecord(r.metadata), created, updated: created,
      backdated: iso(r.backdated), yanked: iso(r.yanked) ?? (status === "YANKED" ? created : null),
    };
    releases.push(rec);
    releaseById.set(id, rec);
    slots.versions.add(versionText);
    if (rec.tag !== null) slots.tags.add(rec.tag);
    const sameVersion = releasesByVersion.get(versionText);
    if (sameVersion) sameVersion.push(rec);
    else releasesByVersion.set(versionText, [rec]);
  }

  // Artifacts
  const artifacts: Artifact[] = [];
  const filesByRelease = new Map<string, FileNames>();
  const artifactList = acc.artifacts ?? [];
  const artifactAt = (j: number) => `${path}.artifacts[${j}]`;
  ids.begin(`${path}.artifacts`, true);
  for (let j = 0; j < artifactList.length; j++) {
    const a = artifactList[j] as (typeof artifactList)[number];
    // A release is named by id, by a version unique in the account, or as `<package key or product code>@<version>`.
    let release = releaseById.get(a.release);
    if (release === undefined) {
      const atSign = a.release.lastIndexOf("@");
      const owner = atSign > 0 ? a.release.slice(0, atSign) : null;
      const byVersion = (releasesByVersion.get(atSign > 0 ? a.release.slice(atSign + 1) : a.release) ?? []).filter((r) =>
        owner === null || (r.packageId !== null ? packagesById.get(r.packageId)?.key === owner : findProduct(owner)?.id === r.productId),
      );
      release = byVersion.length === 1 ? byVersion[0] : undefined;
      if (release === undefined) {
        problems.push({ path: `${artifactAt(j)}.release`, message: byVersion.length > 1 ? `'${a.release}' is ambiguous: use the release id or '<package or product>@<version>'` : `no release '${a.release}'` });
      }
    }
    const filename = a.filename;
    if (filename.includes("\\") || filename.startsWith("/") || (filename.includes("..") && filename.split("/").includes(".."))) {
      problems.push({ path: `${artifactAt(j)}.filename`, message: "must be a plain file name" });
    }
    if (release !== undefined) {
      const files = filesByRelease.get(release.id);
      if (files === undefined) filesByRelease.set(release.id, [filename]);
      else {
        if (Array.isArray(files) ? files.includes(filename) : files.has(filename)) {
          problems.push({ path: `${artifactAt(j)}.filename`, message: `'${filename}' is already a file of this release` });
        }
        if (!Array.isArray(files)) files.add(filename);
        else if (files.length < 16) files.push(filename);
        else filesByRelease.set(release.id, new Set(files).add(filename));
      }
    }
    let filesize = a.filesize ?? null;
    let checksum = a.checksum ?? null;
    let blob: string | null = null;
    if (a.file != null) {
      const at = artifactAt(j);
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
    const id = a.id ?? (derive("artifact", `${release?.id ?? ""}:${filename}`));
    ids.claim(id, problems);
    const created = iso(a.created) ?? EPOCH;
    const filetype = a.filetype;
    artifacts.push({
      id, accountId, releaseId: release?.id ?? "", filename,
      filetype: filetype === undefined ? (/\.([^./]+)$/.exec(filename)?.[1]?.toLowerCase() ?? null) : filetype === null ? null : filetype.replace(/^\./, "").toLowerCase(),
      platform: a.platform?.trim().toLowerCase() || null, arch: a.arch?.trim().toLowerCase() || null,
      filesize, checksum, signature: a.signature ?? null, status: a.status ?? (blob !== null ? "UPLOADED" : "WAITING"),
      metadata: copyRecord(a.metadata), created, updated: created, blob,
    });
  }

  // Policies
  const policies: Policy[] = [];
  const policiesById = new Map<string, Policy>();
  const policiesByName = new Map<string, Policy>();
  ids.begin(`${path}.policies`, true);
  for (const [j, p] of (acc.policies ?? []).entries()) {
    const at = `${path}.policies[${j}]`;
    const product = findProduct(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    checkCodes(p.entitlements, () => `${at}.entitlements`);
    const id = p.id ?? (derive("policy", `${product?.id ?? ""}:${p.name}`));
    ids.claim(id, problems);
    const rec: Policy = {
      id, accountId, productId: product?.id ?? "", name: p.name,
      expirationStrategy: p.expirationStrategy ?? "RESTRICT_ACCESS", authenticationStrategy: p.authenticationStrategy ?? "TOKEN",
      entitlements: distinct(p.entitlements),
    };
    policies.push(rec);
    setFirst(policiesById, id, rec);
    setFirst(policiesByName, p.name, rec);
  }

  // Users
  const users: User[] = [];
  const usersById = new Map<string, User>();
  const usersByEmail = new Map<string, User>();
  ids.begin(`${path}.users`, true);
  for (const [j, u] of (acc.users ?? []).entries()) {
    const at = `${path}.users[${j}]`;
    const email = u.email.toLowerCase();
    if (usersByEmail.has(email)) problems.push({ path: `${at}.email`, message: `'${u.email}' is already used` });
    const id = u.id ?? (derive("user", email));
    ids.claim(id, problems);
    const rec: User = { id, accountId, email: u.email, role: u.role ?? "user", banned: u.banned ?? false };
    users.push(rec);
    setFirst(usersById, id, rec);
    setFirst(usersByEmail, email, rec);
  }
  const findUser = (ref: string) => usersById.get(ref) ?? usersByEmail.get(ref.toLowerCase()) ?? null;

  // Licenses
  const licenses: License[] = [];
  const licensesById = new Map<string, License>();
  const licensesByKey = new Map<string, License>();
  ids.begin(`${path}.licenses`, true);
  for (const [j, l] of (acc.licenses ?? []).entries()) {
    const at = `${path}.licenses[${j}]`;
    const policy = policiesById.get(l.policy) ?? policiesByName.get(l.policy) ?? null;
    if (policy === null) problems.push({ path: `${at}.policy`, message: `no policy with id or name '${l.policy}'` });
    if (licensesByKey.has(l.key)) problems.push({ path: `${at}.key`, message: "key is already used" });
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
    checkCodes(l.entitlements, () => `${at}.entitlements`);
    const id = l.id ?? (derive("license", l.key));
    ids.claim(id, problems);
    const rec: License = {
      id, accountId, policyId: policy?.id ?? "", productId: policy?.productId ?? "", key: l.key,
      expiry: iso(l.expiry), suspended: l.suspended ?? false, ownerId, userIds, entitlements: distinct(l.entitlements),
    };
    licenses.push(rec);
    setFirst(licensesById, id, rec);
    setFirst(licensesByKey, l.key, rec);
  }

  // Tokens: only the digest is kept. The digests are independent, so they are computed together.
  const tokenList = acc.tokens ?? [];
  const digests = await Promise.all(tokenList.map((t) => hmacSha256Hex(acc.secretKey, t.token)));
  const tokens: Token[] = [];
  const tokenDigests = new Set<string>();
  ids.begin(`${path}.tokens`, true);
  for (const [j, t] of tokenList.entries()) {
    const at = `${path}.tokens[${j}]`;
    let bearerId: string | null = null;
    if (t.bearer.type === "user") bearerId = findUser(t.bearer.id)?.id ?? null;
    else if (t.bearer.type === "product") bearerId = findProduct(t.bearer.id)?.id ?? null;
    else bearerId = (licensesById.get(t.bearer.id) ?? licensesByKey.get(t.bearer.id))?.id ?? null;
    if (bearerId === null) problems.push({ path: `${at}.bearer.id`, message: `no ${t.bearer.type} '${t.bearer.id}'` });
    if (isUuid(t.token)) problems.push({ path: `${at}.token`, message: "must be a token value, not a UUID" });
    const digest = digests[j] as string;
    if (tokenDigests.has(digest)) problems.push({ path: `${at}.token`, message: "token is already used" });
    tokenDigests.add(digest);
    const id = t.id ?? (derive("token", digest));
    ids.claim(id, problems);
    tokens.push({ id, accountId, bearerType: t.bearer.type, bearerId: bearerId ?? "", digest, expiry: iso(t.expiry) });
  }

  // Loop rather than spread: a spread of 100,000s of records overflows the call stack.
  const append = <T>(into: T[], from: readonly T[]) => {
    for (let i = 0; i < from.length; i++) into.push(from[i] as T);
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
