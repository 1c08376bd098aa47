/**
 * @module cli/progress — upload progress on stderr: a redrawn bar on a terminal, a line every few
 * seconds otherwise (CI logs).
 */

/** Where progress goes and how often. */
export interface ProgressOptions {
  /** What is moving, e.g. `uploading app.tar.gz`. */
  label: string;
  total: number;
  write: (text: string) => void;
  tty: boolean;
  columns?: number;
  /** Time between lines when not a TTY (default 2 s); between redraws on a TTY it is 100 ms. */
  intervalMs?: number;
  now?: () => number;
  /** How amounts are shown (default: bytes in binary units). */
  format?: (n: number) => string;
  /** The last line's verb when not a TTY (default `sent`). */
  doneVerb?: string;
}

/** A running progress report. */
export interface Progress {
  add(bytes: number): void;
  /** Finish: the bar is replaced by nothing (the command prints its own line); a last line is printed otherwise. */
  done(): void;
  /** Stop without the completion line (the transfer failed). */
  abort(): void;
}

/** Bytes in binary units, one decimal. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Start a progress report. */
export function startProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const fmt = options.format ?? formatBytes;
  const started = now();
  const interval = options.tty ? 100 : (options.intervalMs ?? 2000);
  let sent = 0;
  let last = started;
  let finished = false;
  const rate = () => {
    const s = (now() - started) / 1000;
    return s > 0 ? `${fmt(Math.round(sent / s))}/s` : "";
  };
  const pct = () => (options.total > 0 ? Math.floor((sent / options.total) * 100) : 100);
  const draw = () => {
    const counts = `${fmt(sent)} / ${fmt(options.total)}`;
    if (options.tty) {
      const width = Math.max(10, Math.min(40, (options.columns ?? 80) - options.label.length - counts.length - 24));
      const filled = Math.round((pct() / 100) * width);
      options.write(`\r${options.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${counts} ${String(pct()).padStart(3)}% ${rate()}\x1b[K`);
    } else {
      options.write(`${options.label}: ${counts} (${pct()}%) ${rate()}\n`);
    }
  };
  if (options.tty) draw();
  return {
    add(bytes) {
      sent += bytes;
      const t = now();
      if (!finished && t - last >= interval) {
        last = t;
        draw();
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (options.tty) options.write("\r\x1b[K");
      else options.write(`${options.label}: ${fmt(sent)} ${options.doneVerb ?? "sent"} in ${((now() - started) / 1000).toFixed(1)} s\n`);
    },
    abort() {
      if (finished) return;
      finished = true;
      if (options.tty) options.write("\n");
    },
  };
}
