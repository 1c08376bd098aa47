/**
 * @module dataset/catalog — an account's products, packages, engines and entitlements from a dataset file.
 */
import { normalizeProjectName } from "../core/names.js";
import { isUuid } from "../core/uuid.js";
import type { Engine, EngineKey, Entitlement, Package, Product } from "../model/records.js";
import { ENGINE_NAMES } from "../model/records.js";
import type { AccountLoad } from "./account.js";
import type { DatasetAccountInput } from "./schema.js";
import { copyRecord, EPOCH, iso, setFirst } from "./values.js";

type Section<K extends keyof DatasetAccountInput> = NonNullable<DatasetAccountInput[K]>;

/** Products: codes unique (case-insensitively) and never UUID-shaped. */
export function loadProducts(load: AccountLoad, list: Section<"products">): Product[] {
  const { accountId, path, problems, ids, refs } = load;
  const products: Product[] = [];
  const productCodes = new Set<string>();
  ids.begin(`${path}.products`, true);
  for (const [j, p] of list.entries()) {
    const at = `${path}.products[${j}]`;
    if (p.code != null && isUuid(p.code)) problems.push({ path: `${at}.code`, message: "must not look like a UUID" });
    const id = p.id ?? (load.derive("product", p.code ?? p.name));
    ids.claim(id, problems);
    const rec: Product = { id, accountId, code: p.code ?? null, name: p.name, distributionStrategy: p.distributionStrategy ?? "LICENSED", created: iso(p.created) ?? EPOCH };
    if (rec.code !== null) {
      const lc = rec.code.toLowerCase();
      if (productCodes.has(lc)) problems.push({ path: `${at}.code`, message: `code '${rec.code}' is already used` });
      productCodes.add(lc);
      refs.productsByCode.set(rec.code, rec);
    }
    products.push(rec);
    setFirst(refs.productsById, id, rec);
  }
  return products;
}

/** Packages: each of a known product, PyPI keys normalised per PEP 503, keys unique and never UUID-shaped. */
export function loadPackages(load: AccountLoad, list: Section<"packages">): Package[] {
  const { accountId, path, problems, ids, refs } = load;
  const packages: Package[] = [];
  ids.begin(`${path}.packages`, true);
  for (const [j, p] of list.entries()) {
    const at = `${path}.packages[${j}]`;
    const product = refs.product(p.product);
    if (product === null) problems.push({ path: `${at}.product`, message: `no product with id or code '${p.product}'` });
    const engine = p.engine ?? null;
    const key = engine === "pypi" ? normalizeProjectName(p.key) : p.key;
    if (isUuid(key)) problems.push({ path: `${at}.key`, message: "must not look like a UUID" });
    if (refs.packagesByKey.has(key)) problems.push({ path: `${at}.key`, message: `key '${key}' is already used` });
    const id = p.id ?? (load.derive("package", key));
    ids.claim(id, problems);
    const created = iso(p.created) ?? EPOCH;
    const rec: Package = { id, accountId, productId: product?.id ?? id, key, name: p.name, engine, metadata: copyRecord(p.metadata), created, updated: created };
    packages.push(rec);
    setFirst(refs.packagesById, id, rec);
    setFirst(refs.packagesByKey, key, rec);
  }
  return packages;
}

/** Engines: one per key used by a package, plus any declared explicitly. */
export function loadEngines(load: AccountLoad, list: Section<"engines">, packages: readonly Package[]): Engine[] {
  const { accountId, path, problems, ids } = load;
  const engines = new Map<EngineKey, Engine>();
  ids.begin(`${path}.engines`, true);
  for (const [j, e] of list.entries()) {
    const at = `${path}.engines[${j}]`;
    if (engines.has(e.key)) problems.push({ path: `${at}.key`, message: `engine '${e.key}' is declared twice` });
    const id = e.id ?? (load.derive("engine", e.key));
    ids.claim(id, problems);
    const created = iso(e.created) ?? EPOCH;
    engines.set(e.key, { id, accountId, key: e.key, name: e.name === undefined ? ENGINE_NAMES[e.key] : e.name, created, updated: created });
  }
  for (const p of packages) {
    if (p.engine === null || engines.has(p.engine)) continue;
    const used = packages.filter((q) => q.engine === p.engine).map((q) => q.created).sort();
    const id = load.derive("engine", p.engine);
    ids.begin(`${path}.engines(${p.engine})`, false);
    ids.claim(id, problems);
    engines.set(p.engine, { id, accountId, key: p.engine, name: ENGINE_NAMES[p.engine], created: used[0] ?? EPOCH, updated: used[used.length - 1] ?? EPOCH });
  }
  return [...engines.values()];
}

/** Entitlements: codes unique; the codes are what releases, policies and licenses name. */
export function loadEntitlements(load: AccountLoad, list: Section<"entitlements">): Entitlement[] {
  const { accountId, path, problems, ids, refs } = load;
  const entitlements: Entitlement[] = [];
  ids.begin(`${path}.entitlements`, true);
  for (const [j, e] of list.entries()) {
    const at = `${path}.entitlements[${j}]`;
    if (refs.entitlementCodes.has(e.code)) problems.push({ path: `${at}.code`, message: `code '${e.code}' is already used` });
    const id = e.id ?? (load.derive("entitlement", e.code));
    ids.claim(id, problems);
    entitlements.push({ id, accountId, code: e.code, name: e.name ?? e.code });
    refs.entitlementCodes.add(e.code);
  }
  return entitlements;
}
