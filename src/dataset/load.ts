/**
 * @module dataset/load — turn a dataset file into normalised records, or list every problem.
 *
 * The work is split by concern: the file's shape (schema, shape), one account section by section
 * (account: catalog, releases, access), references between records (references), artifact files
 * (files), value normalisation (values) and problem reporting (problems).
 */
import { DatasetError } from "../core/errors.js";
import type {
  Account,
  Artifact,
  Engine,
  Entitlement,
  License,
  Package,
  Policy,
  Product,
  Release,
  Token,
  User,
} from "../model/records.js";
import { loadAccount } from "./account.js";
import type { DatasetFileReader } from "./files.js";
import { IdClaims, type Problem } from "./problems.js";
import { DatasetFileSchema, type DatasetAccountInput, type DatasetFile } from "./schema.js";
import { hasDatasetShape } from "./shape.js";

export { safeRelativePath, type DatasetFileReader } from "./files.js";
export { EPOCH } from "./values.js";

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

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Reads artifact files; without it, a dataset that names a `file` is refused. */
  readFile?: DatasetFileReader;
}

/**
 * Validate a parsed dataset file and normalise it into records.
 * @throws {DatasetError} listing every problem (JSON path and reason); nothing is half-loaded.
 */
export async function loadDataset(input: unknown, options: LoadDatasetOptions = {}): Promise<Dataset> {
  // A file that already has the schema's exact shape skips zod's parse (and its copy of every record);
  // anything else goes through zod, which names every problem.
  let data: DatasetFile;
  let schemaProblems: Problem[] = [];
  if (hasDatasetShape(input)) data = input;
  else {
    const parsed = DatasetFileSchema.safeParse(input);
    if (parsed.success) data = parsed.data;
    else {
      schemaProblems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
      // One pass: the reference checks still run over the raw accounts, so a file's schema and
      // reference problems are reported together; a problem under a path the schema already named is dropped.
      const accounts = (input as { accounts?: unknown } | null)?.accounts;
      if (!Array.isArray(accounts)) throw new DatasetError(schemaProblems);
      data = { accounts } as DatasetFile;
    }
  }
  const salvaged = schemaProblems.length > 0;
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
    if (salvaged && (typeof acc !== "object" || acc === null || Array.isArray(acc))) continue;
    const prior = seenSlugs.get(acc.slug);
    if (prior !== undefined) problems.push({ path: `${path}.slug`, message: `slug '${acc.slug}' is already used by accounts[${prior}]` });
    seenSlugs.set(acc.slug, i);
    if (!salvaged) {
      await loadAccount(acc, path, out, problems, ids, options.readFile);
      continue;
    }
    const found: Problem[] = [];
    try {
      await loadAccount(acc, path, out, found, ids, options.readFile);
    } catch {
      // A value of the wrong type the schema already named: this account's reference checks stop here.
    }
    problems.push(...found);
  }
  if (salvaged) throw new DatasetError([...schemaProblems, ...problems.filter((p) => !schemaProblems.some((s) => within(p.path, s.path)))]);
  if (problems.length > 0) throw new DatasetError(problems);
  return out;
}

/** True when `path` is `parent` or lies under it (`a.b[0]` under `a.b`). */
function within(path: string, parent: string): boolean {
  return path === parent || (path.startsWith(parent) && (path[parent.length] === "." || path[parent.length] === "["));
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}
