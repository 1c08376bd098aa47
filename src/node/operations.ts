/**
 * @module node/operations — what `serve` runs beside the handler: the access log, failure bursts,
 * `/health` and `/ready`, and graceful shutdown, wired together once.
 */
import type { Server } from "node:http";
import type { Store } from "../store/types.js";
import { createServeLog, type LogFormat, type ServeLog } from "./access-log.js";
import { createFailureLog, type FailureLog } from "./failures.js";
import { createHealthRoutes } from "./health.js";
import type { ResultListenerHooks } from "./http.js";
import { installShutdown } from "./shutdown.js";

/** Options of {@link createOperations}. */
export interface OperationsOptions {
  store: Store;
  format: LogFormat;
  /** How long requests in flight may take to finish at shutdown (ms). */
  drainMs: number;
}

/** The pieces `serve` wires into its handler, listener and process. */
export interface Operations {
  log: ServeLog;
  failures: FailureLog;
  /** Listener hooks: the access log and the health routes. */
  hooks: ResultListenerHooks;
  /** Once listening: shut down gracefully on SIGTERM and SIGINT, then run `close` (the store). */
  start(server: Server, close: () => Promise<void>): void;
}

/** The access log (stdout), events (stderr), failure bursts, health routes and shutdown for one server. */
export function createOperations(options: OperationsOptions): Operations {
  const log = createServeLog(options.format, (chunk) => process.stdout.write(chunk), (chunk) => process.stderr.write(chunk));
  const failures = createFailureLog(log);
  let ready = false;
  const hooks: ResultListenerHooks = {
    before: createHealthRoutes({ store: options.store, ready: () => ready, counts: () => failures.counts() }),
  };
  if (log.answered !== undefined) hooks.answered = log.answered;
  return {
    log,
    failures,
    hooks,
    start(server, close) {
      ready = true;
      installShutdown({
        server,
        log,
        drainMs: options.drainMs,
        onStopping: () => {
          ready = false;
        },
        close: async () => {
          failures.close();
          await close();
        },
      });
    },
  };
}
