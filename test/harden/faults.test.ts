/**
 * Store faults (issue 9, item 5), extending test/http/handler.test.ts: for every route and every
 * store method that route calls, a store that throws, rejects (with an Error or a non-Error) or
 * hangs past `storeTimeoutMs` yields a 500/503 with a generic body (JSON:API, or PyPI's text), the
 * failure reaches `onError`, and the very next request gets the same answer as a healthy store.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Store } from "../../src/store/types.js";
import { AUTH, hardenStore, IDS, memoryBlobs, NOW, type Handler } from "./world.js";

type Fault = "throw" | "reject" | "reject-non-error" | "hang";
const SECRET = "db-password=hunter2 at db.internal:5432";

/** Requests covering every route, as different principals. */
const REQUESTS: Array<[string, string | null]> = [
  ["/v1/accounts/acme/engines?page[number]=1", AUTH.admin],
  ["/v1/accounts/acme/engines/pypi", AUTH.license],
  ["/v1/accounts/acme/engines/pypi/simple/", AUTH.basicLicense],
  ["/v1/accounts/acme/engines/pypi/simple/acme-tools/", AUTH.basicLicense],
  ["/v1/accounts/acme/engines/pypi/simple/acme-sdk/", null],
  ["/v1/accounts/acme/engines/pypi/simple/unknown-project/", null],
  ["/v1/accounts/acme/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0", AUTH.user],
  ["/v1/accounts/acme/engines/raw/cli/latest/tool_linux_amd64", AUTH.licenseKey],
  [`/v1/accounts/acme/artifacts/${IDS.artWhl110}`, AUTH.product],
  [`/v1/accounts/acme/artifacts/acme_tools-1.1.0-py3-none-any.whl`, AUTH.admin],
  [`/v1/accounts/acme/releases/${IDS.relTauri100}/upgrade`, null],
];

let healthy: Store;
let fault: { method: string; kind: Fault } | null = null;
let calls: Set<string> = new Set();
const errors: unknown[] = [];
let handler: Handler;

function faultyStore(base: Store): Store {
  return new Proxy(base, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        calls.add(prop);
        if (fault?.method === prop) {
          if (fault.kind === "throw") throw new Error(SECRET);
          if (fault.kind === "reject") return Promise.reject(new TypeError(SECRET));
          if (fault.kind === "reject-non-error") return Promise.reject({ detail: SECRET, status: 404 });
          return new Promise(() => {});
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const send = async (url: string, auth: string | null) => {
  const res = await handler(new Request(`http://localhost${url}`, { headers: auth === null ? {} : { authorization: auth }, redirect: "manual" }));
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), location: res.headers.get("location"), text: text.replace(/"meta":\{"id":"[^"]+"\},?/, "") };
};

beforeAll(async () => {
  healthy = await hardenStore();
  const known = new Set(Object.values(IDS).map((id) => `${id}.bin`));
  handler = createFetchHandler({ store: faultyStore(healthy), blobs: memoryBlobs(known), now: () => NOW, storeTimeoutMs: 25, onError: (e) => errors.push(e) });
});

describe("store faults on every route (item 5)", () => {
  it("answer 503 without internals, reach onError, and the next request is served as before", async () => {
    let checked = 0;
    for (const [url, auth] of REQUESTS) {
      fault = null;
      calls = new Set();
      const baseline = await send(url, auth);
      expect(baseline.status, url).toBeLessThan(500);
      const used = [...calls];
      expect(used.length, url).toBeGreaterThan(0);
      for (const method of used) {
        for (const kind of ["throw", "reject", "reject-non-error", "hang"] as const) {
          fault = { method, kind };
          const before = errors.length;
          const res = await send(url, auth);
          fault = null;
          const what = `${url} ${method} ${kind}`;
          // A method may be skipped on a cached path (PyPI pages): then the answer is the healthy one.
          if (res.status < 500) {
            expect(res, what).toEqual(baseline);
            continue;
          }
          checked++;
          expect([500, 503], what).toContain(res.status);
          expect(res.text, what).not.toMatch(/hunter2|db\.internal|TypeError|Error:|\bat /);
          expect(res.location, what).toBeNull();
          if (url.includes("/pypi/simple/")) {
            expect(res.type, what).toBe("text/html; charset=utf-8");
            expect(res.text, what).toBe("Service Unavailable");
          } else {
            expect(res.type, what).toBe("application/vnd.api+json; charset=utf-8");
            expect(JSON.parse(res.text).errors, what).toEqual([{ title: "Service unavailable", detail: "The service is temporarily unavailable", code: "STORE_UNAVAILABLE" }]);
          }
          expect(errors.length, `${what}: onError`).toBeGreaterThan(before);
          expect(await send(url, auth), `${what}: next request`).toEqual(baseline);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("serves blob downloads the same way: a failing store is a 503, then the bytes again", async () => {
    fault = null;
    const location = (await handler(new Request(`http://localhost/v1/accounts/acme/artifacts/${IDS.artOpen}`))).headers.get("location") as string;
    const ok = await handler(new Request(location));
    const bytes = await ok.text();
    expect(ok.status).toBe(200);
    for (const method of ["getAccount", "getArtifact"]) {
      for (const kind of ["throw", "reject", "hang"] as const) {
        fault = { method, kind };
        const res = await handler(new Request(location));
        fault = null;
        expect(res.status).toBe(503);
        expect(await res.text()).not.toContain("hunter2");
        const again = await handler(new Request(location));
        expect(again.status).toBe(200);
        expect(await again.text()).toBe(bytes);
      }
    }
  });
});
