/**
 * @module cli/command-flags — strict flag parsing for `serve`, `import` and `validate`, whose usage
 * errors carry the command's own usage.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CommandUsageError } from "./flags.js";
import { s3OptionsFromFlags } from "../node/s3-flags.js";
import type { S3BlobStorage } from "../blobs/s3/storage.js";

/** Parse a command's flags strictly. @throws {CommandUsageError} with the command's usage. */
export function parseFlags(args: string[], options: ParseArgsConfig["options"], usage: string, allowPositionals = false): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const out = parseArgs({ args, options: { help: { type: "boolean", short: "h" }, ...options }, strict: true, allowPositionals });
    return { values: out.values as Record<string, string | boolean | undefined>, positionals: out.positionals };
  } catch (error) {
    throw new CommandUsageError((error as Error).message.split(". To ")[0] ?? (error as Error).message, usage);
  }
}

/** The S3 options the `--s3-*` flags ask for (credentials from AWS_* variables); null without them. @throws {CommandUsageError}. */
export function s3OptionsOf(values: Record<string, string | boolean | undefined>, usage: string): ReturnType<typeof s3OptionsFromFlags> {
  try {
    return s3OptionsFromFlags(values, process.env);
  } catch (error) {
    throw new CommandUsageError((error as Error).message, usage);
  }
}

/** The S3 blob storage of options {@link s3OptionsOf} gave (its module loaded only then); null for null. @throws {CommandUsageError}. */
export async function s3StorageOf(options: ReturnType<typeof s3OptionsFromFlags>, usage: string): Promise<S3BlobStorage | null> {
  if (options === null) return null;
  const { createS3BlobStorage } = await import("../blobs/s3/storage.js");
  try {
    return createS3BlobStorage(options);
  } catch (error) {
    throw new CommandUsageError((error as Error).message, usage);
  }
}
