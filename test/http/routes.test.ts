/**
 * matchRoute (rewritten with indexed reads for speed) answers exactly as the destructuring version
 * it replaced, kept here as the reference, for any list of segments drawn from the route words.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchAccountless, matchRoute, type RouteMatch, type RouteName } from "../../src/http/routes.js";

function reference(segments: readonly string[], trailingSlash: boolean): RouteMatch | null {
  const [v1, accounts, account, section, ...rest] = segments;
  if (v1 !== "v1") return null;
  if (accounts === "blobs" && account === "uploads") return segments.length === 5 ? { name: "blobs.upload", params: { path: segments.slice(2).join("/") }, trailingSlash } : null;
  if (accounts === "blobs" && segments.length >= 4) return { name: "blobs.download", params: { path: segments.slice(2).join("/") }, trailingSlash };
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
    if (id === undefined) return m("artifacts.collection");
    return m("artifacts.download", filename.length > 0 ? { id, filename: filename.join("/") } : { id });
  }
  if (section === "releases") {
    const [release, sub, action, ...more] = rest;
    if (release === undefined) return m("releases.collection");
    if (sub === undefined) return m("releases.one", { release });
    if (action === undefined) {
      const names: Record<string, RouteName> = { upgrade: "releases.upgrade", constraints: "releases.constraints", package: "releases.package" };
      const name = names[sub];
      return name === undefined ? null : m(name, { release });
    }
    if (sub === "actions" && more.length === 0 && (action === "publish" || action === "yank")) return m(action === "publish" ? "releases.publish" : "releases.yank", { release });
    return null;
  }
  if (section === "packages") {
    const [id, ...more] = rest;
    if (id === undefined) return m("packages.collection");
    return more.length === 0 ? m("packages.one", { id }) : null;
  }
  return null;
}

const WORDS = ["v1", "accounts", "blobs", "uploads", "acme", "engines", "pypi", "simple", "tauri", "raw", "artifacts", "releases", "upgrade", "@pkg", "@", "latest", "x", "a/b", "", "packages", "actions", "publish", "yank", "constraints", "package"];

describe("matchRoute", () => {
  it("matches as the reference does", () => {
    const segments = fc.array(fc.constantFrom(...WORDS), { maxLength: 10 });
    const routed = fc.tuple(fc.constantFrom(["v1", "accounts", "acme", "engines"], ["v1", "accounts", "acme"], ["v1", "blobs"], ["v1", "blobs", "uploads"], ["v1", "accounts", "acme", "engines", "raw", "cli"], ["v1", "accounts", "acme", "releases"]), segments)
      .map(([head, tail]) => [...head, ...tail]);
    fc.assert(fc.property(fc.oneof(segments, routed), fc.boolean(), (s, slash) => {
      expect(matchRoute(s, slash)).toEqual(reference(s, slash));
    }), { numRuns: 5000 });
  });

  it("reads the routes the engines serve", () => {
    expect(matchRoute(["v1", "accounts", "acme", "engines", "raw", "cli", "@tools", "1.0.0", "bin", "tool"], false)).toEqual({
      name: "raw.artifact", account: "acme", params: { product: "cli", package: "tools", release: "1.0.0", artifact: "bin/tool" }, trailingSlash: false,
    });
    expect(matchRoute(["v1", "accounts", "acme", "engines", "tauri", "app"], false)?.name).toBe("tauri.upgrade");
    expect(matchRoute(["v1", "blobs", "uploads", "acc", "art"], false)).toEqual({ name: "blobs.upload", params: { path: "uploads/acc/art" }, trailingSlash: false });
    expect(matchRoute(["v1", "blobs", "uploads", "acc", "art", "x"], false)).toBeNull();
    expect(matchRoute(["v1", "blobs", "acc", "art", "f.whl"], false)?.name).toBe("blobs.download");
    expect(matchRoute(["v1", "accounts", "acme", "engines", "pypi", "simple", "demo"], true)).toEqual({ name: "pypi.project", account: "acme", params: { project: "demo" }, trailingSlash: true });
  });

  it("reads the publishing routes (SPEC §8)", () => {
    const r = (...s: string[]) => matchRoute(["v1", "accounts", "acme", ...s], false);
    expect(r("packages")?.name).toBe("packages.collection");
    expect(r("packages", "demo")).toEqual({ name: "packages.one", account: "acme", params: { id: "demo" }, trailingSlash: false });
    expect(r("releases")?.name).toBe("releases.collection");
    expect(r("releases", "1.0.0")?.params).toEqual({ release: "1.0.0" });
    expect(r("releases", "r", "actions", "publish")?.name).toBe("releases.publish");
    expect(r("releases", "r", "actions", "yank")?.name).toBe("releases.yank");
    expect(r("releases", "r", "actions", "nope")).toBeNull();
    expect(r("releases", "r", "constraints")?.name).toBe("releases.constraints");
    expect(r("releases", "r", "package")?.name).toBe("releases.package");
    expect(r("artifacts")?.name).toBe("artifacts.collection");
  });

  it("reads the account-less form only for a default account, never the blob routes", () => {
    expect(matchAccountless(["v1", "releases", "x", "actions", "publish"], false, "acme")).toEqual({ name: "releases.publish", account: "acme", params: { release: "x" }, trailingSlash: false });
    expect(matchAccountless(["v1", "engines", "pypi", "simple"], true, "acme")?.name).toBe("pypi.index");
    expect(matchAccountless(["v1", "blobs", "a", "b"], false, "acme")).toBeNull();
    expect(matchAccountless(["v1", "accounts", "other", "releases"], false, "acme")).toBeNull();
    expect(matchAccountless(["v2", "releases"], false, "acme")).toBeNull();
  });
});
