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
    await loadAccount(acc, path, out, problems, ids, options.readFile);
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
