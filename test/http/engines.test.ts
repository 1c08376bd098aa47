/**
 * The Engines resource over HTTP (Keygen §1, behaviours 1–14; SPEC 18), through `createFetchHandler`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { makeStore } from "../helpers/store.js";

const A = "20000000-0000-4000-8000-000000000001";
const B = "20000000-0000-4000-8000-000000000002";
const E = {
  pypi: "20000000-0000-4000-8000-000000000101",
  tauri: "20000000-0000-4000-8000-000000000102",
  raw: "20000000-0000-4000-8000-000000000103",
  npm: "20000000-0000-4000-8000-000000000104",
  rubygems: "20000000-0000-4000-8000-000000000105",
  oci: "20000000-0000-4000-8000-000000000106",
  otherPypi: "20000000-0000-4000-8000-000000000107",
} as const;
const T = {
  admin: `admin-${"a".repeat(64)}v3`,
  productLicensed: `prod-${"b".repeat(64)}v3`,
  productOther: `prod-${"c".repeat(64)}v3`,
  productClosed: `prod-${"d".repeat(64)}v3`,
  owner: `user-${"e".repeat(64)}v3`,
  nobody: `user-${"f".repeat(64)}v3`,
  otherAdmin: `admin-${"9".repeat(64)}v3`,
} as const;
const day = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00Z`;
const iso = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00.000Z`;

/**
 * Products: `licensed` (pypi + rubygems + an engine-less package), `other` (LICENSED, tauri),
 * `open` (OPEN, raw), `closed` (CLOSED, npm). Engine `oci` has no package. npm and raw share a
 * creation instant, so ties are ordered by id.
 */
function datasetFile(): DatasetFile {
  return {
    accounts: [
      {
        id: A, slug: "test1", name: "Test 1", secretKey: "test1-secret-key-0123456789abcdef", created: day(1),
        products: [
          { code: "licensed", name: "Licensed", distributionStrategy: "LICENSED" },
          { code: "other", name: "Other", distributionStrategy: "LICENSED" },
          { code: "open", name: "Open", distributionStrategy: "OPEN" },
          { code: "closed", name: "Closed", distributionStrategy: "CLOSED" },
        ],
        engines: [
          { id: E.pypi, key: "pypi", name: null, created: day(1) },
          { id: E.tauri, key: "tauri", created: day(2) },
          { id: E.raw, key: "raw", created: day(3) },
          { id: E.npm, key: "npm", created: day(3) },
          { id: E.rubygems, key: "rubygems", created: day(5) },
          { id: E.oci, key: "oci", created: day(6) },
        ],
        packages: [
          { product: "licensed", key: "lic-pypi", name: "Lic PyPI", engine: "pypi" },
          { product: "licensed", key: "lic-gem", name: "Lic Gem", engine: "rubygems" },
          { product: "licensed", key: "lic-plain", name: "Lic Plain" },
          { product: "other", key: "other-tauri", name: "Other Tauri", engine: "tauri" },
          { product: "open", key: "open-raw", name: "Open Raw", engine: "raw" },
          { product: "closed", key: "closed-npm", name: "Closed npm", engine: "npm" },
        ],
        policies: [
          { id: "20000000-0000-4000-8000-000000000201", product: "licensed", name: "L", authenticationStrategy: "LICENSE" },
          { id: "20000000-0000-4000-8000-000000000202", product: "other", name: "O", authenticationStrategy: "LICENSE" },
          { id: "20000000-0000-4000-8000-000000000203", product: "closed", name: "C", authenticationStrategy: "LICENSE" },
        ],
        users: [
          { id: "20000000-0000-4000-8000-000000000301", email: "admin@test1.test", role: "admin" },
          { id: "20000000-0000-4000-8000-000000000302", email: "owner@test1.test" },
          { id: "20000000-0000-4000-8000-000000000303", email: "nobody@test1.test" },
        ],
        licenses: [
          { policy: "20000000-0000-4000-8000-000000000201", key: "LICENSED-KEY", owner: "20000000-0000-4000-8000-000000000302" },
          { policy: "20000000-0000-4000-8000-000000000202", key: "OTHER-KEY" },
          { policy: "20000000-0000-4000-8000-000000000203", key: "CLOSED-KEY" },
          // Expired (RESTRICT_ACCESS by default): key authentication still works, and engine visibility ignores expiry.
          { policy: "20000000-0000-4000-8000-000000000201", key: "EXPIRED-KEY", expiry: day(2) },
        ],
        tokens: [
          { bearer: { type: "user", id: "20000000-0000-4000-8000-000000000301" }, token: T.admin },
          { bearer: { type: "product", id: "licensed" }, token: T.productLicensed },
          { bearer: { type: "product", id: "other" }, token: T.productOther },
          { bearer: { type: "product", id: "closed" }, token: T.productClosed },
          { bearer: { type: "user", id: "20000000-0000-4000-8000-000000000302" }, token: T.owner },
          { bearer: { type: "user", id: "20000000-0000-4000-8000-000000000303" }, token: T.nobody },
        ],
      },
      {
        id: B, slug: "test2", name: "Test 2", secretKey: "test2-secret-key-0123456789abcdef",
        products: [{ code: "licensed", name: "Other account", distributionStrategy: "OPEN" }],
        engines: [{ id: E.otherPypi, key: "pypi", created: day(1) }],
        packages: [{ product: "licensed", key: "their-pypi", name: "Theirs", engine: "pypi" }],
        users: [{ id: "20000000-0000-4000-8000-000000000399", email: "admin@test2.test", role: "admin" }],
        tokens: [{ bearer: { type: "user", id: "20000000-0000-4000-8000-000000000399" }, token: T.otherAdmin }],
      },
    ],
  };
}

type Handler = (request: Request) => Promise<Response>;
let handler: Handler;

beforeAll(async () => {
  const dataset = await loadDataset(datasetFile());
  handler = createFetchHandler({ store: await makeStore(dataset), now: () => new Date("2026-06-01T00:00:00Z") });
});

type Auth = { token: string } | { license: string } | null;
interface EngineJson {
  id: string;
  attributes: { key: string; name: string | null };
}
interface Doc {
  data?: EngineJson[] | EngineJson;
  links?: Record<string, unknown>;
  meta?: { id: string };
  errors?: Array<Record<string, unknown>>;
}

async function get(pathAndQuery: string, auth: Auth = { token: T.admin }, account = "test1"): Promise<{ status: number; doc: Doc; res: Response }> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.Authorization = "token" in auth ? `Bearer ${auth.token}` : `License ${auth.license}`;
  const res = await handler(new Request(`http://localhost/v1/accounts/${account}/engines${pathAndQuery}`, { headers }));
  return { status: res.status, doc: (await res.json()) as Doc, res };
}

const ids = (doc: Doc) => (doc.data as Array<{ id: string }>).map((d) => d.id);
const keysOf = async (auth: Auth) => {
  const { status, doc } = await get("", auth);
  expect(status).toBe(200);
  return (doc.data as Array<{ attributes: { key: string } }>).map((d) => d.attributes.key);
};

/** Decode a pagination link for comparison (Keygen's tests compare decoded links). */
const decoded = (link: unknown) => (typeof link === "string" ? decodeURIComponent(link) : link);

async function expectBadRequest(query: string, detail: string, parameter: string): Promise<void> {
  const { status, doc, res } = await get(query);
  expect(status).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/vnd.api+json");
  expect(typeof doc.meta?.id).toBe("string");
  expect(doc.errors).toEqual([{ title: "Bad request", detail, source: { parameter } }]);
}

describe("Engines: serialization (1, SPEC 18)", () => {
  it("1: an engine is a JSON:API `engines` object with relative links, no self link, no environment", async () => {
    const { status, doc, res } = await get("/pypi");
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.api+json; charset=utf-8");
    expect(doc.data).toEqual({
      id: E.pypi,
      type: "engines",
      attributes: { name: null, key: "pypi", created: iso(1), updated: iso(1) },
      relationships: { account: { data: { type: "accounts", id: A }, links: { related: `/v1/accounts/${A}` } } },
      links: { related: `/v1/accounts/${A}/engines/${E.pypi}` },
    });
  });

  it("SPEC 18: an engine without a declared name carries its display name", async () => {
    const { doc } = await get(`/${E.tauri}`);
    expect((doc.data as { attributes: { name: string } }).attributes.name).toBe("Tauri");
    const list = await get("");
    const names = Object.fromEntries((list.doc.data as Array<{ attributes: { key: string; name: string | null } }>).map((d) => [d.attributes.key, d.attributes.name]));
    expect(names).toEqual({ pypi: null, tauri: "Tauri", raw: "Raw", npm: "npm", rubygems: "RubyGems" });
  });

  it("1: links name the account by UUID even when the request used its slug", async () => {
    const bySlug = await get("/raw");
    const byId = await get("/raw", { token: T.admin }, A);
    expect(byId.doc.data).toEqual(bySlug.doc.data);
  });
});

describe("Engines: list and retrieve visibility (2–8)", () => {
  it("2: admins list engines that have packages (newest first); an engine with none is omitted", async () => {
    const { doc } = await get("");
    expect(ids(doc)).toEqual([E.rubygems, E.npm, E.raw, E.tauri, E.pypi]);
    expect(doc.links).toBeUndefined();
  });

  it("3: admins retrieve an engine without packages", async () => {
    const { status, doc } = await get("/oci");
    expect(status).toBe(200);
    expect((doc.data as { id: string }).id).toBe(E.oci);
    expect((await get(`/${E.oci}`)).status).toBe(200);
    // Others do not see it.
    expect((await get("/oci", { token: T.productLicensed })).status).toBe(404);
    expect((await get("/oci", null)).status).toBe(404);
  });

  it("4: retrieve by key; an unknown key is 404 with Keygen's detail", async () => {
    const { doc } = await get("/pypi");
    expect((doc.data as { attributes: { key: string } }).attributes.key).toBe("pypi");
    const missing = await get("/invalid");
    expect(missing.status).toBe(404);
    expect(missing.doc.errors).toEqual([{ title: "Not found", detail: "The requested release engine 'invalid' was not found", code: "NOT_FOUND" }]);
    expect((await get("/PyPI")).status).toBe(404);
  });

  it("5: retrieve by UUID; a UUID of another account or of nothing is 404", async () => {
    expect((await get(`/${E.raw}`)).doc.data).toMatchObject({ id: E.raw, attributes: { key: "raw" } });
    const foreign = await get(`/${E.otherPypi}`);
    expect(foreign.status).toBe(404);
    expect(foreign.doc.errors?.[0]?.detail).toBe(`The requested release engine '${E.otherPypi}' was not found`);
    expect((await get("/20000000-0000-4000-8000-00000000ffff")).status).toBe(404);
    // The other account's own admin sees its own engine under its own account only.
    expect((await get(`/${E.otherPypi}`, { token: T.otherAdmin }, "test2")).status).toBe(200);
    expect((await get("", { token: T.otherAdmin }, "test2")).doc.data).toHaveLength(1);
  });

  it("5: admin credentials of another account are refused (401)", async () => {
    const { status, doc, res } = await get("/pypi", { token: T.otherAdmin });
    expect(status).toBe(401);
    expect(doc.errors?.[0]?.code).toBe("TOKEN_INVALID");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="keygen"');
  });

  it("6: anonymous: an OPEN product's engine only (LICENSED and CLOSED give 0)", async () => {
    expect(await keysOf(null)).toEqual(["raw"]);
    expect((await get("/raw", null)).status).toBe(200);
    expect((await get("/pypi", null)).status).toBe(404);
    expect((await get("/npm", null)).status).toBe(404);
  });

  it("7: a license: its own LICENSED product's engines and every OPEN product's, never CLOSED", async () => {
    expect(await keysOf({ license: "LICENSED-KEY" })).toEqual(["rubygems", "raw", "pypi"]);
    expect(await keysOf({ license: "OTHER-KEY" })).toEqual(["raw", "tauri"]);
    expect(await keysOf({ license: "CLOSED-KEY" })).toEqual(["raw"]);
    // No expiry check for engines.
    expect(await keysOf({ license: "EXPIRED-KEY" })).toEqual(["rubygems", "raw", "pypi"]);
    expect((await get("/pypi", { license: "OTHER-KEY" })).status).toBe(404);
    expect((await get("/tauri", { license: "OTHER-KEY" })).status).toBe(200);
    expect((await get("/npm", { license: "CLOSED-KEY" })).status).toBe(404);
  });

  it("7: a user sees through the licenses it owns; a user without licenses sees OPEN engines only", async () => {
    expect(await keysOf({ token: T.owner })).toEqual(["rubygems", "raw", "pypi"]);
    expect(await keysOf({ token: T.nobody })).toEqual(["raw"]);
    expect((await get("/pypi", { token: T.nobody })).status).toBe(404);
  });

  it("8: a product token sees its own packages' engines, not another LICENSED or CLOSED product's", async () => {
    const licensed = await keysOf({ token: T.productLicensed });
    expect(licensed).toEqual(expect.arrayContaining(["rubygems", "pypi"]));
    expect(licensed).not.toContain("tauri");
    expect(licensed).not.toContain("npm");
    expect((await get("/tauri", { token: T.productLicensed })).status).toBe(404);
    expect((await get("/npm", { token: T.productLicensed })).status).toBe(404);
    expect((await get("/tauri", { token: T.productOther })).status).toBe(200);
    // A CLOSED product's own token sees its engine.
    expect(await keysOf({ token: T.productClosed })).toContain("npm");
    expect((await get("/npm", { token: T.productClosed })).status).toBe(200);
  });
});

describe("Engines: pagination (9–14)", () => {
  it("9: limit must be 1..100 (non-numbers count as 0); limit mode has no top-level links", async () => {
    await expectBadRequest("?limit=0", "limit must be a number between 1 and 100 (got 0)", "limit");
    await expectBadRequest("?limit=101", "limit must be a number between 1 and 100 (got 101)", "limit");
    await expectBadRequest("?limit=abc", "limit must be a number between 1 and 100 (got 0)", "limit");
    await expectBadRequest("?limit=-3", "limit must be a number between 1 and 100 (got -3)", "limit");
    const two = await get("?limit=2");
    expect(ids(two.doc)).toEqual([E.rubygems, E.npm]);
    expect("links" in two.doc).toBe(false);
    // Ruby's to_i: a leading number counts.
    expect(ids((await get("?limit=3abc")).doc)).toEqual([E.rubygems, E.npm, E.raw]);
    expect(ids((await get("?limit=100")).doc)).toHaveLength(5);
  });

  it("10: page[number] and page[size] must be 1..100; 101 pages hints at cursors", async () => {
    await expectBadRequest("?page[number]=0", "page number must be a number between 1 and 100 (got 0)", "page[number]");
    await expectBadRequest("?page[number]=101", "page number must be a number between 1 and 100 (got 101), please use cursor-based pagination instead", "page[number]");
    await expectBadRequest("?page[number]=1&page[size]=0", "page size must be a number between 1 and 100 (got 0)", "page[size]");
    await expectBadRequest("?page[number]=1&page[size]=101", "page size must be a number between 1 and 100 (got 101)", "page[size]");
    await expectBadRequest("?page%5Bnumber%5D=abc", "page number must be a number between 1 and 100 (got 0)", "page[number]");
  });

  it("10: page[number]=1 defaults to size 10 with self/prev/next/first/last and links.meta", async () => {
    const { doc } = await get("?page[number]=1");
    expect(ids(doc)).toHaveLength(5);
    const link = (n: number) => `/v1/accounts/test1/engines?page[number]=${n}&page[size]=10`;
    expect(Object.fromEntries(Object.entries(doc.links ?? {}).map(([k, v]) => [k, decoded(v)]))).toEqual({
      self: link(1), prev: null, next: null, first: link(1), last: link(1), meta: { pages: 1, count: 5 },
    });
    // Brackets are percent-encoded in the raw link (Rails to_query).
    expect(doc.links?.self).toBe("/v1/accounts/test1/engines?page%5Bnumber%5D=1&page%5Bsize%5D=10");
  });

  it("10: offset pages walk the list with prev/next/last", async () => {
    const link = (n: number) => `/v1/accounts/test1/engines?page[number]=${n}&page[size]=2`;
    const p1 = await get("?page[number]=1&page[size]=2");
    expect(ids(p1.doc)).toEqual([E.rubygems, E.npm]);
    expect(decoded(p1.doc.links?.prev)).toBeNull();
    expect(decoded(p1.doc.links?.next)).toBe(link(2));
    const p2 = await get("?page[number]=2&page[size]=2");
    expect(ids(p2.doc)).toEqual([E.raw, E.tauri]);
    expect(Object.fromEntries(Object.entries(p2.doc.links ?? {}).map(([k, v]) => [k, decoded(v)]))).toEqual({
      self: link(2), prev: link(1), next: link(3), first: link(1), last: link(3), meta: { pages: 3, count: 5 },
    });
    const p3 = await get("?page[number]=3&page[size]=2");
    expect(ids(p3.doc)).toEqual([E.pypi]);
    expect(decoded(p3.doc.links?.next)).toBeNull();
    // Past the end: no rows, and (as Kaminari) neither prev nor next.
    const p4 = await get("?page[number]=4&page[size]=2");
    expect(ids(p4.doc)).toEqual([]);
    expect(p4.doc.links?.prev).toBeNull();
    expect(p4.doc.links?.next).toBeNull();
    expect(p4.doc.links?.meta).toEqual({ pages: 3, count: 5 });
  });

  it("11: a page without number or cursor is refused", async () => {
    await expectBadRequest("?page[size]=5", "page must be an object containing a cursor or number and optional size", "page");
    await expectBadRequest("?page=1", "page must be an object containing a cursor or number and optional size", "page");
  });

  it("12: keyset mode: self keeps the (empty) cursor, next follows the last row, null at the end", async () => {
    const first = await get("?page[cursor]=");
    expect(ids(first.doc)).toEqual([E.rubygems, E.npm, E.raw, E.tauri, E.pypi]);
    expect(Object.fromEntries(Object.entries(first.doc.links ?? {}).map(([k, v]) => [k, decoded(v)]))).toEqual({
      self: "/v1/accounts/test1/engines?page[cursor]=&page[size]=10",
      next: null,
    });
    const seen: string[] = [];
    let query = "?page[cursor]=&page[size]=2";
    const nexts: unknown[] = [];
    for (let i = 0; i < 5 && query !== ""; i++) {
      const { doc } = await get(query);
      seen.push(...ids(doc));
      nexts.push(decoded(doc.links?.next));
      const next = doc.links?.next;
      query = typeof next === "string" ? next.slice("/v1/accounts/test1/engines".length) : "";
    }
    expect(seen).toEqual([E.rubygems, E.npm, E.raw, E.tauri, E.pypi]);
    expect(nexts).toEqual([
      `/v1/accounts/test1/engines?page[cursor]=${E.npm}&page[size]=2`,
      `/v1/accounts/test1/engines?page[cursor]=${E.tauri}&page[size]=2`,
      null,
    ]);
    // Ascending order pages the other way.
    expect(ids((await get(`?order=asc&page[cursor]=${E.raw}&page[size]=2`)).doc)).toEqual([E.npm, E.rubygems]);
  });

  it("12: a cursor must be a UUID; a size must be 1..100", async () => {
    await expectBadRequest("?page[cursor]=foo", 'page cursor must be a valid UUID (got "foo")', "page[cursor]");
    await expectBadRequest("?page[cursor]=&page[size]=0", "page size must be a number between 1 and 100 (got 0)", "page[size]");
    await expectBadRequest("?page[cursor]=&page[size]=101", "page size must be a number between 1 and 100 (got 101)", "page[size]");
  });

  it("13: order is asc or desc (any case); anything else is refused", async () => {
    await expectBadRequest("?order=sideways", "order is invalid", "order");
    expect(ids((await get("?order=asc")).doc)).toEqual([E.pypi, E.tauri, E.raw, E.npm, E.rubygems]);
    expect(ids((await get("?order=ASC")).doc)).toEqual([E.pypi, E.tauri, E.raw, E.npm, E.rubygems]);
    expect(ids((await get("?order=Desc")).doc)).toEqual([E.rubygems, E.npm, E.raw, E.tauri, E.pypi]);
  });

  it("14: links drop `token` and `auth` and keep the other parameters, keys sorted", async () => {
    const res = await handler(new Request(`http://localhost/v1/accounts/test1/engines?token=${T.admin}&page[number]=1&page[size]=2&order=asc&foo=a%20b`));
    const doc = (await res.json()) as Doc;
    expect(res.status).toBe(200);
    expect(ids(doc)).toEqual([E.pypi, E.tauri]);
    expect(doc.links?.self).toBe("/v1/accounts/test1/engines?foo=a+b&order=asc&page%5Bnumber%5D=1&page%5Bsize%5D=2");
    expect(decoded(doc.links?.next)).toBe("/v1/accounts/test1/engines?foo=a+b&order=asc&page[number]=2&page[size]=2");
    const viaAuth = await handler(new Request(`http://localhost/v1/accounts/test1/engines?auth=${T.admin}&page[cursor]=&page[size]=2`));
    const d2 = (await viaAuth.json()) as Doc;
    expect(ids(d2)).toHaveLength(2);
    expect(decoded(d2.links?.self)).toBe("/v1/accounts/test1/engines?page[cursor]=&page[size]=2");
    expect(decoded(d2.links?.next)).toBe(`/v1/accounts/test1/engines?page[cursor]=${E.npm}&page[size]=2`);
  });

  it("14: links serialise like Rails `to_query`: last value of a repeated key, `[]` arrays in order, CGI escaping", async () => {
    const { doc } = await get("?x=1&x=2&b[]=2&b[]=1&q=it's%20(ok)*!&page[number]=1&page[size]=3");
    expect(doc.links?.self).toBe("/v1/accounts/test1/engines?b%5B%5D=2&b%5B%5D=1&page%5Bnumber%5D=1&page%5Bsize%5D=3&q=it%27s+%28ok%29%2A%21&x=2");
  });
});
