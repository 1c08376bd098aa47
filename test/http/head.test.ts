/**
 * HEAD on every route that answers GET: the same status and headers as the GET, `Content-Length`
 * included (the byte length of the GET's body, whatever its coding), and no body.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { ROUTE_TEMPLATES, type RouteName } from "../../src/http/routes.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { loadDataset } from "../../src/dataset/load.js";
import { conformanceDatasetFile } from "../../src/testing/fixture.js";
import { AUTH, IDS, memoryBlobs, NOW } from "../harden/world.js";

const A = "/v1/accounts/acme";

/** Requests covering every route that answers GET, with the statuses they are meant to give. */
const CASES: Array<{ route: RouteName | "blobs.download" | null; path: string; headers?: Record<string, string>; status: number }> = [
  { route: "engines.list", path: `${A}/engines`, status: 200 },
  { route: "engines.show", path: `${A}/engines/pypi`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "pypi.index", path: `${A}/engines/pypi/simple/`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "pypi.project", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "pypi.project", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { authorization: AUTH.admin, "accept-encoding": "gzip" }, status: 200 },
  { route: "pypi.project", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { authorization: AUTH.admin, accept: "application/vnd.pypi.simple.v1+json" }, status: 200 },
  { route: "pypi.project", path: `${A}/engines/pypi/simple/Acme_Tools`, status: 301 },
  { route: "pypi.project", path: `${A}/engines/pypi/simple/acme-tools/`, status: 401 },
  { route: "tauri.upgrade", path: `${A}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0`, status: 200 },
  { route: "tauri.upgrade", path: `${A}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.2.0`, status: 204 },
  { route: "raw.artifact", path: `${A}/engines/raw/cli/latest/tool_linux_amd64`, headers: { authorization: AUTH.licenseKey }, status: 303 },
  { route: "artifacts.download", path: `${A}/artifacts/${IDS.artOpen}`, status: 303 },
  { route: "artifacts.download", path: `${A}/artifacts/${IDS.artOpen}`, headers: { authorization: AUTH.admin, accept: "application/vnd.api+json" }, status: 303 },
  { route: "releases.upgrade", path: `${A}/releases/${IDS.relTauri100}/upgrade`, status: 200 },
  { route: "packages.collection", path: `${A}/packages`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "packages.one", path: `${A}/packages/${IDS.pkgPypi}`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "releases.collection", path: `${A}/releases`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "releases.one", path: `${A}/releases/${IDS.relPypi110}`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "artifacts.collection", path: `${A}/artifacts`, headers: { authorization: AUTH.admin }, status: 200 },
  { route: "blobs.download", path: "", status: 200 },
  { route: "engines.list", path: `${A}/engines`, headers: { authorization: "Bearer nope" }, status: 401 },
  { route: null, path: "/v1/accounts/ghost/engines", status: 404 },
  { route: null, path: "/nowhere", status: 404 },
];

async function handler() {
  const dataset = await loadDataset(conformanceDatasetFile());
  const store = createWritableMemoryStore({ ...dataset, artifacts: dataset.artifacts.map((a) => (a.status === "UPLOADED" ? { ...a, blob: `${a.id}.bin` } : a)) });
  return createFetchHandler({ store, blobs: memoryBlobs(new Set(Object.values(IDS).map((id) => `${id}.bin`))), now: () => NOW });
}

describe("HEAD answers", () => {
  it("cover every route that answers GET", () => {
    const reads: string[] = ["engines.list", "engines.show", "pypi.index", "pypi.project", "tauri.upgrade", "raw.artifact", "artifacts.download", "releases.upgrade", "blobs.download", "packages.collection", "packages.one", "releases.collection", "releases.one", "artifacts.collection"];
    expect(new Set(CASES.map((c) => c.route).filter((r) => r !== null))).toEqual(new Set(reads));
    for (const r of reads) expect(Object.keys(ROUTE_TEMPLATES)).toContain(r);
  });

  it("carry the GET's status, headers and Content-Length, without a body, on every route", async () => {
    const handle = await handler();
    let blobPath = "";
    for (const c of CASES) {
      const path = c.route === "blobs.download" ? blobPath : c.path;
      const get = await handle(new Request(`http://localhost${path}`, { headers: c.headers ?? {} }));
      const bytes = new Uint8Array(await get.arrayBuffer());
      if (c.route === "artifacts.download" && blobPath === "") blobPath = new URL(get.headers.get("location") as string).pathname + new URL(get.headers.get("location") as string).search;
      expect(get.status, path).toBe(c.status);
      const head = await handle(new Request(`http://localhost${path}`, { method: "HEAD", headers: c.headers ?? {} }));
      expect(head.status, path).toBe(c.status);
      expect(head.body, path).toBeNull();
      const sansId = (h: Headers) => Object.fromEntries([...h].filter(([k]) => k !== "x-request-id"));
      expect(sansId(head.headers), path).toEqual(sansId(get.headers));
      if (c.status !== 204) expect(head.headers.get("content-length"), path).toBe(String(bytes.byteLength));
    }
  });
});
