/**
 * @module node/shutdown — graceful shutdown on SIGTERM and SIGINT: stop accepting, let requests in
 * flight finish within a bound, then close what is left, the store, and exit.
 */
import type { Server } from "node:http";
import type { ServeLog } from "./access-log.js";

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  server: Server;
  log: ServeLog;
  /** How long requests in flight may take to finish before their connections are closed (ms). */
  drainMs: number;
  /** Called first, when shutdown begins (e.g. to make `/ready` answer 503). */
  onStopping?: () => void;
  /** Closes the store (and anything else) after the server has stopped. */
  close: () => Promise<void>;
  /** Ends the process (tests pass their own). */
  exit?: (code: number) => void;
}

/** How often connections that became idle while draining are closed. */
const IDLE_SWEEP_MS = 100;

/**
 * On the first SIGTERM or SIGINT, shut down gracefully: the listening socket closes at once (new
 * connections are refused), idle keep-alive connections are closed as they become idle, and
 * requests in flight finish; whatever is still open after `drainMs` is closed. A second signal exits
 * at once with status 1. Returns the shutdown function (also for tests).
 */
export function installShutdown(options: ShutdownOptions): (signal: string) => void {
  const { server, log, drainMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      log.event("warn", "second signal: exiting now", { signal });
      log.flush();
      exit(1);
      return;
    }
    stopping = true;
    options.onStopping?.();
    const started = Date.now();
    log.event("info", "shutting down: draining requests in flight", { signal, drainSeconds: drainMs / 1000 });
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      log.event("warn", "drain bound reached: closing connections still open", { drainSeconds: drainMs / 1000 });
      server.closeAllConnections();
    }, drainMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      const finish = (code: number) => {
        log.event("info", "stopped", { seconds: Math.round((Date.now() - started) / 100) / 10 });
        log.flush();
        exit(code);
      };
      options.close().then(
        () => finish(0),
        (error: unknown) => {
          log.event("error", "closing the store failed", { error: String(error) });
          finish(1);
        },
      );
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  return shutdown;
}
