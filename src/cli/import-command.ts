/**
 * @module cli/import-command — `release-engines import FILE.json`: a dataset merged (or, with
 * `--prune`, made the truth) into a SQLite or PostgreSQL store, with `--dry-run` plans.
 */
import { parseFlags, s3OptionsOf, s3StorageOf } from "./command-flags.js";
import { CommandUsageError } from "./flags.js";
import { asDatabaseFailure, openSqlStore, storeSource, type StoreSource } from "./store-source.js";
import { S3_FLAGS, S3_FLAGS_USAGE } from "../node/s3-flags.js";
import { startProgress, type Progress } from "./progress.js";

/** The usage of `import`. */
export const IMPORT_USAGE = `Usage: release-engines import FILE.json (--db FILE.sqlite | --database-url URL) [--prune] [--dry-run] [--s3-bucket NAME …]
Validates FILE.json, then loads it into a SQLite file (created when missing) or a PostgreSQL
database in one transaction. By default it merges: the file's records are added or changed, and
nothing the file lacks is deleted (releases published through the API, other products, stay).
  --prune     the file is the truth for the accounts it holds: their records it lacks are deleted
              (on a terminal, the plan is shown and must be confirmed first)
  --dry-run   print the plan (per table: add, change, delete) and change nothing
Importing the same file twice changes nothing, and a bad file changes nothing. Artifact 'file'
paths are stored as relative blob keys: serve with --blobs pointing at the dataset's folder (for
--db the default is the db file's folder), or import with --s3-bucket: the files are uploaded to
the bucket first (skipping those it already holds with the same bytes), then the records imported.
${S3_FLAGS_USAGE}`;

/** Run `import`. @throws {CommandUsageError}; {@link DatasetError}; {@link CliFailure} when the store cannot be reached. */
export async function runImport(args: string[]): Promise<void> {
  const usage = IMPORT_USAGE;
  const { values, positionals } = parseFlags(args, { db: { type: "string" }, "database-url": { type: "string" }, prune: { type: "boolean" }, "dry-run": { type: "boolean" }, ...S3_FLAGS }, usage, true);
  if (values.help) {
    console.log(IMPORT_USAGE);
    return;
  }
  const prune = values.prune === true;
  const dryRun = values["dry-run"] === true;
  if (positionals.length !== 1) throw new CommandUsageError("import needs exactly one FILE.json", usage);
  const source = storeSource(values, false, usage) as StoreSource;
  const s3Options = s3OptionsOf(values, usage);
  const s3 = await s3StorageOf(s3Options, usage);
  const { loadDatasetFile } = await import("../node/dataset-file.js");
  const { dataset, root } = await loadDatasetFile(positionals[0] as string);
  if (s3 !== null && !dryRun) {
    // Bytes first: a failed upload leaves the store as it was, never naming objects that are not there.
    const { uploadDatasetFiles } = await import("../node/s3-import.js");
    const up = await uploadDatasetFiles(s3, dataset.artifacts, root);
    console.log(`bucket: ${up.uploaded} file(s) uploaded, ${up.skipped} already there with the same bytes`);
  }
  const store = await openSqlStore(source);
  try {
    const { importDataset } = await import("../sql/import.js");
    if (prune && !dryRun && process.stdin.isTTY && process.stdout.isTTY) {
      const plan = await importDataset(store, dataset, { prune, dryRun: true });
      console.log(formatPlan(plan.plan));
      if (plan.deleted > 0 && !(await confirm(`delete ${plan.deleted} row(s) the file lacks? [y/N] `))) {
        console.log("nothing changed");
        return;
      }
    }
    const progress = importProgress();
    let summary: Awaited<ReturnType<typeof importDataset>>;
    try {
      summary = await importDataset(store, dataset, { prune, dryRun, onProgress: progress.update });
    } catch (error) {
      progress.abort();
      throw error;
    }
    progress.done();
    if (dryRun) {
      console.log(`dry run, nothing changed: ${summary.accounts} account(s), ${summary.written} row(s) to write, ${summary.deleted} to delete`);
      console.log(formatPlan(summary.plan));
    } else if (summary.written === 0 && summary.deleted === 0) {
      console.log(`imported ${summary.accounts} account(s): nothing to change, the store already matches the file`);
    } else {
      console.log(`imported ${summary.accounts} account(s): ${summary.written} row(s) written, ${summary.deleted} deleted`);
      console.log(formatPlan(summary.plan, true));
    }
  } catch (error) {
    throw asDatabaseFailure(error, source);
  } finally {
    await store.close();
  }
}

/** An import plan, one line per table: `  releases: 1 to add, 0 to change, 2 to delete`. */
function formatPlan(plan: Record<string, { add: number; change: number; delete: number }>, done = false): string {
  const rows = Object.entries(plan);
  if (rows.length === 0) return "  (no changes)";
  const [a, c, d] = done ? ["added", "changed", "deleted"] : ["to add", "to change", "to delete"];
  return rows.map(([table, p]) => `  ${table}: ${p.add} ${a}, ${p.change} ${c}, ${p.delete} ${d}`).join("\n");
}

/** Ask a yes/no question on the terminal; true only for y/yes. */
async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Imports shorter than this show no progress at all. */
const PROGRESS_AFTER_MS = 1000;

/**
 * Progress of a long import on stderr: nothing for the first second, then a bar on a terminal or a
 * line every few seconds otherwise (`RELEASE_ENGINES_PROGRESS_MS` sets both, for tests).
 */
function importProgress(): { update: (done: number, total: number) => void; done: () => void; abort: () => void } {
  const tuned = Number(process.env.RELEASE_ENGINES_PROGRESS_MS);
  const after = Number.isFinite(tuned) && tuned >= 0 ? tuned : PROGRESS_AFTER_MS;
  const started = Date.now();
  let shown: Progress | null = null;
  let reported = 0;
  const rows = (n: number) => `${n.toLocaleString("en-US")} rows`;
  return {
    update(done, total) {
      if (shown === null) {
        if (Date.now() - started < after) return;
        shown = startProgress({
          label: "importing", total, write: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true, columns: process.stderr.columns,
          format: rows, doneVerb: "written", ...(Number.isFinite(tuned) && tuned >= 0 ? { intervalMs: tuned } : {}),
        });
      }
      shown.add(done - reported);
      reported = done;
    },
    done: () => shown?.done(),
    abort: () => shown?.abort(),
  };
}
