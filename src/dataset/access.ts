/**
 * @module dataset/access — an account's policies, users, licenses and tokens from a dataset file.
 */
import { hmacSha256Hex } from "../core/crypto.js";
import { isUuid } from "../core/uuid.js";
import type { License, Policy, Token, User } from "../model/records.js";
import type { AccountLoad } from "./account.js";
import type { DatasetAccountInput } from "./schema.js";
import { distinct, iso, setFirst } from "./values.js";

type Section<K extends keyof DatasetAccountInput> = NonNullable<DatasetAccountInput[K]>;

/** Policies: each of a known product, its entitlement codes known. */
export function loadPolicies(load: AccountLoad, list: Section<"policies">): Policy[] {
  const { accountId, path, problems, ids, refs } = load;
  const policies: Policy[] = [];
  ids.begin(`${path}.policies`, true);
  for (const [j, p] of list.entries()) {
    const at = `${path}.policies[${j}]`;
    const product = refs.product(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    refs.checkCodes(p.entitlements, () => `${at}.entitlements`, problems);
    const id = p.id ?? (load.derive("policy", `${product?.id ?? ""}:${p.name}`));
    ids.claim(id, problems);
    const rec: Policy = {
      id, accountId, productId: product?.id ?? "", name: p.name,
      expirationStrategy: p.expirationStrategy ?? "RESTRICT_ACCESS", authenticationStrategy: p.authenticationStrategy ?? "TOKEN",
      entitlements: distinct(p.entitlements),
    };
    policies.push(rec);
    setFirst(refs.policiesById, id, rec);
    setFirst(refs.policiesByName, p.name, rec);
  }
  return policies;
}

/** Users: e-mail addresses unique case-insensitively. */
export function loadUsers(load: AccountLoad, list: Section<"users">): User[] {
  const { accountId, path, problems, ids, refs } = load;
  const users: User[] = [];
  ids.begin(`${path}.users`, true);
  for (const [j, u] of list.entries()) {
    const at = `${path}.users[${j}]`;
    const email = u.email.toLowerCase();
    if (refs.usersByEmail.has(email)) problems.push({ path: `${at}.email`, message: `'${u.email}' is already used` });
    const id = u.id ?? (load.derive("user", email));
    ids.claim(id, problems);
    const rec: User = { id, accountId, email: u.email, role: u.role ?? "user", banned: u.banned ?? false };
    users.push(rec);
    setFirst(refs.usersById, id, rec);
    setFirst(refs.usersByEmail, email, rec);
  }
  return users;
}

/** Licenses: each of a known policy, keys unique, owner and users known, entitlement codes known. */
export function loadLicenses(load: AccountLoad, list: Section<"licenses">): License[] {
  const { accountId, path, problems, ids, refs } = load;
  const licenses: License[] = [];
  ids.begin(`${path}.licenses`, true);
  for (const [j, l] of list.entries()) {
    const at = `${path}.licenses[${j}]`;
    const policy = refs.policy(l.policy);
    if (policy === null) problems.push({ path: `${at}.policy`, message: `no policy with id or name '${l.policy}'` });
    if (refs.licensesByKey.has(l.key)) problems.push({ path: `${at}.key`, message: "key is already used" });
    let ownerId: string | null = null;
    if (l.owner != null) {
      const owner = refs.user(l.owner);
      if (owner === null) problems.push({ path: `${at}.owner`, message: `no user with id or email '${l.owner}'` });
      ownerId = owner?.id ?? null;
    }
    const userIds: string[] = [];
    for (const [k, ref] of (l.users ?? []).entries()) {
      const user = refs.user(ref);
      if (user === null) problems.push({ path: `${at}.users[${k}]`, message: `no user with id or email '${ref}'` });
      else if (!userIds.includes(user.id)) userIds.push(user.id);
    }
    refs.checkCodes(l.entitlements, () => `${at}.entitlements`, problems);
    const id = l.id ?? (load.derive("license", l.key));
    ids.claim(id, problems);
    const rec: License = {
      id, accountId, policyId: policy?.id ?? "", productId: policy?.productId ?? "", key: l.key,
      expiry: iso(l.expiry), suspended: l.suspended ?? false, ownerId, userIds, entitlements: distinct(l.entitlements),
    };
    licenses.push(rec);
    setFirst(refs.licensesById, id, rec);
    setFirst(refs.licensesByKey, l.key, rec);
  }
  return licenses;
}

/** Tokens: only the digest is kept. The digests are independent, so they are computed together. */
export async function loadTokens(load: AccountLoad, tokenList: Section<"tokens">, secretKey: string): Promise<Token[]> {
  const { accountId, path, problems, ids, refs } = load;
  const digests = await Promise.all(tokenList.map((t) => hmacSha256Hex(secretKey, t.token)));
  const tokens: Token[] = [];
  const tokenDigests = new Set<string>();
  ids.begin(`${path}.tokens`, true);
  for (const [j, t] of tokenList.entries()) {
    const at = `${path}.tokens[${j}]`;
    let bearerId: string | null = null;
    if (t.bearer.type === "user") bearerId = refs.user(t.bearer.id)?.id ?? null;
    else if (t.bearer.type === "product") bearerId = refs.product(t.bearer.id)?.id ?? null;
    else bearerId = refs.license(t.bearer.id)?.id ?? null;
    if (bearerId === null) problems.push({ path: `${at}.bearer.id`, message: `no ${t.bearer.type} '${t.bearer.id}'` });
    if (isUuid(t.token)) problems.push({ path: `${at}.token`, message: "must be a token value, not a UUID" });
    const digest = digests[j] as string;
    if (tokenDigests.has(digest)) problems.push({ path: `${at}.token`, message: "token is already used" });
    tokenDigests.add(digest);
    const id = t.id ?? (load.derive("token", digest));
    ids.claim(id, problems);
    tokens.push({ id, accountId, bearerType: t.bearer.type, bearerId: bearerId ?? "", digest, expiry: iso(t.expiry) });
  }
  return tokens;
}
