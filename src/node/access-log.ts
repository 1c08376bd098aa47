/**
 * @module node/access-log — one line per answered request (method, route template, status,
 * duration, bytes), as JSON or text, written in batches; and the operator's event lines.
 *
 * Nothing from the request but its method reaches a line: the route is the route table's template
 * (`/v1/accounts/{account}/engines/raw/{product}/{release}/{artifact}`), so no key, token,
 * signature, filename or query credential is ever logged.
 */
import { ROUTE_TEMPLATES, type RouteName } from "../http/routes.js";
import type { AnsweredHook } from "./http.js";

/** How `serve` writes its logs: JSON lines, plain text, or no access log at all. */
export type LogFormat = "json" | "text" | "none";

/** The formats `--log-format` takes. */
export const LOG_FORMATS: readonly LogFormat[] = ["json", "text", "none"];

/** The environment variable that sets the default log format (tests set `none`). */
export const LOG_FORMAT_ENV = "RELEASE_ENGINES_LOG_FORMAT";

/** The format to use when none is given: the environment's, else text on a terminal and JSON lines otherwise. */
export function defaultLogFormat(env: Record<string, string | undefined>, isTty: boolean): LogFormat {
  const given = env[LOG_FORMAT_ENV];
  if (given !== undefined && (LOG_FORMATS as readonly string[]).includes(given)) return given as LogFormat;
  return isTty ? "text" : "json";
}

/** Route labels of answers the adapter gives itself (health checks). */
const OWN_ROUTES: Record<string, string> = { health: "/health", ready: "/ready" };

/** The template logged for a route label: a route's template, an adapter route, or `-` for no route. */
export function routeTemplate(route: string | null): string {
  if (route === null) return "-";
  return ROUTE_TEMPLATES[route as RouteName] ?? OWN_ROUTES[route] ?? route;
}

/** Lines are written once per turn of the event loop, or sooner once this many characters wait. */
const FLUSH_AT = 64 * 1024;

/** An access log and the operator's event lines, sharing one format. */
export interface ServeLog {
  /** The access log as a listener hook; undefined for format `none`. */
  readonly answered: AnsweredHook | undefined;
  /** An operator event (start, shutdown, store failures) with its fields; always written (to the event stream). */
  event(level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number>): void;
  /** Write whatever lines wait. */
  flush(): void;
}

/**
 * A log in `format`: access lines go to `writeAccess` (stdout), events to `writeEvent` (stderr).
 * Events in format `none` are written as text.
 */
export function createServeLog(format: LogFormat, writeAccess: (chunk: string) => void, writeEvent: (chunk: string) => void): ServeLog {
  let pending = "";
  let scheduled = false;
  let lastMs = -1;
  let lastIso = "";
  const isoNow = (): string => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastIso = new Date(now).toISOString();
    }
    return lastIso;
  };
  const flush = (): void => {
    scheduled = false;
    if (pending === "") return;
    const out = pending;
    pending = "";
    writeAccess(out);
  };
  const push = (line: string): void => {
    pending += line;
    if (pending.length >= FLUSH_AT) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const ms = (value: number) => Math.round(value * 100) / 100;
  let answered: AnsweredHook | undefined;
  if (format === "json") {
    answered = (method, route, status, took, bytes) =>
      push(`{"time":"${isoNow()}","method":"${method}","route":"${routeTemplate(route)}","status":${status},"ms":${ms(took)},"bytes":${bytes}}\n`);
  } else if (format === "text") {
    answered = (method, route, status, took, bytes) => push(`${isoNow()} ${method} ${routeTemplate(route)} ${status} ${ms(took)}ms ${bytes}B\n`);
  }
  return {
    answered,
    flush,
    event(level, message, fields = {}) {
      if (format === "json") {
        writeEvent(`${JSON.stringify({ time: isoNow(), level, message, ...fields })}\n`);
      } else {
        let line = `${isoNow()} ${level} ${message}`;
        for (const [key, value] of Object.entries(fields)) line += ` ${key}=${typeof value === "string" && /[\s"=]/.test(value) ? JSON.stringify(value) : value}`;
        writeEvent(`${line}\n`);
      }
    },
  };
}
