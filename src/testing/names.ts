/**
 * @module testing/names — natural keys for the records a conformance failure shows (`release acme-tools@2.0.0`, not a UUID).
 */
import type { Dataset } from "../dataset/load.js";

type Row = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * Names records by natural key and rewrites any value (deeply) so that every known id reads as its
 * record's name; two records never share a name (the later one gets its account, or its id, appended).
 */
export class RecordNames {
  readonly #names = new Map<string, string>();
  readonly #taken = new Set<string>();
  /** Short keys by id: a product's code, a package's key, a release's `<package or product>@<version>`. */
  readonly #keys = new Map<string, string>();
  readonly #slugs = new Map<string, string>();

  /** Name every record of `dataset` (records already named keep their names). */
  learnDataset(dataset: Dataset): void {
    for (const list of [dataset.accounts, dataset.products, dataset.packages, dataset.engines, dataset.releases, dataset.artifacts, dataset.policies, dataset.licenses, dataset.users, dataset.tokens]) {
      for (const record of list) this.learn(record);
    }
  }

  /** Learn the name of a record (or of every record inside a value), if it has not one yet. */
  learn(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.learn(item);
      return;
    }
    if (!isPlain(value)) return;
    const row = value as Row;
    const id = text(row.id);
    if (id !== null && !this.#names.has(id)) {
      const name = this.#nameOf(row, id);
      if (name !== null) {
        const slug = this.#slugs.get(text(row.accountId) ?? "");
        const elsewhere = slug === undefined ? name : `${name} in account ${slug}`;
        const unique = !this.#taken.has(name) ? name : !this.#taken.has(elsewhere) ? elsewhere : `${name} (${id})`;
        this.#taken.add(unique);
        this.#names.set(id, unique);
      }
    }
    for (const key of ["artifact", "release", "items"]) if (row[key] !== undefined) this.learn(row[key]);
  }

  /** `value` with every known id replaced by its record's name (plain objects and arrays copied, anything else as is). */
  rename(value: unknown): unknown {
    if (typeof value === "string") return this.#names.get(value) ?? value;
    if (Array.isArray(value)) return value.map((item) => this.rename(item));
    if (!isPlain(value)) return value;
    const out: Row = {};
    for (const [key, item] of Object.entries(value as Row)) out[key] = this.rename(item);
    return out;
  }

  #nameOf(row: Row, id: string): string | null {
    if (typeof row.filename === "string" && typeof row.releaseId === "string") {
      return `artifact ${row.filename} of ${this.#keys.get(row.releaseId) ?? `release ${row.releaseId}`}`;
    }
    if (typeof row.version === "string" && "versionKey" in row) {
      const owner = this.#keys.get(text(row.packageId) ?? "") ?? this.#keys.get(text(row.productId) ?? "") ?? "?";
      const key = `${owner}@${row.version}`;
      this.#keys.set(id, key);
      return `release ${key}`;
    }
    if ("distributionStrategy" in row && typeof row.code === "string") {
      this.#keys.set(id, row.code);
      return `product ${row.code}`;
    }
    if ("distributionStrategy" in row) return `product ${String(row.name)}`;
    if (typeof row.key === "string" && "engine" in row) {
      this.#keys.set(id, row.key);
      return `package ${row.key}`;
    }
    if (typeof row.slug === "string") {
      this.#slugs.set(id, row.slug);
      return `account ${row.slug}`;
    }
    if (typeof row.bearerType === "string") return `token of ${row.bearerType} ${this.#names.get(text(row.bearerId) ?? "") ?? String(row.bearerId)}`;
    if (typeof row.policyId === "string" && typeof row.key === "string") return `license ${row.key}`;
    if ("authenticationStrategy" in row) return `policy ${String(row.name)}`;
    if (typeof row.email === "string") return `user ${row.email}`;
    if (typeof row.key === "string") return `engine ${row.key}`;
    return null;
  }
}

function isPlain(value: unknown): value is object {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
