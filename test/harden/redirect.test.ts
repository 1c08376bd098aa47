/**
 * Issue 19 item 1: the request target never chooses the origin of the URLs we hand out. Every
 * node:http adapter and `serve` get the hostile targets byte for byte over a real socket
 * (`//evil.example/…`, `/\evil.example/…`, absolute-form): each is a JSON:API 400, and no 301,
 * signed blob URL or `?auth=license:KEY` ever points at a foreign host; the same paths as plain
 * targets still redirect to the server's own origin (so the routes are live).
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler, createRequestHandler } from "../../src/http/fetch.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { serveFetchHandler, toNodeListener, toResultListener } from "../../src/node/http.js";
import { startListening, type Started } from "../helpers/process.js";
import { rawRequest } from "../helpers/raw-http.js";

const DEMO = "examples/demo/dataset.json";

/** Routes that answer with an absolute URL, the credentials they need, and what the answer must be. */
const ROUTES: Array<{ name: string; path: string; headers: Record<string, string>; status: number }> = [
  { name: "PyPI index without its slash (301)", path: "/v1/accounts/demo/engines/pypi/simple", headers: {}, status: 301 },
  { name: "licensed artifact download (303 to a signed blob URL)", path: "/v1/accounts/demo/artifacts/demo_pro-2.0.0-py3-none-any.whl", headers: { Authorization: "License DEMO-PRO-KEY" }, status: 303 },
  { name: "raw link with ?auth=license:KEY (303 carrying the key)", path: "/v1/accounts/demo/engines/raw/cli/1.1.0/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY", headers: {}, status: 303 },
];

/** Targets that are not origin-form: each names evil.example as an authority. */
const HOSTILE = (path: string) => [`//evil.example${path}`, `/\\evil.example${path}`, `http://evil.example${path}`, `HTTP://evil.example:80${path}`, `https://evil.example${path}`];

const servers: Array<{ name: string; origin: string; close: () => Promise<unknown> }> = [];

async function inProcess(name: string, start: () => Promise<Server>): Promise<void> {
  const server = await start();
  const { port } = server.address() as { port: number };
  servers.push({ name, origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
}

beforeAll(async () => {
  const { dataset, root } = await loadDatasetFile(DEMO);
  const options = { store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }) };
  const listen = { port: 0, host: "127.0.0.1" };
  await inProcess("serveFetchHandler(fetch handler)", () => serveFetchHandler(createFetchHandler(options), listen));
  await inProcess("toNodeListener", () => serveFetchHandler({ listener: toNodeListener(createFetchHandler(options)) }, listen));
  await inProcess("toResultListener", () => serveFetchHandler({ listener: toResultListener(createRequestHandler(options)) }, listen));
  const cli: Started = await startListening(["src/cli.ts", "serve", "--data", DEMO, "--port", "0"]);
  servers.push({ name: "release-engines serve", origin: cli.origin, close: cli.stop });
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("the request target cannot move the origin (issue 19 item 1)", () => {
  it.each(["serveFetchHandler(fetch handler)", "toNodeListener", "toResultListener", "release-engines serve"])("%s", async (name) => {
    const server = servers.find((s) => s.name === name)!;
    for (const route of ROUTES) {
      const plain = await rawRequest(server.origin, "GET", route.path, route.headers);
      expect(plain.status, `${route.name}: ${plain.text.slice(0, 300)}`).toBe(route.status);
      expect(plain.headers.location?.startsWith(`${server.origin}/v1/`), plain.headers.location).toBe(true);

      for (const target of HOSTILE(route.path)) {
        for (const method of ["GET", "HEAD"]) {
          const res = await rawRequest(server.origin, method, target, route.headers);
          const what = `${method} ${target} → ${res.text.slice(0, 300)}`;
          expect(res.status, what).toBe(400);
          expect(res.headers.location, what).toBeUndefined();
          expect(res.text.toLowerCase(), what).not.toContain("evil.example");
          expect(res.text, what).not.toContain("DEMO-");
          expect(res.headers["content-type"], what).toContain("application/vnd.api+json");
          if (method === "GET") expect((JSON.parse(res.body) as { errors: Array<{ code: string }> }).errors[0]?.code, what).toBe("REQUEST_TARGET_INVALID");
        }
      }
    }
  });

  it.each(["serveFetchHandler(fetch handler)", "toResultListener", "release-engines serve"])("%s: the write path (a body-carrying method) gets the same 400", async (name) => {
    const server = servers.find((s) => s.name === name)!;
    for (const target of HOSTILE("/v1/accounts/demo/artifacts")) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const res = await rawRequest(server.origin, method, target, { Authorization: "License DEMO-PRO-KEY", "Content-Type": "application/vnd.api+json" }, '{"data":{}}');
        const what = `${method} ${target} → ${res.text.slice(0, 300)}`;
        expect(res.status, what).toBe(400);
        expect(res.headers.location, what).toBeUndefined();
        expect((JSON.parse(res.body) as { errors: Array<{ code: string }> }).errors[0]?.code, what).toBe("REQUEST_TARGET_INVALID");
      }
    }
  });

  it("a Host header is still the origin, and a bad one is a JSON:API 400 rather than a guess", async () => {
    const server = servers.find((s) => s.name === "toResultListener")!;
    const ok = await rawRequest(server.origin, "GET", ROUTES[0]!.path, { Host: "dl.example.com:8443" });
    expect(ok.status).toBe(301);
    expect(ok.headers.location).toBe("http://dl.example.com:8443/v1/accounts/demo/engines/pypi/simple/");
    const bad = await rawRequest(server.origin, "GET", ROUTES[0]!.path, { Host: "a:b" });
    expect(bad.status).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/vnd.api+json");
    expect(JSON.parse(bad.body).errors[0]).toMatchObject({ code: "HOST_INVALID", source: { header: "Host" } });
  });
});

describe("a web Request's origin is its URL's, checked against its Host (issue 19 item 1)", () => {
  let handler: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    const { dataset, root } = await loadDatasetFile(DEMO);
    handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }) });
  });
  const index = "/v1/accounts/demo/engines/pypi/simple";
  const raw = ROUTES[2]!.path;

  it("a URL whose host is not the Host header (an adapter that kept an absolute-form target) is 400, never a redirect", async () => {
    for (const [url, host] of [[`http://evil.example${index}`, "dl.example.com"], [`http://evil.example${raw}`, "dl.example.com:8080"], [`https://dl.example.com.evil.example${raw}`, "dl.example.com"], [`http://dl.example.com:8080${raw}`, "dl.example.com"]] as const) {
      const res = await handler(new Request(url, { headers: { host } }));
      expect(res.status, url).toBe(400);
      expect(res.headers.get("location"), url).toBeNull();
      const text = await res.text();
      expect(text, url).not.toContain("DEMO-CLI-KEY");
      if (url.includes("/raw/")) expect(JSON.parse(text).errors[0]).toMatchObject({ code: "HOST_MISMATCH", source: { header: "Host" } });
    }
  });

  it("a Host equal to the URL's host (case, default port) or no Host at all keeps the URL's origin", async () => {
    for (const [url, host] of [["http://dl.example.com", "DL.Example.com"], ["http://dl.example.com", "dl.example.com:80"], ["https://dl.example.com", "dl.example.com:443"], ["http://[::1]:8080", "[::1]:8080"], ["http://dl.example.com:8080", null]] as const) {
      const res = await handler(new Request(`${url}${raw}`, host === null ? {} : { headers: { host } }));
      expect(res.status, `${url} ${host}`).toBe(303);
      expect(res.headers.get("location")?.startsWith(`${url}/v1/accounts/`), `${url} ${host}`).toBe(true);
    }
  });

  it("a path that looks like an authority (`//evil.example/…`) stays a path on the URL's own host", async () => {
    const moved = await handler(new Request(`http://dl.example.com//evil.example${index}`));
    expect(moved.headers.get("location")).toBeNull();
    expect(moved.status).toBe(404);
    const doubled = await handler(new Request(`http://dl.example.com//${index.slice(1)}`));
    expect(doubled.status).toBe(301);
    expect(doubled.headers.get("location")).toBe(`http://dl.example.com${index}/`);
  });

  it("with baseUrl or a trusted X-Forwarded-Host the origin is theirs, whatever the URL and Host say", async () => {
    const { dataset, root } = await loadDatasetFile(DEMO);
    const base = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }), baseUrl: "https://dl.example.com" });
    const viaBase = await base(new Request(`http://evil.example${raw}`, { headers: { host: "internal:8080" } }));
    expect(viaBase.headers.get("location")?.startsWith("https://dl.example.com/v1/")).toBe(true);
    const proxied = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }), trustProxy: true });
    const viaProxy = await proxied(new Request(`http://internal:8080${raw}`, { headers: { host: "other:1", "x-forwarded-host": "dl.example.com", "x-forwarded-proto": "https" } }));
    expect(viaProxy.headers.get("location")?.startsWith("https://dl.example.com/v1/")).toBe(true);
  });
});
