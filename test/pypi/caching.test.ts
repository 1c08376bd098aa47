/**
 * PyPI caching: behaviour 28 and SPEC §6a — weak ETags from revision and visible set, 304s,
 * Cache-Control and Vary, and an LRU that spares repeat requests the render and the compression.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPageCache } from "../../src/engines/pypi/cache.js";
import type { Store } from "../../src/store/types.js";
import { AUTH, makeHandler, makeStore, PIP_ACCEPT, simple } from "./fixture.js";

type Handler = (r: Request) => Promise<Response>;

/** A store that counts the calls that render a page. */
function counting(store: Store) {
  const calls = { listPackageArtifacts: 0, listPackages: 0 };
  const wrapped: Store = {
    ...store,
    listPackageArtifacts: (...args) => {
      calls.listPackageArtifacts++;
      return store.listPackageArtifacts(...args);
    },
    listPackages: (...args) => {
      calls.listPackages++;
      return store.listPackages(...args);
    },
  };
  return { store: wrapped, calls };
}

describe("conditional requests (28)", () => {
  let h: Handler;
  beforeAll(async () => {
    h = await makeHandler();
  });

  it("sends a weak ETag, Last-Modified, Cache-Control max-age=600 private and Vary", async () => {
    const res = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin });
    expect(res.headers.get("etag")).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(res.headers.get("last-modified")).toBe("Mon, 12 Jan 2026 00:00:00 GMT");
    expect(res.headers.get("cache-control")).toBe("max-age=600, private");
    expect(res.headers.get("vary")).toBe("Accept, Authorization, Accept-Encoding");
  });

  it("answers 304 to a matching If-None-Match (weak or strong form, in a list) and 200 otherwise", async () => {
    const first = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin });
    const etag = first.headers.get("etag") as string;
    for (const inm of [etag, etag.slice(2), `"nope", ${etag}`, "*"]) {
      const res = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "if-none-match": inm });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("vary")).toBe("Accept, Authorization, Accept-Encoding");
      expect(await res.text()).toBe("");
    }
    expect((await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "if-none-match": 'W/"other"' })).status).toBe(200);
  });

  it("sends Last-Modified but answers If-Modified-Since alone with the page: only the ETag validates (a removal does not move Last-Modified)", async () => {
    const at = "Mon, 12 Jan 2026 00:00:00 GMT";
    const page = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "if-modified-since": at });
    expect(page.status).toBe(200);
    expect(page.headers.get("last-modified")).not.toBeNull();
    expect((await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "if-modified-since": "Sun, 11 Jan 2026 00:00:00 GMT" })).status).toBe(200);
  });

  it("gives each visible set and each format its own ETag", async () => {
    const etag = async (headers: Record<string, string>) => (await simple(h, "acme", "acme-tools/", headers)).headers.get("etag");
    const admin = await etag({ authorization: AUTH.admin });
    const pro = await etag({ authorization: AUTH.basicLicense("PRO-KEY") });
    const basic = await etag({ authorization: AUTH.licenseToken });
    const adminJson = await etag({ authorization: AUTH.admin, accept: PIP_ACCEPT });
    expect(new Set([admin, pro, basic, adminJson]).size).toBe(4);
    // Same visible set, different credential form: same page, same ETag.
    expect(await etag({ authorization: `License PRO-KEY` })).toBe(pro);
    // A license's ETag never validates another caller's page.
    expect((await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "if-none-match": pro as string })).status).toBe(200);
  });

  it("changes the ETag when the package revision changes", async () => {
    const base = await makeStore();
    let rev = "r1";
    const store: Store = { ...base, getPackageRevision: async () => rev };
    const handler = await makeHandler({}, store);
    const a = (await simple(handler, "acme", "acme-sdk/")).headers.get("etag");
    rev = "r2";
    const b = (await simple(handler, "acme", "acme-sdk/")).headers.get("etag");
    expect(a).not.toBe(b);
    expect((await simple(handler, "acme", "acme-sdk/", { "if-none-match": a as string })).status).toBe(200);
  });
});

describe("page cache", () => {
  it("renders a page once for repeat requests, including 304s and HEAD", async () => {
    const { store, calls } = counting(await makeStore());
    const cache = createPageCache();
    const h = await makeHandler({ pypi: { cache } }, store);
    const first = await (await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin })).text();
    expect(calls.listPackageArtifacts).toBe(1);
    for (let i = 0; i < 5; i++) expect(await (await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin })).text()).toBe(first);
    await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin }, "HEAD");
    expect(calls.listPackageArtifacts).toBe(1);
    // Another visible set is another page.
    await simple(h, "acme", "acme-tools/", { authorization: AUTH.basicLicense("PRO-KEY") });
    expect(calls.listPackageArtifacts).toBe(2);
    expect(cache.stats()).toMatchObject({ misses: 2, hits: 6, entries: 2 });
  });

  it("renders once for concurrent misses", async () => {
    const { store, calls } = counting(await makeStore());
    const h = await makeHandler({}, store);
    await Promise.all(Array.from({ length: 8 }, () => simple(h, "acme", "")));
    expect(calls.listPackages).toBe(1);
  });

  it("gzips pages for clients that accept it, compressing once, and keeps identity for others", async () => {
    const cache = createPageCache();
    const h = await makeHandler({ pypi: { cache } });
    const plain = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(1024);
    for (let i = 0; i < 3; i++) {
      const gz = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "accept-encoding": "gzip, deflate" });
      expect(gz.headers.get("content-encoding")).toBe("gzip");
      const bytes = new Uint8Array(await gz.arrayBuffer());
      expect(Number(gz.headers.get("content-length"))).toBe(bytes.length);
      expect(bytes.length).toBeLessThan(text.length);
      const unzipped = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
      expect(unzipped).toBe(text);
    }
    // identity + gzip variant of one page: two misses, the rest hits.
    expect(cache.stats()).toMatchObject({ misses: 2, hits: 5, entries: 2 });
    const refused = await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, "accept-encoding": "gzip;q=0" });
    expect(refused.headers.get("content-encoding")).toBeNull();
  });

  it("stays within its bounds, evicting the least recently used page", async () => {
    const cache = createPageCache({ maxEntries: 2 });
    const page = (s: string) => async () => ({ body: new TextEncoder().encode(s), lastModified: null });
    await cache.getOrCreate("a", page("a"));
    await cache.getOrCreate("b", page("b"));
    await cache.getOrCreate("a", page("a"));
    await cache.getOrCreate("c", page("c"));
    expect(cache.stats().entries).toBe(2);
    let made = 0;
    await cache.getOrCreate("a", async () => (made++, { body: new Uint8Array(1), lastModified: null }));
    expect(made).toBe(0);
    await cache.getOrCreate("b", async () => (made++, { body: new Uint8Array(1), lastModified: null }));
    expect(made).toBe(1);
    const small = createPageCache({ maxBytes: 3 });
    await small.getOrCreate("big", page("four"));
    expect(small.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("peeks at a kept page without a promise, counting a hit and refreshing its place; a missing one counts nothing", async () => {
    const cache = createPageCache({ maxEntries: 2 });
    const page = (s: string) => async () => ({ body: new TextEncoder().encode(s), lastModified: null });
    expect(cache.peek?.("a")).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
    await cache.getOrCreate("a", page("a"));
    await cache.getOrCreate("b", page("b"));
    expect(new TextDecoder().decode(cache.peek?.("a")?.body)).toBe("a");
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
    // "a" was peeked last, so "b" is the one a third page evicts.
    await cache.getOrCreate("c", page("c"));
    expect(cache.peek?.("b")).toBeUndefined();
    expect(cache.peek?.("a")).toBeDefined();
  });

  it("does not cache a refusal", async () => {
    const cache = createPageCache();
    const h = await makeHandler({ pypi: { cache } });
    expect((await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("SUSPENDED-KEY") })).status).toBe(403);
    expect(cache.stats().entries).toBe(0);
  });
});
