#!/usr/bin/env node
/**
 * @module cli — the `release-engines` command: serve, validate, import, tauri-manifest and the
 * publishing commands. Each command's modules are imported only when it runs, so `--help`,
 * `--version` and the publishing commands start without loading the server stack.
 */
import { CommandUsageError } from "./cli/flags.js";
import { CliFailure } from "./cli/fatal.js";
import { PUBLISHING_USAGE, isPublishingCommand, runPublishingCommand } from "./cli/run.js";
import { cliVersion } from "./cli/version.js";
import { DatasetError } from "./core/errors.js";

const USAGE = `Usage: release-engines <command> [options]

Commands:
  serve      serve a dataset over HTTP (from memory, SQLite or PostgreSQL)
  import     load a dataset file into a SQLite or PostgreSQL store
  validate   report every problem in a dataset file
${PUBLISHING_USAGE}

Options:
  -h, --help     show this help
  -V, --version  print the version

Run 'release-engines <command> --help' for a command's options.`;

/** Problems of a dataset listed before the rest are counted. */
const MAX_PROBLEMS_SHOWN = 20;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (isPublishingCommand(command)) {
    process.exitCode = await runPublishingCommand(command as string, rest);
    return;
  }
  switch (command) {
    case "serve":
      return (await import("./cli/serve.js")).runServe(rest);
    case "validate":
      return (await import("./cli/validate.js")).runValidate(rest);
    case "import":
      return (await import("./cli/import-command.js")).runImport(rest);
    case "-V":
    case "--version":
    case "version":
      console.log(cliVersion());
      return;
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return;
    default:
      throw new CommandUsageError(command === undefined ? "a command is required" : `unknown command '${command}'`, USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CommandUsageError) {
    console.error(`release-engines: ${error.message}\n\n${error.usage}`);
    process.exit(2);
  }
  if (error instanceof CliFailure) {
    console.error(`release-engines: ${error.message}`);
    process.exit(1);
  }
  if (error instanceof DatasetError) {
    console.error(`release-engines: ${error.detail}`);
    // Capped: a file with 20,000 problems shows the first ones and how many more.
    for (const p of error.problems.slice(0, MAX_PROBLEMS_SHOWN)) console.error(`  ${p.path}: ${p.message}`);
    const more = error.problems.length - MAX_PROBLEMS_SHOWN;
    if (more > 0) console.error(`  … and ${more.toLocaleString("en-US")} more`);
    process.exit(2);
  }
  console.error("release-engines:", error);
  process.exit(1);
});
