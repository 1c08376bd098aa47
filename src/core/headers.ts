/**
 * @module core/headers — the one thing engines ask of request headers: a value by name.
 */

/**
 * Request headers as engines read them: `get(name)` is case-insensitive and joins repeated fields
 * with `, `, exactly as `Headers.get` does (a web `Headers` is one; adapters may pass a lighter object).
 */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** Whether a Host (or X-Forwarded-Host) value is a plain host and port, safe to put in a URL we build. */
export function isPlainHost(host: string): boolean {
  return /^[A-Za-z0-9.\-:[\]]+$/.test(host);
}
