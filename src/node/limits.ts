/**
 * @module node/limits — the connection limits `serve` runs with: how many sockets, how long a
 * request's head may take, how long a socket may sit idle, how long keep-alive lasts.
 *
 * A request's head must arrive quickly (`headersTimeoutMs`), but its body has no total deadline by
 * default (`requestTimeoutMs` 0): a 1 GB upload on a slow link takes many minutes, so the body is
 * bounded by inactivity instead (`idleTimeoutMs`: a socket that moves no bytes for that long is
 * closed, whichever way it was sending). The connection cap keeps a flood of slow sockets from
 * exhausting file descriptors; connections past it are closed as they arrive.
 */
import { readFileSync } from "node:fs";
import type { Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";

/** How many connections `serve` holds and for how long; every time is in milliseconds, 0 for no limit. */
export interface ConnectionLimits {
  /** Open connections at most; more are closed as they arrive (`server.maxConnections`). */
  maxConnections: number;
  /** Time from a connection (or the end of the last response) to a request's complete head; 408 after it. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (0: none, as uploads may take long; the idle timeout bounds them). */
  requestTimeoutMs: number;
  /** A socket that sends and receives nothing for this long is closed (a stalled upload or download too). */
  idleTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** Requests one connection may carry; the last one's response says `Connection: close` (0: no limit). */
  maxRequestsPerSocket: number;
}

/** Connections at most when the open-file limit leaves room for them. */
const CONNECTION_CAP = 4096;

/** The soft open-file limit of this process (Linux), or null when it is not known. */
function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The default connection cap: 4096, or three quarters of the open-file limit when that is lower (files and the store need descriptors too). */
export function defaultMaxConnections(): number {
  const limit = openFileLimit();
  return limit === null ? CONNECTION_CAP : Math.max(16, Math.min(CONNECTION_CAP, Math.floor(limit * 0.75)));
}

/** The limits `serve` uses unless told otherwise. */
export function defaultConnectionLimits(): ConnectionLimits {
  return {
    maxConnections: defaultMaxConnections(),
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 0,
    idleTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
    // Not nginx's 1,000: a keep-alive client (a proxy's pool above all) reconnecting every 1,000 requests cost
    // ~15% of the CPU of a small answer here (docs/benchmarks.md, ninth round); at 10,000 it is lost in the noise.
    maxRequestsPerSocket: 10_000,
  };
}

/** Why a set of limits cannot be used, or null. */
export function connectionLimitsProblem(limits: ConnectionLimits): string | null {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) return `${name} must be a whole number, 0 or more (got ${value})`;
  }
  if (limits.headersTimeoutMs === 0) return "headersTimeoutMs must be more than 0";
  if (limits.requestTimeoutMs > 0 && limits.requestTimeoutMs < limits.headersTimeoutMs) return "requestTimeoutMs must be 0 or at least headersTimeoutMs";
  return null;
}

/** The `createServer` options the limits need: timeouts are checked this often (node:http's default is every 30 s). */
export function limitServerOptions(limits: ConnectionLimits): Pick<ServerOptions, "connectionsCheckingInterval" | "headersTimeout" | "requestTimeout" | "keepAliveTimeout"> {
  return {
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

/** Apply the limits to a node:http server (call before it listens). */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.timeout = 0;
  if (limits.idleTimeoutMs > 0) closeIdleSockets(server, limits.idleTimeoutMs);
}

/** How often {@link closeIdleSockets} looks at the open sockets: a quarter of the bound, between 100 ms and 1 s. */
export function idleSweepMs(idleTimeoutMs: number): number {
  return Math.max(100, Math.min(1000, Math.floor(idleTimeoutMs / 4)));
}

/**
 * Close every socket of the server that has moved no byte either way for `idleMs` (within one
 * {@link idleSweepMs} more): a sweep over the open sockets compares their byte counts, instead of
 * node's `server.timeout`, which re-arms a timer on every read and write of every request.
 */
function closeIdleSockets(server: Server, idleMs: number): void {
  /** Per open socket: its bytes read and written when last seen, and when they last moved. */
  const seen = new Map<Socket, { bytes: number; at: number }>();
  server.on("connection", (socket: Socket) => {
    seen.set(socket, { bytes: 0, at: Date.now() });
    socket.once("close", () => seen.delete(socket));
  });
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, last] of seen) {
      const bytes = socket.bytesRead + socket.bytesWritten;
      if (bytes !== last.bytes) {
        last.bytes = bytes;
        last.at = now;
      } else if (now - last.at >= idleMs) {
        seen.delete(socket);
        socket.destroy();
      }
    }
  }, idleSweepMs(idleMs));
  sweep.unref();
  server.once("close", () => clearInterval(sweep));
}

/** The `serve` flags that set each limit, with their unit: seconds (a decimal) or a count. */
export const LIMIT_FLAGS = {
  "max-connections": { key: "maxConnections", unit: "count" },
  "headers-timeout": { key: "headersTimeoutMs", unit: "seconds" },
  "request-timeout": { key: "requestTimeoutMs", unit: "seconds" },
  "idle-timeout": { key: "idleTimeoutMs", unit: "seconds" },
  "keep-alive-timeout": { key: "keepAliveTimeoutMs", unit: "seconds" },
  "max-requests-per-socket": { key: "maxRequestsPerSocket", unit: "count" },
} as const satisfies Record<string, { key: keyof ConnectionLimits; unit: "count" | "seconds" }>;

/**
 * The limits the flags give (the defaults for the rest).
 * @throws {RangeError} naming the flag when a value is not a number of its unit or the limits do not fit together.
 */
export function connectionLimitsFromFlags(values: Record<string, string | boolean | undefined>): ConnectionLimits {
  const limits = defaultConnectionLimits();
  for (const [flag, { key, unit }] of Object.entries(LIMIT_FLAGS)) {
    const text = values[flag];
    if (typeof text !== "string") continue;
    const ok = unit === "count" ? /^\d{1,9}$/.test(text) : /^\d{1,7}(?:\.\d{1,3})?$/.test(text);
    if (!ok) throw new RangeError(`--${flag} must be ${unit === "count" ? "a whole number" : "a number of seconds"}, 0 or more (got '${text}')`);
    limits[key] = unit === "count" ? Number(text) : Math.round(Number(text) * 1000);
  }
  if (limits.headersTimeoutMs === 0) throw new RangeError("--headers-timeout must be more than 0");
  if (limits.requestTimeoutMs > 0 && limits.requestTimeoutMs < limits.headersTimeoutMs) throw new RangeError("--request-timeout must be 0 or at least --headers-timeout");
  return limits;
}
