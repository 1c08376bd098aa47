import { beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { makeStore } from "../helpers/store.js";
import type { Store } from "../../src/store/types.js";
import { conformanceDataset, IDS } from "../../src/testing/fixture.js";

let store: Store;
beforeAll(async () => {
  store = await makeStore(await conformanceDataset());
});

const get = (handler: (r: Request) => Promise<Response>, path: string, init: RequestInit = {}) =>
  handler(new Request(`http://localhost:8080${path}`, init));

type ErrorDoc = { meta: { id: string }; errors: Array<{ title: string; detail: string; code?: string; source?: unknown }> };

describe("createFetchHandler", () => {
  it("answers unknown routes and methods with a JSON:API 404", async () => {
    const handler = createFetchHandler({ store });
    for (const [path, method] of [["/nope", "GET"], ["/v1/accounts/acme/widgets", "GET"], ["/v1/accounts/acme/engines", "POST"], ["/v1/accounts/acme/engines", "DELETE"]] as const) {
      const res = await get(handler, path, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/vnd.api+json; charset=utf-8");
      const body = (await res.json()) as ErrorDoc;
      expect(body.errors[0]).toEqual({
        title: "Not found",
        detail: "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)",
        code: "NOT_FOUND",
      });
      expect(body.meta.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("answers an unknown account with 404 naming it", async () => {
    const res = await get(createFetchHandler({ store }), "/v1/accounts/ghost/engines");
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorDoc).errors[0]?.detail).toBe("The requested account 'ghost' was not found");
  });

  it("resolves the account by slug or UUID", async () => {
    const handler = createFetchHandler({ store });
    expect((await get(handler, "/v1/accounts/acme/engines")).status).toBe(200);
    expect((await get(handler, `/v1/accounts/${IDS.account}/engines`)).status).toBe(200);
  });

  it("answers HEAD like GET without a body", async () => {
    const handler = createFetchHandler({ store });
    const getRes = await get(handler, "/v1/accounts/acme/engines");
    const headRes = await get(handler, "/v1/accounts/acme/engines", { method: "HEAD" });
    expect(headRes.status).toBe(getRes.status);
    expect(headRes.headers.get("content-type")).toBe(getRes.headers.get("content-type"));
    expect(await headRes.text()).toBe("");
    const missing = await get(handler, "/v1/accounts/acme/engines/nope", { method: "HEAD" });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("");
  });

  it("answers malformed percent-encoding with 400 and an over-long URL with 414", async () => {
    const handler = createFetchHandler({ store });
    const bad = await get(handler, "/v1/accounts/%E0%A4%A/engines");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorDoc).errors[0]?.code).toBe("URI_INVALID");
    const long = await get(handler, `/v1/accounts/acme/engines/${"x".repeat(10_000)}`);
    expect(long.status).toBe(414);
  });

  it("uses the request origin, a configured baseUrl, or trusted forwarding headers", async () => {
    const path = `/v1/accounts/acme/artifacts/${IDS.artOpen}`;
    const presign = async ({ artifact, origin }: { artifact: { id: string }; origin: string }) => `${origin}/blob/${artifact.id}`;
    const blobs = { presign };
    const plain = await get(createFetchHandler({ store, blobs }), path, { headers: { "x-forwarded-host": "evil.test" }, redirect: "manual" });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe(`http://localhost:8080/blob/${IDS.artOpen}`);
    const based = await get(createFetchHandler({ store, blobs, baseUrl: "https://dl.acme.test/" }), path);
    expect(based.headers.get("location")).toBe(`https://dl.acme.test/blob/${IDS.artOpen}`);
    const proxied = await get(createFetchHandler({ store, blobs, trustProxy: true }), path, { headers: { "x-forwarded-host": "dl.acme.test", "x-forwarded-proto": "https" } });
    expect(proxied.headers.get("location")).toBe(`https://dl.acme.test/blob/${IDS.artOpen}`);
    const injected = await get(createFetchHandler({ store, blobs, trustProxy: true }), path, { headers: { "x-forwarded-host": "evil.test/x?y" } });
    expect(injected.headers.get("location")).toBe(`http://localhost:8080/blob/${IDS.artOpen}`);
  });

  it("turns a failing store into a generic 503 and keeps serving", async () => {
    let fail = true;
    const flaky: Store = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === "listEngines" && typeof value === "function") {
          return (...args: unknown[]) => (fail ? Promise.reject(new Error("connection refused: secret-host:5432")) : (value as (...a: unknown[]) => unknown).apply(target, args));
        }
        return value;
      },
    });
    const seen: unknown[] = [];
    const handler = createFetchHandler({ store: flaky, onError: (e) => seen.push(e) });
    const res = await get(handler, "/v1/accounts/acme/engines");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain("secret-host");
    expect(text).not.toContain("connection refused");
    expect((JSON.parse(text) as ErrorDoc).errors[0]?.code).toBe("STORE_UNAVAILABLE");
    fail = false;
    expect((await get(handler, "/v1/accounts/acme/engines")).status).toBe(200);
  });

  it("gives up on a hanging store after the configured timeout", async () => {
    const hanging: Store = { ...store, getAccount: () => new Promise(() => {}) } as Store;
    const handler = createFetchHandler({ store: hanging, storeTimeoutMs: 50 });
    const res = await get(handler, "/v1/accounts/acme/engines");
    expect(res.status).toBe(503);
  });

  it("hides unexpected errors behind a generic 500", async () => {
    const broken: Store = { ...store, getAccount: async () => ({ id: IDS.account }) } as unknown as Store;
    const errors: unknown[] = [];
    const handler = createFetchHandler({ store: broken, onError: (e) => errors.push(e) });
    const res = await get(handler, "/v1/accounts/acme/engines?page[number]=1", { headers: { authorization: "Bearer x-token" } });
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorDoc;
    expect(body.errors[0]?.title).toBe("Internal server error");
    expect(JSON.stringify(body)).not.toMatch(/TypeError|undefined|at /);
    expect(errors.length).toBe(1);
  });
});
