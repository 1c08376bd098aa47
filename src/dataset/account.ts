/**
 * @module dataset/account — one account of a dataset file loaded section by section into records.
 */
import { isUuid, uuidV5 } from "../core/uuid.js";
import type { Account } from "../model/records.js";
import { loadPolicies, loadUsers, loadLicenses, loadTokens } from "./access.js";
import { loadEngines, loadEntitlements, loadPackages, loadProducts } from "./catalog.js";
import type { DatasetFileReader } from "./files.js";
import type { Dataset } from "./dataset.js";
import type { IdClaims, Problem } from "./problems.js";
import { AccountRefs } from "./references.js";
import { loadArtifacts, loadReleases } from "./releases.js";
import type { DatasetAccountInput } from "./schema.js";
import { EPOCH, iso } from "./values.js";

/** What every section of one account's load shares: where it is, its problems and id claims, and its references. */
export interface AccountLoad {
  readonly accountId: string;
  /** The account's JSON path, e.g. `accounts[0]`. */
  readonly path: string;
  readonly problems: Problem[];
  readonly ids: IdClaims;
  readonly refs: AccountRefs;
  /** Check each release and artifact against the shape before loading it (throwing {@link NotShaped} for one without). */
  readonly checkElements: boolean;
  /** The input is this load's own (shape-checked JSON): releases and artifacts keep its metadata records and one-code lists. */
  readonly owned: boolean;
  /** The id of a record written without one: a UUIDv5 of its kind, the account and its natural key. */
  derive(kind: string, natural: string): string;
}

/** Load one account's records into `out`, noting every problem (`how`: see {@link AccountLoad}). @throws {NotShaped} */
export async function loadAccount(
  acc: DatasetAccountInput,
  path: string,
  out: Dataset,
  problems: Problem[],
  ids: IdClaims,
  readFile: DatasetFileReader | undefined,
  how: Pick<AccountLoad, "checkElements" | "owned">,
): Promise<void> {
  // Routes take an account's id or slug in one segment: a UUID-shaped slug could be another account's id.
  if (isUuid(acc.slug)) problems.push({ path: `${path}.slug`, message: "must not look like a UUID" });
  const accountId = acc.id ?? (uuidV5(`account:${acc.slug}`));
  ids.begin(path, false);
  ids.claim(accountId, problems);
  const account: Account = { id: accountId, slug: acc.slug, name: acc.name, secretKey: acc.secretKey, created: iso(acc.created) ?? EPOCH };
  out.accounts.push(account);
  const load: AccountLoad = {
    accountId, path, problems, ids, refs: new AccountRefs(), checkElements: how.checkElements, owned: how.owned,
    derive: (kind, natural) => uuidV5(`${kind}:${accountId}:${natural}`),
  };

  const products = loadProducts(load, acc.products ?? []);
  const packages = loadPackages(load, acc.packages ?? []);
  const engines = loadEngines(load, acc.engines ?? [], packages);
  const entitlements = loadEntitlements(load, acc.entitlements ?? []);
  const releases = loadReleases(load, acc.releases ?? []);
  const artifacts = await loadArtifacts(load, acc.artifacts ?? [], readFile);
  const policies = loadPolicies(load, acc.policies ?? []);
  const users = loadUsers(load, acc.users ?? []);
  const licenses = loadLicenses(load, acc.licenses ?? []);
  const tokens = await loadTokens(load, acc.tokens ?? [], acc.secretKey);

  // Loop rather than spread: a spread of 100,000s of records overflows the call stack.
  const append = <T>(into: T[], from: readonly T[]) => {
    for (let i = 0; i < from.length; i++) into.push(from[i] as T);
  };
  append(out.products, products);
  append(out.packages, packages);
  append(out.engines, engines);
  append(out.releases, releases);
  append(out.artifacts, artifacts);
  append(out.entitlements, entitlements);
  append(out.policies, policies);
  append(out.users, users);
  append(out.licenses, licenses);
  append(out.tokens, tokens);
}
