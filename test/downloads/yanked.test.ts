/**
 * SPEC 19 (PEP 592) over HTTP, on the store `RE_TEST_STORE` names: a YANKED release's files stay on
 * the PyPI page, marked, and download for every caller who could see the release were it PUBLISHED;
 * Tauri, raw `latest` and the upgrade route never choose one; ETags follow the yank.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createSignedBlobStorage } from "../../src/blobs/signed.js";
import { utf8 } from "../../src/core/encoding.js";
import { loadDataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { importDataset, type SqlStore } from "../../src/sqlite.js";
import type { Store } from "../../src/store/types.js";
import { YANK_IDS as Y, YANK_KEYS, yankedDatasetFile } from "../../src/testing/fixture.js";
import { makeStore, testStoreKind } from "../helpers/store.js";

type Handler = (r: Request) => Promise<Response>;
const PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
const ORIGIN = "http://localhost/v1/accounts/yank";
const basic = (key: string) => `Basic ${btoa(`license:${key}`)}`;

/** The yanked dataset with a blob behind every file, optionally changed first. */
async function dataset(change: (file: DatasetFile) => void = () => {}) {
  const file = yankedDatasetFile();
  for (const a of file.accounts[0]?.artifacts ?? []) Object.assign(a, { file: a.filename, filesize: undefined, checksum: undefined });
  change(file);
  return loadDataset(file, { readFile: async (name) => utf8(`bytes of ${name}`) });
}

function handlerOver(store: Store): Handler {
  const blobs = createSignedBlobStorage({
    open: async (key) => {
      const bytes = utf8(`bytes of ${key}`);
      return { body: new Blob([bytes as BlobPart]).stream(), size: bytes.length };
    },
  });
  return createFetchHandler({ store, blobs });
}

const get = (h: Handler, url: string, headers: Record<string, string> = {}) => h(new Request(url.startsWith("http") ? url : `${ORIGIN}${url}`, { headers }));

/** A project page's files as `{filename: yanked}` (null when not yanked), or its status when not 200. */
async function page(h: Handler, project: string, authorization?: string): Promise<Record<string, unknown> | number> {
  const res = await get(h, `/engines/pypi/simple/${project}/`, { ...(authorization ? { authorization } : {}), accept: PIP_ACCEPT });
  if (res.status !== 200) return res.status;
  const json = (await res.json()) as { files: Array<{ filename: string; yanked?: unknown }> };
  return Object.fromEntries(json.files.map((f) => [f.filename, f.yanked ?? null]));
}

let h: Handler;
beforeAll(async () => {
  h = handlerOver(await makeStore(await dataset()));
});

describe("PyPI pages (SPEC 19)", () => {
  it("list a YANKED release's files, marked with its reason, to every license that would see it published", async () => {
    expect(await page(h, "lic-py", basic(YANK_KEYS.plain))).toEqual({
      "lic_py-1.3.0-py3-none-any.whl": true,
      "lic_py-1.1.0-py3-none-any.whl": "broken",
      "lic_py-1.0.0-py3-none-any.whl": null,
    });
    expect(await page(h, "lic-py", basic(YANK_KEYS.pro))).toEqual({
      "lic_py-1.3.0-py3-none-any.whl": true,
      "lic_py-1.2.0-py3-none-any.whl": true,
      "lic_py-1.1.0-py3-none-any.whl": "broken",
      "lic_py-1.0.0-py3-none-any.whl": null,
    });
    // The window ends before 1.3.0 was created.
    expect(await page(h, "lic-py", basic(YANK_KEYS.windowed))).toEqual({
      "lic_py-1.1.0-py3-none-any.whl": "broken",
      "lic_py-1.0.0-py3-none-any.whl": null,
    });
    expect(await page(h, "lic-py")).toBe(401);
    expect(await page(h, "open-py")).toEqual({ "open_py-2.0.0-py3-none-any.whl": true, "open_py-1.0.0-py3-none-any.whl": null });
  });

  it("give each visible set its own ETag, and none to a refusal", async () => {
    const etag = async (headers: Record<string, string>) => (await get(h, "/engines/pypi/simple/lic-py/", headers)).headers.get("etag");
    const tags = await Promise.all([YANK_KEYS.plain, YANK_KEYS.pro, YANK_KEYS.windowed].map((k) => etag({ authorization: basic(k) })));
    expect(new Set(tags).size).toBe(3);
    expect(await etag({})).toBeNull();
  });

  it("change the ETag and the page when a release is yanked", async () => {
    const store = await makeStore(await dataset((f) => {
      const r = f.accounts[0]?.releases?.find((x) => x.id === Y.rel110);
      if (r) Object.assign(r, { status: "PUBLISHED", metadata: {} });
    }));
    const before = handlerOver(store);
    const url = "/engines/pypi/simple/lic-py/";
    const auth = { authorization: basic(YANK_KEYS.plain), accept: PIP_ACCEPT };
    const first = await get(before, url, auth);
    const etag = first.headers.get("etag") as string;
    expect(((await first.json()) as { files: Array<{ filename: string; yanked?: unknown }> }).files.find((f) => f.filename.includes("1.1.0"))?.yanked).toBeUndefined();
    // The yank: a re-import into the same SQL store (its revision moves), or a new memory store.
    let after = before;
    if (testStoreKind() === "memory") after = handlerOver(await makeStore(await dataset()));
    else await importDataset(store as SqlStore, await dataset());
    const second = await get(after, url, { ...auth, "if-none-match": etag });
    expect(second.status).toBe(200);
    expect(second.headers.get("etag")).not.toBe(etag);
    expect(((await second.json()) as { files: Array<{ filename: string; yanked?: unknown }> }).files.find((f) => f.filename.includes("1.1.0"))?.yanked).toBe("broken");
  });
});

describe("downloads (SPEC 19)", () => {
  it("redirect a listed YANKED file to its bytes for the callers the page lists it to", async () => {
    for (const [project, authorization, filename] of [
      ["lic-py", basic(YANK_KEYS.plain), "lic_py-1.1.0-py3-none-any.whl"],
      ["lic-py", basic(YANK_KEYS.pro), "lic_py-1.2.0-py3-none-any.whl"],
      ["open-py", undefined, "open_py-2.0.0-py3-none-any.whl"],
    ] as const) {
      const headers: Record<string, string> = authorization === undefined ? { accept: PIP_ACCEPT } : { authorization, accept: PIP_ACCEPT };
      const json = (await (await get(h, `/engines/pypi/simple/${project}/`, headers)).json()) as { files: Array<{ filename: string; url: string }> };
      const file = json.files.find((f) => f.filename === filename);
      expect(file, filename).toBeDefined();
      const res = await get(h, file?.url as string, authorization === undefined ? {} : { authorization });
      expect(res.status, filename).toBe(303);
      const blob = await get(h, res.headers.get("location") as string);
      expect(await blob.text()).toBe(`bytes of ${filename}`);
    }
  });

  it("404 a YANKED file to callers who would not see it published; never serve one not uploaded", async () => {
    expect((await get(h, `/artifacts/${Y.art120}`, { authorization: basic(YANK_KEYS.plain) })).status).toBe(404);
    expect((await get(h, `/artifacts/${Y.art130}`, { authorization: basic(YANK_KEYS.windowed) })).status).toBe(404);
    expect((await get(h, `/artifacts/${Y.art110}`)).status).toBe(404);
    expect((await get(h, `/artifacts/${Y.artClosed}`)).status).toBe(404);
    expect((await get(h, `/artifacts/${Y.art110Waiting}`, { authorization: basic(YANK_KEYS.plain) })).status).toBe(404);
  });

  it("by filename, a licensee gets the release that is not yanked first, a YANKED one only when no other has the name", async () => {
    const auth = { authorization: basic(YANK_KEYS.plain), prefer: "no-redirect" };
    const id = async (name: string) => ((await (await get(h, `/artifacts/${name}`, auth)).json()) as { data: { id: string } }).data.id;
    expect(await id("tool")).toBe(Y.artTool100);
    expect(await id("lic_py-1.1.0-py3-none-any.whl")).toBe(Y.art110);
  });
});

describe("choosers never pick a YANKED release (SPEC 19)", () => {
  /** The same requests against the dataset with every YANKED release PUBLISHED: they then find it. */
  let published: Handler;
  beforeAll(async () => {
    published = handlerOver(await makeStore(await dataset((f) => {
      for (const r of f.accounts[0]?.releases ?? []) if (r.status === "YANKED") r.status = "PUBLISHED";
    })));
  });

  it("Tauri answers 204 up-to-date from the last PUBLISHED release", async () => {
    const res = await get(h, "/engines/tauri/open-app?platform=linux&arch=x86_64&version=1.0.0");
    expect(res.status).toBe(204);
    expect(res.headers.get("release-engines-reason")).toBe("up-to-date");
    const control = await get(published, "/engines/tauri/open-app?platform=linux&arch=x86_64&version=1.0.0");
    expect(((await control.json()) as { version: string }).version).toBe("1.1.0");
  });

  it("raw latest is the newest PUBLISHED release with the file", async () => {
    const res = await get(h, "/engines/raw/lic/latest/tool", { authorization: basic(YANK_KEYS.plain) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(`/artifacts/${Y.artTool100}/tool`);
    const control = await get(published, "/engines/raw/lic/latest/tool", { authorization: basic(YANK_KEYS.plain) });
    expect(control.headers.get("location")).toContain(`/artifacts/${Y.artTool200}/tool`);
  });

  it("the releases upgrade route finds no upgrade above the PUBLISHED releases", async () => {
    const res = await get(h, `/releases/${Y.rel100}/upgrade`, { authorization: basic(YANK_KEYS.pro) });
    expect(res.status).toBe(404);
    const tool = await get(h, `/releases/${Y.relTool100}/upgrade`, { authorization: basic(YANK_KEYS.pro) });
    expect(tool.status).toBe(404);
    const next = async (release: string) => ((await (await get(published, `/releases/${release}/upgrade`, { authorization: basic(YANK_KEYS.pro) })).json()) as { meta: { next: string } }).meta.next;
    expect(await next(Y.rel100)).toBe("1.3.0");
    expect(await next(Y.relTool100)).toBe("2.0.0");
  });
});
