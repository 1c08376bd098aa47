/**
 * @module cli/validate — `release-engines validate FILE.json`: every problem of a dataset file, or a summary.
 */
import { CommandUsageError } from "./flags.js";
import { parseFlags } from "./command-flags.js";

/** The usage of `validate`. */
export const VALIDATE_USAGE = `Usage: release-engines validate FILE.json

Checks a dataset file and lists every problem (JSON path and reason). Exit status 0 when
valid, 2 when not.`;

/** Run `validate`. @throws {CommandUsageError}; {@link DatasetError} with the problems. */
export async function runValidate(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {}, VALIDATE_USAGE, true);
  if (values.help) {
    console.log(VALIDATE_USAGE);
    return;
  }
  if (positionals.length !== 1) throw new CommandUsageError("validate needs exactly one FILE.json", VALIDATE_USAGE);
  const { loadDatasetFile } = await import("../node/dataset-file.js");
  const { dataset } = await loadDatasetFile(positionals[0] as string);
  console.log(
    `ok: ${dataset.accounts.length} account(s), ${dataset.products.length} product(s), ${dataset.packages.length} package(s), ` +
      `${dataset.releases.length} release(s), ${dataset.artifacts.length} artifact(s)`,
  );
}
