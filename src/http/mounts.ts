/**
 * @module http/mounts — where the handler is mounted: a base path, the links it emits, and each
 * engine's own short host or path prefix (Keygen's seed: `pypi.<host>/<account>/simple/…`).
 */
import { isPlainHost } from "../core/headers.js";
import { createUrls, keygenUrls, type LinkBuilder, type LinkName, type LinkParams, type Urls } from "../engines/urls.js";
import { matchAccountless, matchRoute, matchShortForm, type RouteMatch, type ShortEngine } from "./routes.js";

/** Each engine's own host (`pypi.dl.example.com`, matched against the request's host) or path prefix (`/pypi`). */
export type ShortHosts = Partial<Record<ShortEngine, string>>;

/** The options that move the handler's paths and links. */
export interface MountOptions {
  basePath?: string;
  urls?: Urls;
  shortHosts?: ShortHosts;
  account?: string;
}

interface ShortHost {
  engine: ShortEngine;
  /** The host, lower-cased (with its port when one was named); absent for a path prefix. */
  host?: string;
  /** The path prefix's segments (empty for a host). */
  prefix: string[];
  urls: Urls;
}

/** The handler's mounts, prepared once. */
export interface Mounts {
  base: string[];
  urls: Urls | undefined;
  shorts: ShortHost[];
  /** True when some short host is matched by the request's host. */
  byHost: boolean;
  account: string | undefined;
}

/** A path matched under the mounts: the route, the links its answer uses, and whether it came to an engine's own host. */
export interface Mounted {
  match: RouteMatch | null;
  urls?: Urls;
  onShortHost?: boolean;
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function shortLinks(engine: ShortEngine, at: string, account: string | undefined): Partial<Record<LinkName, LinkBuilder>> {
  const a = account === undefined ? (p: LinkParams) => `${at}/${p.account}` : () => at;
  if (engine === "pypi") return { "pypi.index": (p) => `${a(p)}/simple/`, "pypi.project": (p) => `${a(p)}/simple/${p.project}/` };
  if (engine === "tauri") return { "tauri.upgrade": (p) => `${a(p)}/${p.package}` };
  return { "raw.artifact": (p) => `${a(p)}/${p.product}/${p.package === undefined ? "" : `@${p.package}/`}${p.release}/${p.artifact}` };
}

/**
 * The mounts of a handler's options, or null when it has none (the handler then matches Keygen's layout only).
 * @throws {TypeError} for a `basePath` or prefix not starting with `/`, or a host that is not a plain host name.
 */
export function mountsOf(options: MountOptions): Mounts | null {
  if (options.basePath === undefined && options.urls === undefined && options.shortHosts === undefined) return null;
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");
  if (basePath !== "" && !basePath.startsWith("/")) throw new TypeError("basePath must start with '/'");
  const urls = options.urls ?? (basePath === "" ? undefined : createUrls({ basePath }));
  const fallback = urls ?? keygenUrls;
  const shorts: ShortHost[] = [];
  for (const [engine, where] of Object.entries(options.shortHosts ?? {}) as Array<[ShortEngine, string | undefined]>) {
    if (where === undefined) continue;
    const isPrefix = where.startsWith("/");
    if (!isPrefix && (where === "" || !isPlainHost(where))) throw new TypeError(`shortHosts.${engine} must be a host name or a path starting with '/'`);
    const prefix = isPrefix ? segmentsOf(where) : [];
    const links = shortLinks(engine, basePath + (prefix.length === 0 ? "" : `/${prefix.join("/")}`), options.account);
    const short: ShortHost = { engine, prefix, urls: (name, params) => (links[name] ?? ((p: LinkParams) => fallback(name, p)))(params) };
    if (!isPrefix) short.host = where.toLowerCase();
    shorts.push(short);
  }
  return { base: segmentsOf(basePath), urls, shorts, byHost: shorts.some((s) => s.host !== undefined), account: options.account };
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (segments[i] !== prefix[i]) return false;
  return true;
}

function sameHost(configured: string, requested: string): boolean {
  const host = requested.toLowerCase();
  // A configured host without a port names every port of it.
  return configured.includes(":") && !configured.startsWith("[") ? host === configured : host === configured || host.replace(/:\d+$/, "") === configured;
}

/**
 * Match decoded path segments below `basePath`: Keygen's layout first (it works on every host, as on Keygen's),
 * then the short form of the engine whose host (`host` is the request's `host[:port]`) or prefix the request came to.
 */
export function matchMounted(mounts: Mounts, segments: readonly string[], trailingSlash: boolean, host: string | null): Mounted {
  if (!startsWith(segments, mounts.base)) return { match: null };
  const rest = mounts.base.length === 0 ? segments : segments.slice(mounts.base.length);
  const onShortHost = host !== null && mounts.shorts.some((s) => s.host !== undefined && sameHost(s.host, host));
  const long = matchRoute(rest, trailingSlash) ?? (mounts.account !== undefined ? matchAccountless(rest, trailingSlash, mounts.account) : null);
  if (long !== null) return mounted(long, mounts.urls, onShortHost);
  for (const short of mounts.shorts) {
    if (short.host !== undefined ? host === null || !sameHost(short.host, host) : !startsWith(rest, short.prefix)) continue;
    const match = matchShortForm(short.engine, short.prefix.length === 0 ? rest : rest.slice(short.prefix.length), trailingSlash, mounts.account);
    if (match !== null) return mounted(match, short.urls, onShortHost);
  }
  return { match: null };
}

function mounted(match: RouteMatch, urls: Urls | undefined, onShortHost: boolean): Mounted {
  const out: Mounted = { match };
  if (urls !== undefined) out.urls = urls;
  if (onShortHost) out.onShortHost = true;
  return out;
}
