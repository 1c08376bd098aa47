/**
 * @module node/failures — unexpected errors and store failures counted and logged once per burst:
 * the first failure of a burst is logged with its cause (and each new cause, up to a few), then only
 * a count per window, then one line when the failures stop. An outage at thousands of requests a second is a few lines, not thousands.
 */
import { isSdkError } from "../core/errors.js";
import type { ServeLog } from "./access-log.js";

/** Failure counts so far, for `/health`. */
export interface FailureCounts {
  /** Store failures (503s) since start. */
  store: number;
  /** Unexpected errors (500s) since start. */
  internal: number;
}

/** Options of {@link createFailureLog}. */
export interface FailureLogOptions {
  /** A burst ends after this long without a failure of its kind; counts are reported this often meanwhile (default 10 s). */
  windowMs?: number;
}

/** Counts and logs failures by burst. */
export interface FailureLog {
  /** Record one failure (the handler's `onError`). */
  record(error: unknown): void;
  /** Failures counted so far. */
  counts(): FailureCounts;
  /** Report any open burst and stop the timer (at shutdown). */
  close(): void;
}

/** One kind's burst: failures since it began and since the last report. */
interface Burst {
  /** Causes already logged in this burst (a new cause is logged too, up to a few). */
  causes: Set<string>;
  started: number;
  lastAt: number;
  total: number;
  sinceReport: number;
}

/** Distinct causes logged per burst at most; later ones are only counted. */
const MAX_CAUSES = 8;

/** The cause of a failure as one line: a store error's cause, else the error's own message. */
function describe(error: unknown): string {
  const cause = isSdkError(error) && error.code === "STORE_UNAVAILABLE" ? ((error as { cause?: unknown }).cause ?? error) : error;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

/** A failure log writing events to `log`. */
export function createFailureLog(log: ServeLog, options: FailureLogOptions = {}): FailureLog {
  const windowMs = options.windowMs ?? 10_000;
  const totals: FailureCounts = { store: 0, internal: 0 };
  const bursts: Partial<Record<keyof FailureCounts, Burst>> = {};
  let timer: ReturnType<typeof setInterval> | undefined;
  const label = { store: "store failures", internal: "unexpected errors" } as const;

  const report = (final: boolean): void => {
    const now = Date.now();
    for (const kind of ["store", "internal"] as const) {
      const burst = bursts[kind];
      if (burst === undefined) continue;
      if (burst.sinceReport > 0 && !final) {
        log.event("warn", `${label[kind]} continue`, { kind, failures: burst.sinceReport, windowSeconds: windowMs / 1000, burstTotal: burst.total });
        burst.sinceReport = 0;
      } else if (final || now - burst.lastAt >= windowMs) {
        log.event(kind === "store" ? "info" : "warn", `${label[kind]} stopped`, { kind, burstTotal: burst.total, burstSeconds: Math.round((now - burst.started) / 100) / 10 });
        delete bursts[kind];
      }
    }
    if (bursts.store === undefined && bursts.internal === undefined && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    record(error) {
      const kind = isSdkError(error) && error.code === "STORE_UNAVAILABLE" ? "store" : "internal";
      totals[kind]++;
      const burst = bursts[kind];
      const cause = describe(error);
      if (burst !== undefined) {
        burst.lastAt = Date.now();
        burst.total++;
        if (burst.causes.has(cause) || burst.causes.size >= MAX_CAUSES) {
          burst.sinceReport++;
          return;
        }
        burst.causes.add(cause);
        log.event("error", `${label[kind]}: another cause`, { kind, error: cause, burstTotal: burst.total });
        return;
      }
      const now = Date.now();
      bursts[kind] = { causes: new Set([cause]), started: now, lastAt: now, total: 1, sinceReport: 0 };
      const fields: Record<string, string | number> = { kind, error: cause };
      if (kind === "internal" && error instanceof Error && error.stack !== undefined) fields.stack = error.stack;
      log.event("error", kind === "store" ? "store failing (503s); further failures are counted" : "unexpected error (500); further ones are counted", fields);
      if (timer === undefined) {
        timer = setInterval(() => report(false), windowMs);
        timer.unref();
      }
    },
    counts: () => ({ ...totals }),
    close() {
      report(true);
    },
  };
}
