/**
 * What an operator needs from `serve` (issue 19, item 8): an access log with route templates and
 * no secrets, `/health` and `/ready`, and a graceful shutdown that drains requests in flight within
 * a bound.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startListening, type Started } from "../helpers/process.js";

const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function serve(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const server = await startListening(["src/cli.ts", "serve", "--port", "0", ...args], env);
  running.push(server);
  return server;
}

const DEMO = ["--data", "examples/demo/dataset.json"];
const SECRETS = ["LICENSE-KEY-SECRET-123", "bearer-token-secret-456", "signature=", "demo_sdk-1.0.0"];

/** Requests that carry a license key, a token and a signed URL; every answer read to its end. */
async function traffic(origin: string): Promise<void> {
  const get = async (path: string, init: RequestInit = {}) => (await fetch(origin + path, { redirect: "manual", ...init })).arrayBuffer();
  await get("/v1/accounts/demo/engines");
  await get("/v1/accounts/demo/engines/pypi/simple/demo-sdk/");
  await get("/v1/accounts/demo/engines/raw/cli/latest/tool?auth=license:LICENSE-KEY-SECRET-123");
  await get("/v1/accounts/demo/engines", { headers: { authorization: "Bearer bearer-token-secret-456" } });
  const redirect = await fetch(`${origin}/v1/accounts/demo/artifacts/demo_sdk-1.0.0-py3-none-any.whl`, { redirect: "manual" });
  const location = redirect.headers.get("location") as string;
  expect(location).toContain("signature=");
  await (await fetch(location)).arrayBuffer();
  await get("/nothing/here");
}

/** Wait until `output()` satisfies `test`. */
async function until(output: () => string, test: (text: string) => boolean, ms = 10_000): Promise<string> {
  const t0 = Date.now();
  while (!test(output()) && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
  return output();
}

const accessLines = (text: string) => text.split("\n").filter((l) => l.includes('"route"')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("serve access log", { timeout: 120_000 }, () => {
  it("writes one JSON line per request (method, route template, status, ms, bytes) and never a key, token or signature", async () => {
    const server = await serve([...DEMO, "--log-format", "json"]);
    await traffic(server.origin);
    const text = await until(server.output, (t) => accessLines(t).length >= 7);
    const lines = accessLines(text);
    // A streamed blob's line comes when its last byte is handed over, which may be after the next answer.
    const key = (x: unknown[]) => x.join(" ");
    expect(lines.map((l) => [l.method, l.route, l.status]).sort((a, b) => key(a).localeCompare(key(b))), text).toEqual([
      ["GET", "/v1/accounts/{account}/engines", 200],
      ["GET", "/v1/accounts/{account}/engines/pypi/simple/{project}/", 200],
      ["GET", "/v1/accounts/{account}/engines/raw/{product}/{release}/{artifact}", 401],
      ["GET", "/v1/accounts/{account}/engines", 401],
      ["GET", "/v1/accounts/{account}/artifacts/{id}", 303],
      ["GET", "/v1/blobs/{path}", 200],
      ["GET", "-", 404],
    ].sort((a, b) => key(a).localeCompare(key(b))));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(["time", "method", "route", "status", "ms", "bytes"]);
      expect(line.ms).toBeTypeOf("number");
      expect(line.bytes).toBeTypeOf("number");
    }
    expect(lines[1]?.bytes).toBeGreaterThan(100);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it("writes text lines with --log-format text, nothing with none, and JSON by default off a terminal", async () => {
    const [text, none, byDefault] = await Promise.all([
      serve([...DEMO, "--log-format", "text"]),
      serve([...DEMO, "--log-format", "none"]),
      serve(DEMO, { RELEASE_ENGINES_LOG_FORMAT: "" }),
    ]);
    await Promise.all([traffic(text.origin), traffic(none.origin), traffic(byDefault.origin)]);
    const out = await until(text.output, (t) => (t.match(/^\S+Z GET /gm) ?? []).length >= 7);
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/v1\/accounts\/\{account\}\/engines\/pypi\/simple\/\{project\}\/ 200 [\d.]+ms \d+B$/m);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    expect(accessLines(await until(byDefault.output, (t) => accessLines(t).length >= 7))).toHaveLength(7);
    await new Promise((r) => setTimeout(r, 300));
    expect(none.output()).not.toMatch(/GET|route/);
  });
});

describe("serve health, readiness and shutdown", { timeout: 120_000 }, () => {
  it("answers /health (the store answers) and /ready, GET and HEAD, with no caching", async () => {
    const server = await serve(DEMO);
    const health = await fetch(`${server.origin}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("cache-control")).toContain("no-store");
    expect(await health.json()).toEqual({ status: "ok", store: "reachable", failures: { store: 0, internal: 0 } });
    const ready = await fetch(`${server.origin}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
    const head = await fetch(`${server.origin}/health`, { method: "HEAD" });
    expect([head.status, await head.text()]).toEqual([200, ""]);
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(404);
  });

  /** A dataset with one 24 MB OPEN raw artifact; resolves to the blob path its raw link redirects to. */
  async function bigDownload(): Promise<{ args: string[]; size: number; blobPath: (origin: string) => Promise<string> }> {
    const dir = mkdtempSync(join(tmpdir(), "re-drain-"));
    mkdirSync(join(dir, "blobs"));
    const size = 24 * 1024 * 1024;
    writeFileSync(join(dir, "blobs", "big"), Buffer.alloc(size, 7));
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ accounts: [{
      slug: "demo", name: "Demo", secretKey: "demo-secret-key-0123456789abcdef",
      products: [{ code: "cli", name: "CLI", distributionStrategy: "OPEN" }],
      packages: [{ product: "cli", key: "tool", name: "Tool", engine: "raw" }],
      releases: [{ product: "cli", package: "tool", version: "1.0.0", status: "PUBLISHED" }],
      artifacts: [{ release: "1.0.0", filename: "big", file: "blobs/big" }],
    }] }));
    const blobPath = async (origin: string) => {
      const res = await fetch(`${origin}/v1/accounts/demo/artifacts/big`, { redirect: "manual" });
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get("location") as string);
      return location.pathname + location.search;
    };
    return { args: ["--data", join(dir, "dataset.json")], size, blobPath };
  }

  /** Start a GET on a raw socket without reading it: the answer stays in flight until `read()`. */
  function stalledGet(origin: string, path: string): Promise<{ socket: Socket; read: () => Promise<number> }> {
    const { hostname, port } = new URL(origin);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
        socket.pause();
        const read = () =>
          new Promise<number>((done) => {
            let bytes = 0;
            socket.on("data", (b: Buffer) => (bytes += b.length));
            socket.on("close", () => done(bytes));
            socket.on("error", () => {});
            socket.resume();
          });
        resolve({ socket, read });
      });
    });
  }

  it("on SIGTERM stops accepting, lets a download in flight finish, then exits 0", async () => {
    const big = await bigDownload();
    const server = await serve([...big.args, "--log-format", "json"]);
    const path = await big.blobPath(server.origin);
    const download = await stalledGet(server.origin, path);
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => server.child.once("exit", (code) => r(code)));
    server.child.kill("SIGTERM");
    await until(server.output, (t) => t.includes("shutting down"));
    await expect(fetch(`${server.origin}/ready`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    expect(server.child.exitCode).toBeNull();
    const bytes = await download.read();
    expect(bytes).toBeGreaterThan(big.size);
    expect(await exited).toBe(0);
    expect(server.output()).toMatch(/"message":"stopped"/);
  });

  it("closes what is still in flight after --shutdown-timeout and exits", async () => {
    const big = await bigDownload();
    const server = await serve([...big.args, "--shutdown-timeout", "1"]);
    const path = await big.blobPath(server.origin);
    const download = await stalledGet(server.origin, path);
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => server.child.once("exit", (code) => r(code)));
    const t0 = Date.now();
    server.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(900);
    expect(took).toBeLessThan(6_000);
    expect(server.output()).toMatch(/drain bound reached/);
    download.socket.destroy();
  });
});
