/**
 * @module engines/urls — where the links engines emit point: one route-name → path function, Keygen's
 * `/v1/accounts/<account>/…` layout by default, so a router that mounts the engines elsewhere gets links to itself.
 */
import { keyText } from "../access/scope-key.js";

/** Every kind of link an engine emits: the routes it links to, the account base other JSON:API links hang off, and `blobs`, the path signed blob URLs go under. */
export type LinkName =
  | "account"
  | "npm.tarball"
  | "engines.show"
  | "pypi.index"
  | "pypi.project"
  | "tauri.upgrade"
  | "raw.artifact"
  | "artifacts.download"
  | "artifacts.file"
  | "releases.one"
  | "releases.upgrade"
  | "releases.constraints"
  | "releases.package"
  | "packages.one"
  | "blobs";

/**
 * The parameters of a link, each already percent-encoded for a path segment (a raw `artifact` keeps its `/`):
 * `account` always; `id`, `filename`, `project`, `package`, `product`, `release`, `artifact` as the link needs.
 */
export type LinkParams = Readonly<Record<string, string | undefined>>;

/** How one kind of link is built: a path starting with `/` (the request's origin is put before it), or an absolute `http(s)://` URL. */
export type LinkBuilder = (params: LinkParams) => string;

/** The route-name → path function every engine builds its links with (see {@link createUrls}). */
export type Urls = (name: LinkName, params: LinkParams) => string;

const acct = (p: LinkParams) => `/v1/accounts/${p.account}`;
const npmTarball = (p: LinkParams) => `/engines/npm/${p.package}/-/${p.filename}`;

/** Keygen's layout, link by link (what {@link keygenUrls} answers). */
export const KEYGEN_LINKS: Readonly<Record<LinkName, LinkBuilder>> = {
  account: acct,
  "engines.show": (p) => `${acct(p)}/engines/${p.id}`,
  "npm.tarball": (p) => acct(p) + npmTarball(p),
  "pypi.index": (p) => `${acct(p)}/engines/pypi/simple/`,
  "pypi.project": (p) => `${acct(p)}/engines/pypi/simple/${p.project}/`,
  "tauri.upgrade": (p) => `${acct(p)}/engines/tauri/${p.package}`,
  "raw.artifact": (p) => `${acct(p)}/engines/raw/${p.product}/${p.package === undefined ? "" : `@${p.package}/`}${p.release}/${p.artifact}`,
  "artifacts.download": (p) => `${acct(p)}/artifacts/${p.id}`,
  "artifacts.file": (p) => `${acct(p)}/artifacts/${p.id}/${p.filename}`,
  "releases.one": (p) => `${acct(p)}/releases/${p.id}`,
  "releases.upgrade": (p) => `${acct(p)}/releases/${p.id}/upgrade`,
  "releases.constraints": (p) => `${acct(p)}/releases/${p.id}/constraints`,
  "releases.package": (p) => `${acct(p)}/releases/${p.id}/package`,
  "packages.one": (p) => `${acct(p)}/packages/${p.id}`,
  blobs: () => "/",
};

/** The npm tarball path in the account-less form a single-account host serves, `/v1/engines/npm/{package}/-/{filename}` (npm sends its token only below the registry URL it was given). */
export function accountlessNpmTarballPath(params: LinkParams): string {
  return `/v1${npmTarball(params)}`;
}

/** Options of {@link createUrls}. */
export interface UrlsOptions {
  /** A path every default link is put under (e.g. `/api` gives `/api/v1/accounts/…`); no trailing slash. */
  basePath?: string;
  /** Links built your own way, by name; the others keep Keygen's layout (under `basePath`). */
  links?: Partial<Record<LinkName, LinkBuilder>>;
}

/**
 * A link builder: Keygen's layout under `basePath`, with any link replaced by your own builder.
 * @example createUrls({ links: { "pypi.index": () => "/downloads/pypi/simple/" } })
 */
export function createUrls(options: UrlsOptions = {}): Urls {
  const base = (options.basePath ?? "").replace(/\/+$/, "");
  if (base !== "" && !base.startsWith("/")) throw new TypeError("basePath must start with '/'");
  const own = options.links ?? {};
  const table: Record<string, LinkBuilder> = {};
  for (const name of Object.keys(KEYGEN_LINKS) as LinkName[]) {
    const fallback = KEYGEN_LINKS[name];
    table[name] = own[name] ?? (base === "" ? fallback : (p) => base + fallback(p));
  }
  return (name, params) => {
    const build = table[name];
    if (build === undefined) throw new TypeError(`Unknown link '${name}'`);
    return build(params);
  };
}

/** Keygen's `/v1/accounts/<account>/…` layout: the default of every engine and of `createFetchHandler`. */
export const keygenUrls: Urls = createUrls();

/** A link as a relative path (JSON:API `links`), from the context's builder or Keygen's layout. */
export function linkPath(ctx: { urls?: Urls | undefined }, name: LinkName, params: LinkParams): string {
  return (ctx.urls ?? keygenUrls)(name, params);
}

/** The origin the embedded blob storage puts its `/v1/blobs/…` URLs on: the request's, under the `blobs` link's path (default `/`). */
export function blobOrigin(ctx: { origin: string; urls?: Urls | undefined }): string {
  if (ctx.urls === undefined) return ctx.origin;
  return linkUrl(ctx, "blobs", { account: "" }).replace(/\/+$/, "");
}

/** A link as an absolute URL: the request's origin before the builder's path (an absolute URL from the builder stays as it is). */
export function linkUrl(ctx: { origin: string; urls?: Urls | undefined }, name: LinkName, params: LinkParams): string {
  const path = linkPath(ctx, name, params);
  return path.startsWith("/") ? ctx.origin + path : path;
}

/** Where a handler's download links (`artifacts.file`) point, as a key: empty for Keygen's layout, so remembered answers of two layouts are never shared. */
export function fileLinksKey(urls: Urls | undefined): string {
  return urls === undefined || urls === keygenUrls ? "" : keyText(urls("artifacts.file", { account: "{a}", id: "{i}", filename: "{f}" }));
}
