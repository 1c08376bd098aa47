/**
 * @module node/health — `GET /health` (the store answers) and `GET /ready` (the server takes
 * traffic: started and not shutting down), answered before the route table.
 */
import type { IncomingMessage } from "node:http";
import type { EngineResult } from "../core/result.js";
import { finalizeResult } from "../http/respond.js";
import type { Store } from "../store/types.js";
import type { FailureCounts } from "./failures.js";

/** Options of {@link createHealthRoutes}. */
export interface HealthOptions {
  store: Store;
  /** False once shutdown has begun: `/ready` answers 503 so that balancers stop sending. */
  ready: () => boolean;
  /** Failure counts shown by `/health`. */
  counts?: () => FailureCounts;
  /** How long the store may take to answer the health probe (default 2 s). */
  timeoutMs?: number;
}

/** A slug no account can have (slugs start with a letter or digit): the probe asks the store a real, cheap question. */
const PROBE_SLUG = "-health-probe-";

function json(status: number, value: unknown, method: string): EngineResult {
  return finalizeResult({ status, headers: { "Content-Type": "application/json" }, body: JSON.stringify(value) }, method, (t) => Buffer.from(t), true);
}

/** Whether the store answers within `timeoutMs`. */
async function storeAnswers(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([store.getAccount(PROBE_SLUG).then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `before` hook of {@link toResultListener} answering `/health` and `/ready` (GET and HEAD); other requests pass. */
export function createHealthRoutes(options: HealthOptions): (req: IncomingMessage) => { route: string; result: Promise<EngineResult> } | null {
  const timeoutMs = options.timeoutMs ?? 2000;
  return (req) => {
    const url = req.url;
    // One length test first: nearly every request is longer than both paths.
    if (url === undefined || url.length > 7) return null;
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return null;
    if (url === "/ready") {
      const ready = options.ready();
      return { route: "ready", result: Promise.resolve(json(ready ? 200 : 503, { status: ready ? "ready" : "stopping" }, method)) };
    }
    if (url === "/health") {
      const result = storeAnswers(options.store, timeoutMs).then((ok) =>
        json(ok ? 200 : 503, { status: ok ? "ok" : "unavailable", store: ok ? "reachable" : "unreachable", failures: options.counts?.() ?? { store: 0, internal: 0 } }, method),
      );
      return { route: "health", result };
    }
    return null;
  };
}
