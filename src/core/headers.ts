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
