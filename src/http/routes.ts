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
  | "blobs.upload";

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
    if (a === "pypi" && b === "simple") {
      if (c === undefined) return m("pypi.index");
      if (n === 7) return m("pypi.project", { project: c });
      return null;
    }
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
    if (id === undefined) return null;
    return m("artifacts.download", n > 5 ? { id, filename: segments.slice(5).join("/") } : { id });
  }
  if (section === "releases" && n === 6 && segments[5] === "upgrade") {
    return m("releases.upgrade", { release: segments[4] as string });
  }
  return null;
}
