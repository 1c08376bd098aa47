/**
 * @module dataset/input — a parsed dataset file checked against the schema: its accounts to load,
 * and the schema's problems (with the accounts salvaged so that reference checks still run).
 */
import { DatasetError } from "../core/errors.js";
import { formatPath, type Problem } from "./problems.js";
import { DatasetFileSchema, type DatasetFile } from "./schema.js";
import { hasDatasetShape } from "./shape.js";

/** A file's data to load and what the schema found wrong with it (none when it is well-formed). */
export interface DatasetInput {
  data: DatasetFile;
  schemaProblems: Problem[];
}

/**
 * Check a parsed file. A file that already has the schema's exact shape skips zod's parse (and its
 * copy of every record); anything else goes through zod, which names every problem.
 * @throws {DatasetError} when the schema refuses the file and it has no list of accounts to salvage.
 */
export function checkDatasetInput(input: unknown): DatasetInput {
  if (hasDatasetShape(input)) return { data: input, schemaProblems: [] };
  const parsed = DatasetFileSchema.safeParse(input);
  if (parsed.success) return { data: parsed.data, schemaProblems: [] };
  const schemaProblems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  // One pass: the reference checks still run over the raw accounts, so a file's schema and
  // reference problems are reported together.
  const accounts = (input as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) throw new DatasetError(schemaProblems);
  return { data: { accounts } as DatasetFile, schemaProblems };
}
