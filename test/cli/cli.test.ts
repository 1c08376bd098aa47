import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-cli-"));
const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

describe.concurrent("release-engines validate", { timeout: 120_000 }, () => {
  it("accepts the demo dataset", async () => {
    const r = await cli("validate", "examples/demo/dataset.json");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: 1 account\(s\), 4 product\(s\), 3 package\(s\), 7 release\(s\), 10 artifact\(s\)/);
  });

  it("lists every problem of a bad dataset with its JSON path and exits 2", async () => {
    writeFileSync(join(dir, "blob.bin"), "hello");
    const bad = {
      accounts: [{
        slug: "acme", name: "Acme", secretKey: "0123456789abcdef0123",
        products: [{ code: "cli", name: "CLI" }],
        packages: [{ product: "nope", key: "p", name: "P", engine: "pypi" }],
        releases: [
          { product: "cli", version: "v1.0" },
          { product: "cli", version: "1.0.0-foo" },
          { product: "cli", version: "2.0.0", channel: "beta" },
        ],
        artifacts: [
          { release: "9.9.9", filename: "a.whl" },
          { release: "2.0.0", filename: "b.whl", file: "../etc/passwd" },
          { release: "2.0.0", filename: "c.whl", file: "blob.bin", checksum: "0".repeat(64) },
          { release: "2.0.0", filename: "d.whl", file: "missing.bin" },
        ],
      }],
    };
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const r = await cli("validate", file);
    expect(r.status).toBe(2);
    for (const path of [
      "accounts[0].packages[0].product",
      "accounts[0].releases[0].version",
      "accounts[0].releases[1].version",
      "accounts[0].releases[2].channel",
      "accounts[0].artifacts[0].release",
      "accounts[0].artifacts[1].file",
      "accounts[0].artifacts[2].checksum",
      "accounts[0].artifacts[3].file",
    ]) {
      expect(r.stderr).toContain(`  ${path}: `);
    }
    expect(r.stderr).toContain("dataset is invalid (8 problems)");
  });

  it("reports schema errors with paths, and unreadable or non-JSON files", async () => {
    const file = join(dir, "schema.json");
    writeFileSync(file, JSON.stringify({ accounts: [{ slug: "Bad Slug", name: 1, secretKey: "short", extra: true }] }));
    writeFileSync(join(dir, "broken.json"), "{ nope");
    const [r, broken, absent] = await Promise.all([cli("validate", file), cli("validate", join(dir, "broken.json")), cli("validate", join(dir, "absent.json"))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("accounts[0].slug:");
    expect(r.stderr).toContain("accounts[0].name:");
    expect(r.stderr).toContain("accounts[0].secretKey:");
    expect(r.stderr).toMatch(/accounts\[0\].*extra/);
    expect(broken.stderr).toContain("not valid JSON");
    expect(broken.status).toBe(2);
    expect(absent.stderr).toContain("cannot read");
    expect(absent.status).toBe(2);
  });
});

describe.concurrent("release-engines usage errors", { timeout: 120_000 }, () => {
  it.each([
    [["serve", "--bogus"], "Unknown option '--bogus'"],
    [["serve"], "serve needs --data"],
    [["serve", "--data", "examples/demo/dataset.json", "--port", "http"], "--port must be a number"],
    [["serve", "--data", "examples/demo/dataset.json", "--port", "70000"], "--port must be a number"],
    [["serve", "--data", "examples/demo/dataset.json", "--base-url", "ftp://x"], "--base-url must be an http(s) URL"],
    [["serve", "--data", "examples/demo/dataset.json", "--pypi-upstream", "ftp://mirror"], "--pypi-upstream must be 'none' or an http(s) URL"],
    [["serve", "--data", "examples/demo/dataset.json", "--npm-upstream", "ftp://mirror"], "--npm-upstream must be 'none' or an http(s) URL"],
    [["validate"], "validate needs exactly one FILE.json"],
    [["launch"], "unknown command 'launch'"],
    [[], "a command is required"],
  ])("%j exits 2 with a message", async (args, message) => {
    const r = await cli(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("prints help for each command", async () => {
    const [top, serve, validate] = await Promise.all([cli("--help"), cli("serve", "--help"), cli("validate", "--help")]);
    expect(top.stdout).toContain("Commands:");
    expect(serve.stdout).toContain("--data FILE");
    expect(validate.stdout).toContain("Usage: release-engines validate");
  });
});

describe("release-engines serve", { timeout: 120_000 }, () => {
  it("prints the real port with --port 0, serves, and stops cleanly on SIGTERM", async () => {
    const server = await startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0"]);
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.origin.endsWith(":0")).toBe(false);
    const res = await fetch(`${server.origin}/v1/accounts/demo/engines`);
    expect(res.status).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it("sends unknown PyPI projects upstream, or answers 404 with --pypi-upstream none, and HTML only on request", async () => {
    const [plain, closed] = await Promise.all([
      startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--pypi-upstream", "https://mirror.example/simple"]),
      startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--pypi-upstream", "none", "--pypi-html-only"]),
    ]);
    running.push(plain, closed);
    const unknown = "/v1/accounts/demo/engines/pypi/simple/left-pad/";
    const a = await fetch(`${plain.origin}${unknown}`, { redirect: "manual" });
    expect(a.status).toBe(307);
    expect(a.headers.get("location")).toBe("https://mirror.example/simple/left-pad/");
    expect((await fetch(`${closed.origin}${unknown}`, { redirect: "manual" })).status).toBe(404);
    const accept = { accept: "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01" };
    const json = await fetch(`${plain.origin}/v1/accounts/demo/engines/pypi/simple/demo-sdk/`, { headers: accept });
    expect(json.headers.get("content-type")).toContain("application/vnd.pypi.simple.v1+json");
    const html = await fetch(`${closed.origin}/v1/accounts/demo/engines/pypi/simple/demo-sdk/`, { headers: accept });
    expect(html.headers.get("content-type")).toMatch(/html/);
  });

  it("answers 404 to unknown npm packages, or sends them upstream with --npm-upstream", async () => {
    const [closed, open] = await Promise.all([
      startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0"]),
      startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--npm-upstream", "https://registry.npmjs.org/"]),
    ]);
    running.push(closed, open);
    const unknown = "/v1/accounts/demo/engines/npm/@acme%2fleft-pad";
    expect((await fetch(`${closed.origin}${unknown}`, { redirect: "manual" })).status).toBe(404);
    const sent = await fetch(`${open.origin}${unknown}`, { redirect: "manual" });
    expect(sent.status).toBe(307);
    expect(sent.headers.get("location")).toBe("https://registry.npmjs.org/@acme%2fleft-pad");
  });

  it("uses --base-url for absolute URLs", async () => {
    const server = await startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--base-url", "https://dl.example.com/"]);
    running.push(server);
    const res = await fetch(`${server.origin}/v1/accounts/demo/artifacts/demo_sdk-1.0.0-py3-none-any.whl`, { redirect: "manual" });
    expect(res.headers.get("location")).toMatch(/^https:\/\/dl\.example\.com\/v1\/blobs\//);
  });

  it("answers the account-less form /v1/<path> with --account, and refuses an unknown account", async () => {
    const server = await startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--account", "demo"]);
    running.push(server);
    const res = await fetch(`${server.origin}/v1/engines`);
    expect(res.status).toBe(200);
    expect((await fetch(`${server.origin}/v1/accounts/demo/engines`)).status).toBe(200);
    const write = await fetch(`${server.origin}/v1/releases`, { method: "POST", headers: { "content-type": "application/vnd.api+json" }, body: "{}" });
    expect(write.status).toBe(405);
    const bad = await cli("serve", "--data", "examples/demo/dataset.json", "--port", "0", "--account", "ghost");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--account names no account");
  });
});
