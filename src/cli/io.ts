/**
 * @module cli/io — what a publishing command reads and writes: its output streams and environment,
 * injectable so tests can run a command in-process.
 */

/** A command's surroundings. */
export interface CommandIo {
  /** One line of the command's result (stdout). */
  out: (text: string) => void;
  /** Raw text to stderr (progress; no newline added). */
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** True when stderr is a terminal (progress draws a bar instead of printing lines). */
  stderrIsTTY: boolean;
  /** Terminal width for the progress bar. */
  columns?: number;
}

/** The process's own stdout, stderr and environment. */
export function processIo(): CommandIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
  };
}
