/**
 * @module cli/run — the publishing commands' entry: dispatch by name, and exit statuses (0 done,
 * 1 the server refused or could not be reached, 2 a usage error, shown with the command's usage).
 */
import { CliFailure } from "./fatal.js";
import { CommandUsageError } from "./flags.js";
import { ServerRefusal, TransportError } from "./http-client.js";
import { processIo, type CommandIo } from "./io.js";
import { RELEASE_COMMANDS, runReleaseCommand } from "./publish.js";
import { runUpload, type UploadTuning } from "./upload.js";

/** Names of the publishing commands (keygen-cli's). */
export const PUBLISHING_COMMANDS = ["new", "upload", "publish", "yank", "tag", "untag", "del"] as const;

/** Commands of this CLI that speak to a server like the publishing ones (exit statuses and errors alike). */
const CLIENT_COMMANDS: readonly string[] = [...PUBLISHING_COMMANDS, "tauri-manifest"];

/** True for a publishing command's name (or another command run like one, such as `tauri-manifest`). */
export function isPublishingCommand(name: string | undefined): boolean {
  return name !== undefined && CLIENT_COMMANDS.includes(name);
}

/** One line per command for the top-level usage. */
export const PUBLISHING_USAGE = `  new        create a DRAFT release (keygen-cli's flags and KEYGEN_* variables)
  upload     upload a file as an artifact of a release (size, checksum, Tauri .sig, progress)
  publish    publish a release
  yank       yank a release
  tag        tag a release (e.g. latest)
  untag      remove a release's tag
  del        delete a release, or one artifact of it
  tauri-manifest
             write Tauri's static latest.json for a release (from a server or a store)`;

/** Run a publishing command and return its exit status; errors are written to `io.err`. */
export async function runPublishingCommand(name: string, args: string[], io: CommandIo = processIo(), tuning: UploadTuning = {}): Promise<number> {
  try {
    if (name === "upload") await runUpload(args, io, tuning);
    else if (name === "tauri-manifest") await (await import("./tauri-manifest.js")).runTauriManifest(args, io);
    else if (name in RELEASE_COMMANDS) await runReleaseCommand(name, args, io);
    else throw new Error(`unknown publishing command '${name}'`);
    return 0;
  } catch (error) {
    if (error instanceof CommandUsageError) {
      io.err(`release-engines ${name}: ${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    if (error instanceof ServerRefusal) {
      io.err(`release-engines ${name}: the server refused:\n${error.message.split("\n").map((l) => `  ${l}`).join("\n")}\n`);
      return 1;
    }
    if (error instanceof TransportError || error instanceof CliFailure) {
      io.err(`release-engines ${name}: ${error.message}\n`);
      return 1;
    }
    io.err(`release-engines ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}
