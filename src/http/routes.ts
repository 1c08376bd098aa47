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
  | "blobs.download";

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
  const [v1, accounts, account, section, ...rest] = segments;
  if (v1 !== "v1") return null;
  if (accounts === "blobs" && segments.length >= 4) {
    return { name: "blobs.download", params: { path: segments.slice(2).join("/") }, trailingSlash };
  }
  if (accounts !== "accounts" || account === undefined || section === undefined) return null;
  const m = (name: RouteName, params: Record<string, string> = {}): RouteMatch => ({ name, account, params, trailingSlash });
  if (section === "engines") {
    const [a, b, c, ...more] = rest;
    if (a === undefined) return m("engines.list");
    if (b === undefined) return m("engines.show", { id: a });
    if (a === "pypi" && b === "simple") {
      if (c === undefined) return m("pypi.index");
      if (more.length === 0) return m("pypi.project", { project: c });
      return null;
    }
    if (a === "tauri" && c === undefined) return m("tauri.upgrade", { package: b });
    if (a === "raw" && c !== undefined) {
      // raw/{product}[/@{package}]/{release}/{artifact...}
      const [product, ...tail] = [b, c, ...more];
      let pkg: string | undefined;
      if (tail[0]?.startsWith("@")) pkg = (tail.shift() as string).slice(1);
      const [release, ...artifact] = tail;
      if (product === undefined || release === undefined || artifact.length === 0) return null;
      const params: Record<string, string> = { product, release, artifact: artifact.join("/") };
      if (pkg !== undefined) params.package = pkg;
      return m("raw.artifact", params);
    }
    return null;
  }
  if (section === "artifacts") {
    const [id, ...filename] = rest;
    if (id === undefined) return null;
    return m("artifacts.download", filename.length > 0 ? { id, filename: filename.join("/") } : { id });
  }
  if (section === "releases" && rest.length === 2 && rest[1] === "upgrade") {
    return m("releases.upgrade", { release: rest[0] as string });
  }
  return null;
}
