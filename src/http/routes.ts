/**
 * @module http/routes — the pure route table: a path becomes a route name and its parameters.
 */

/** Route names the handler dispatches on. */
export type RouteName =
  | "engines.list"
  | "engines.show"
  | "pypi.index"
  | "pypi.project"
  | "tauri.upgrade"
  | "raw.artifact"
  | "artifacts.download"
  | "releases.upgrade"
  | "blobs.download"
  | "blobs.upload"
  | "pypi.legacy"
  | "packages.collection"
  | "packages.one"
  | "releases.collection"
  | "releases.one"
  | "releases.publish"
  | "releases.yank"
  | "releases.constraints"
  | "releases.package"
  | "artifacts.collection"
  | "artifacts.confirm"
  | "artifacts.parts"
  | "npm.package"
  | "npm.tarball"
  | "npm.distTags";

/** Each route as a path template, for access logs: parameters (keys, filenames, ids) never appear, only their names. */
export const ROUTE_TEMPLATES: Record<RouteName, string> = {
  "engines.list": "/v1/accounts/{account}/engines",
  "engines.show": "/v1/accounts/{account}/engines/{id}",
  "pypi.index": "/v1/accounts/{account}/engines/pypi/simple/",
  "pypi.project": "/v1/accounts/{account}/engines/pypi/simple/{project}/",
  "tauri.upgrade": "/v1/accounts/{account}/engines/tauri/{package}",
  "raw.artifact": "/v1/accounts/{account}/engines/raw/{product}/{release}/{artifact}",
  "artifacts.download": "/v1/accounts/{account}/artifacts/{id}",
  "releases.upgrade": "/v1/accounts/{account}/releases/{release}/upgrade",
  "blobs.download": "/v1/blobs/{path}",
  "blobs.upload": "/v1/blobs/uploads/{account}/{artifact}",
  "pypi.legacy": "/v1/accounts/{account}/engines/pypi/legacy/",
  "packages.collection": "/v1/accounts/{account}/packages",
  "packages.one": "/v1/accounts/{account}/packages/{id}",
  "releases.collection": "/v1/accounts/{account}/releases",
  "releases.one": "/v1/accounts/{account}/releases/{id}",
  "releases.publish": "/v1/accounts/{account}/releases/{id}/actions/publish",
  "releases.yank": "/v1/accounts/{account}/releases/{id}/actions/yank",
  "releases.constraints": "/v1/accounts/{account}/releases/{id}/constraints",
  "releases.package": "/v1/accounts/{account}/releases/{id}/package",
  "artifacts.collection": "/v1/accounts/{account}/artifacts",
  "artifacts.confirm": "/v1/accounts/{account}/artifacts/{id}/actions/confirm",
  "artifacts.parts": "/v1/accounts/{account}/artifacts/{id}/upload/parts",
  "npm.package": "/v1/accounts/{account}/engines/npm/{package}",
  "npm.tarball": "/v1/accounts/{account}/engines/npm/{package}/-/{filename}",
  "npm.distTags": "/v1/accounts/{account}/engines/npm/-/package/{package}/dist-tags/{tag}",
};

/** A matched route. */
export interface RouteMatch {
  name: RouteName;
  /** The `{account}` segment (absent for account-less routes). */
  account?: string;
  params: Record<string, string>;
  /** True when the request path ended with `/`. */
  trailingSlash: boolean;
}

/** Engines whose answers are not JSON:API documents on error (PyPI answers plain text). */
export function isPypiRoute(name: RouteName): boolean {
  return name === "pypi.index" || name === "pypi.project";
}

/** The npm registry's routes, whose errors also carry npm's `error` text. */
export function isNpmRoute(name: RouteName): boolean {
  return name === "npm.package" || name === "npm.tarball" || name === "npm.distTags";
}

/**
 * Match decoded path segments (empty segments removed) against the route table; null when none.
 */
export function matchRoute(segments: readonly string[], trailingSlash: boolean): RouteMatch | null {
  // Indexed reads, not destructuring with rest elements: this runs on every request.
  const n = segments.length;
  if (segments[0] !== "v1") return null;
  const accounts = segments[1];
  // `PUT /v1/blobs/uploads/{account}/{artifact}`: an upload URL (`uploads` is never an account id, so never a download).
  if (accounts === "blobs" && segments[2] === "uploads") {
    return n === 5 ? { name: "blobs.upload", params: { path: segments.slice(2).join("/") }, trailingSlash } : null;
  }
  if (accounts === "blobs" && n >= 4) {
    return { name: "blobs.download", params: { path: segments.slice(2).join("/") }, trailingSlash };
  }
  const account = segments[2];
  const section = segments[3];
  if (accounts !== "accounts" || account === undefined || section === undefined) return null;
  const m = (name: RouteName, params: Record<string, string> = {}): RouteMatch => ({ name, account, params, trailingSlash });
  if (section === "engines") {
    // engines/{a}/{b}/{c}/{more...}
    const a = segments[4];
    const b = segments[5];
    const c = segments[6];
    if (a === undefined) return m("engines.list");
    if (b === undefined) return m("engines.show", { id: a });
    if (a === "pypi" && b === "legacy" && c === undefined) return m("pypi.legacy");
    if (a === "pypi" && b === "simple") {
      if (c === undefined) return m("pypi.index");
      if (n === 7) return m("pypi.project", { project: c });
      return null;
    }
    if (a === "npm") return matchNpm(segments.slice(5), m);
    if (a === "tauri" && c === undefined) return m("tauri.upgrade", { package: b });
    if (a === "raw" && c !== undefined) {
      // raw/{product}[/@{package}]/{release}/{artifact...}
      let at = 6;
      let pkg: string | undefined;
      if (c.startsWith("@")) {
        pkg = c.slice(1);
        at = 7;
      }
      const release = segments[at];
      if (release === undefined || n <= at + 1) return null;
      const params: Record<string, string> = { product: b, release, artifact: n === at + 2 ? (segments[at + 1] as string) : segments.slice(at + 1).join("/") };
      if (pkg !== undefined) params.package = pkg;
      return m("raw.artifact", params);
    }
    return null;
  }
  if (section === "artifacts") {
    const id = segments[4];
    if (id === undefined) return m("artifacts.collection");
    if (n === 7 && segments[5] === "actions" && segments[6] === "confirm") return m("artifacts.confirm", { id });
    if (n === 7 && segments[5] === "upload" && segments[6] === "parts") return m("artifacts.parts", { id });
    return m("artifacts.download", n > 5 ? { id, filename: segments.slice(5).join("/") } : { id });
  }
  if (section === "releases") {
    const release = segments[4];
    if (release === undefined) return m("releases.collection");
    if (n === 5) return m("releases.one", { release });
    const rel = segments[5];
    if (n === 6 && rel === "upgrade") return m("releases.upgrade", { release });
    if (n === 6 && rel === "constraints") return m("releases.constraints", { release });
    if (n === 6 && rel === "package") return m("releases.package", { release });
    if (n === 7 && rel === "actions" && segments[6] === "publish") return m("releases.publish", { release });
    if (n === 7 && rel === "actions" && segments[6] === "yank") return m("releases.yank", { release });
    return null;
  }
  if (section === "packages") {
    if (n === 4) return m("packages.collection");
    if (n === 5) return m("packages.one", { id: segments[4] as string });
    return null;
  }
  return null;
}

/**
 * The npm registry's paths below `engines/npm/` (segments already decoded, so `@acme%2fsdk` is one
 * segment `@acme/sdk` and `@acme/sdk` two): `{name}`, `{name}/-/{file}.tgz`, `-/package/{name}/dist-tags[/{tag}]`.
 */
function matchNpm(rest: readonly string[], m: (name: RouteName, params?: Record<string, string>) => RouteMatch): RouteMatch | null {
  if (rest[0] === "-") {
    if (rest[1] !== "package") return null;
    const scoped = rest[2]?.startsWith("@") === true && !rest[2].includes("/");
    const at = scoped ? 4 : 3;
    const name = scoped ? `${rest[2]}/${rest[3] ?? ""}` : rest[2];
    if (name === undefined || rest[at] !== "dist-tags" || rest.length > at + 2) return null;
    const tag = rest[at + 1];
    return m("npm.distTags", tag === undefined ? { package: name } : { package: name, tag });
  }
  const first = rest[0];
  if (first === undefined) return null;
  const scoped = first.startsWith("@") && !first.includes("/");
  const name = scoped ? (rest[1] === undefined ? null : `${first}/${rest[1]}`) : first;
  if (name === null) return null;
  const after = scoped ? 2 : 1;
  if (rest.length === after) return m("npm.package", { package: name });
  if (rest.length === after + 2 && rest[after] === "-") return m("npm.tarball", { package: name, filename: rest[after + 1] as string });
  return null;
}

/** Top-level sections that are never an account-less route's first segment (`/v1/blobs/...` is the blob storage's own). */
const NOT_ACCOUNTLESS = new Set(["accounts", "blobs", "uploads"]);

/**
 * Match the single-account form `/v1/<path>` (Keygen's custom-domain form, which keygen-cli calls with
 * `--host`) as `/v1/accounts/{account}/<path>`; null when the path is not of that form or matches nothing.
 */
export function matchAccountless(segments: readonly string[], trailingSlash: boolean, account: string): RouteMatch | null {
  if (segments[0] !== "v1" || segments.length < 2 || NOT_ACCOUNTLESS.has(segments[1] as string)) return null;
  return matchRoute(["v1", "accounts", account, ...segments.slice(1)], trailingSlash);
}

/** Engines Keygen's seed also offers on a host of their own (`pypi.pkg.keygen.sh`, `tauri.…`, `raw.…`). */
export type ShortEngine = "pypi" | "tauri" | "raw";

/** The routes each short host serves in its short form. */
const SHORT_ROUTES: Record<ShortEngine, readonly RouteName[]> = { pypi: ["pypi.index", "pypi.project"], tauri: ["tauri.upgrade"], raw: ["raw.artifact"] };

/**
 * Match the short form of an engine's own host (Keygen's seed): `/<account>/simple/[<project>/]`,
 * `/<account>/<package>` or `/<account>/<product>[/@<package>]/<release>/<artifact>`, without
 * `<account>` when a single-account host names it; null when the path is not of that form.
 */
export function matchShortForm(engine: ShortEngine, segments: readonly string[], trailingSlash: boolean, account?: string): RouteMatch | null {
  const rest = account === undefined ? segments.slice(1) : segments;
  const segment = account ?? segments[0];
  if (segment === undefined || (engine === "pypi" && rest[0] !== "simple")) return null;
  const m = matchRoute(["v1", "accounts", segment, "engines", engine, ...rest], trailingSlash);
  return m !== null && SHORT_ROUTES[engine].includes(m.name) ? m : null;
}
