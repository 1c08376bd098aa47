/**
 * Who compresses PyPI pages: the handler by default; nobody in the handler on workerd (it compresses
 * answers itself, and shows workers a rewritten Accept-Encoding), recognised by its `navigator.userAgent`;
 * `pypi.compress` decides either way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler, type FetchHandlerOptions } from "../../src/http/fetch.js";
import { toResponse } from "../../src/http/respond.js";
import { AUTH, hardenStore, NOW } from "../harden/world.js";

const PAGE = "http://localhost/v1/accounts/acme/engines/pypi/simple/acme-tools/";
const prior = Object.getOwnPropertyDescriptor(globalThis, "navigator");

afterEach(() => {
  if (prior === undefined) delete (globalThis as { navigator?: unknown }).navigator;
  else Object.defineProperty(globalThis, "navigator", prior);
});

async function codingOf(pypi: FetchHandlerOptions["pypi"] = {}): Promise<string | null> {
  const handler = createFetchHandler({ store: await hardenStore(), now: () => NOW, pypi });
  const res = await handler(new Request(PAGE, { headers: { authorization: AUTH.admin, "accept-encoding": "gzip" } }));
  expect(res.status).toBe(200);
  return res.headers.get("content-encoding");
}

function pretendWorkerd(): void {
  Object.defineProperty(globalThis, "navigator", { value: { userAgent: "Cloudflare-Workers" }, configurable: true, writable: true });
}

describe("PyPI page compression", () => {
  it("is the handler's by default", async () => {
    expect(await codingOf()).toBe("gzip");
  });
  it("is off with pypi.compress false", async () => {
    expect(await codingOf({ compress: false })).toBeNull();
  });
  it("is left to workerd there, unless pypi.compress says otherwise", async () => {
    pretendWorkerd();
    expect(await codingOf()).toBeNull();
    expect(await codingOf({ compress: true })).toBe("gzip");
  });
  it("marks an encoded body for workerd as encoded already (encodeBody manual), and nothing else", () => {
    // The member cannot be read back from a Response: record what toResponse constructs it with.
    const seen: unknown[] = [];
    const Original = globalThis.Response;
    globalThis.Response = class extends Original {
      constructor(body?: BodyInit | null, options?: ResponseInit) {
        super(body, options);
        seen.push(options);
      }
    } as typeof Response;
    try {
      toResponse({ status: 200, headers: { "Content-Encoding": "gzip" }, body: new Uint8Array([1]) });
      toResponse({ status: 200, headers: {}, body: "x" });
    } finally {
      globalThis.Response = Original;
    }
    expect(seen).toEqual([{ status: 200, headers: { "Content-Encoding": "gzip" }, encodeBody: "manual" }, { status: 200, headers: {} }]);
  });
});
