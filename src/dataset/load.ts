/**
 * @module dataset/load — turn a dataset file into normalised records, or list every problem.
 *
 * The work is split by concern: the file checked against the schema (input: schema, shape), one
 * account section by section (account: catalog, releases, access), references between records
 * (references), artifact files (files), value normalisation (values), problem reporting (problems)
 * and the records it yields (dataset).
 */
import { DatasetError } from "../core/errors.js";
import { loadAccount } from "./account.js";
import { emptyDataset, type Dataset } from "./dataset.js";
import type { DatasetFileReader } from "./files.js";
import { checkDatasetInput } from "./input.js";
import { IdClaims, within, type Problem } from "./problems.js";
import type { DatasetAccountInput, DatasetFile } from "./schema.js";
import { hasDatasetFrame, NotShaped } from "./shape.js";

export type { Dataset } from "./dataset.js";
export { safeRelativePath, type DatasetFileReader } from "./files.js";
export { EPOCH } from "./values.js";

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
  return loadDatasetOf(input, options, false);
}

/**
 * {@link loadDataset} of a value parsed for this load alone (node/dataset-file's `JSON.parse` of the
 * file): its releases' and artifacts' metadata records and one-code entitlement lists become the
 * records' own instead of being copied (500,000 objects fewer at 100,000 releases).
 * @throws {DatasetError} as {@link loadDataset}.
 */
export async function loadParsedDataset(parsed: unknown, options: LoadDatasetOptions = {}): Promise<Dataset> {
  return loadDatasetOf(parsed, options, true);
}

/** {@link loadDataset}; `owned`: see {@link loadParsedDataset}. */
async function loadDatasetOf(input: unknown, options: LoadDatasetOptions, owned: boolean): Promise<Dataset> {
  // A file whose frame has the shape is loaded as it is checked, each release and artifact checked
  // as the loader reaches it; the first that lacks the shape sends the whole file through zod.
  if (hasDatasetFrame(input)) {
    try {
      return await loadInput(input, [], options, true, owned);
    } catch (error) {
      if (!(error instanceof NotShaped)) throw error;
    }
  }
  const { data, schemaProblems } = checkDatasetInput(input);
  return loadInput(data, schemaProblems, options, false, false);
}

/** Load checked input (`checkElements`, `owned`: see {@link AccountLoad}). @throws {NotShaped} */
async function loadInput(data: DatasetFile, schemaProblems: Problem[], options: LoadDatasetOptions, checkElements: boolean, owned: boolean): Promise<Dataset> {
  const salvaged = schemaProblems.length > 0;
  const out = emptyDataset();
  const problems: Problem[] = [];
  const seenSlugs = new Map<string, number>();
  const ids = new IdClaims(recordCount(data.accounts));
  for (let i = 0; i < data.accounts.length; i++) {
    const acc = data.accounts[i] as DatasetAccountInput;
    const path = `accounts[${i}]`;
    if (salvaged && (typeof acc !== "object" || acc === null || Array.isArray(acc))) continue;
    const prior = seenSlugs.get(acc.slug);
    if (prior !== undefined) problems.push({ path: `${path}.slug`, message: `slug '${acc.slug}' is already used by accounts[${prior}]` });
    seenSlugs.set(acc.slug, i);
    if (!salvaged) {
      await loadAccount(acc, path, out, problems, ids, options.readFile, { checkElements, owned });
      continue;
    }
    const found: Problem[] = [];
    try {
      await loadAccount(acc, path, out, found, ids, options.readFile, { checkElements: false, owned: false });
    } catch {
      // A value of the wrong type the schema already named: this account's reference checks stop here.
    }
    problems.push(...found);
  }
  // A problem under a path the schema already named is dropped.
  if (salvaged) throw new DatasetError([...schemaProblems, ...problems.filter((p) => !schemaProblems.some((s) => within(p.path, s.path)))]);
  if (problems.length > 0) throw new DatasetError(problems);
  return out;
}

/** The records of every account (sections that are not lists count none): about the ids a load claims. */
function recordCount(accounts: readonly unknown[]): number {
  let n = 0;
  for (const acc of accounts) {
    if (typeof acc !== "object" || acc === null) continue;
    n += 1;
    for (const key in acc) {
      const section = (acc as Record<string, unknown>)[key];
      if (Array.isArray(section)) n += section.length;
    }
  }
  return n;
}
