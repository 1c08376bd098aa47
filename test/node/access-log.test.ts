/**
 * The access log names the route of every answered request, whatever its method: reads arrive as
 * the adapter's light requests, writes as web `Request`s with their bodies, and both log the route
 * the handler matched (a template, never a parameter), or `-` when none did.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestHandler } from "../../src/http/fetch.js";
import { createServeLog } from "../../src/node/access-log.js";
import { serveFetchHandler, toResultListener } from "../../src/node/http.js";
import { loadDatasetFile } from "../../src/node.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";

const DEMO = new URL("../../examples/demo/dataset.json", import.meta.url).pathname;
let server: Server;
let origin: string;
let written = "";
const log = createServeLog("text", (chunk) => (written += chunk), () => {});

beforeAll(async () => {
  const { dataset } = await loadDatasetFile(DEMO);
  const handle = createRequestHandler({ store: createWritableMemoryStore(dataset) });
  server = await serveFetchHandler({ listener: toResultListener(handle, { answered: log.answered }) }, { port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe("access log routes", () => {
  it("logs the matched route template for POST, PATCH, PUT and DELETE as for GET, and - for no route", async () => {
    const json = { "content-type": "application/vnd.api+json" };
    const send = async (method: string, path: string, body?: string) => (await fetch(origin + path, { method, headers: json, ...(body !== undefined ? { body } : {}) })).status;
    const statuses = [
      await send("GET", "/v1/accounts/demo/releases/1.0.0"),
      await send("POST", "/v1/accounts/demo/releases", JSON.stringify({ data: { type: "releases", attributes: { version: "9.0.0" } } })),
      await send("PATCH", "/v1/accounts/demo/releases/1.0.0", "{}"),
      await send("DELETE", "/v1/accounts/demo/releases/1.0.0"),
      await send("POST", "/v1/accounts/demo/releases/1.0.0/actions/publish"),
      await send("PUT", "/v1/accounts/demo/engines/npm/@demo%2fsdk", "{}"),
      await send("POST", "/v1/accounts/demo/nothing/here", "{}"),
    ];
    // Anonymous writes are refused (401) after the route was matched; an unknown path is a 404.
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 404]);
    log.flush();
    const routes = written.trim().split("\n").map((line) => line.split(" ").slice(1, 3).join(" "));
    expect(routes).toEqual([
      "GET /v1/accounts/{account}/releases/{id}",
      "POST /v1/accounts/{account}/releases",
      "PATCH /v1/accounts/{account}/releases/{id}",
      "DELETE /v1/accounts/{account}/releases/{id}",
      "POST /v1/accounts/{account}/releases/{id}/actions/publish",
      "PUT /v1/accounts/{account}/engines/npm/{package}",
      "POST -",
    ]);
  });
});
