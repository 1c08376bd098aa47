/**
 * examples/custom-router.ts (issue 15 item 1): an Express 5 router serving the engines under its own
 * paths with its own auth middleware; real pip installs through it, a Tauri check and its download go
 * through it, and `curl -L` of a raw link gets the bytes, every link pointing back at the router.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startListening, type Started } from "../helpers/process.js";
import { runPip } from "../e2e/pip-helpers.js";

const run = promisify(execFile);
const BLOBS = path.join(ROOT, "examples/demo/blobs");
let server: Started | undefined;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-custom-router-"));
  server = await startListening(["examples/custom-router.ts"], { PORT: "0" });
});

afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const origin = () => (server as Started).origin;

describe("examples/custom-router.ts", () => {
  it("pip installs a licensed package from /downloads/pypi/simple/, and is refused without the license", async () => {
    const host = new URL(origin()).host;
    const target = path.join(dir, "site");
    const got = await runPip(dir, ["install", "--index-url", `http://license:DEMO-PRO-KEY@${host}/downloads/pypi/simple/`, "--target", target, "demo-pro==2.0.0"]);
    expect(got.code, got.out).toBe(0);
    expect(fs.readdirSync(target).some((f) => f.startsWith("demo_pro-2.0.0.dist-info"))).toBe(true);
    const refused = await runPip(dir, ["install", "--index-url", `http://${host}/downloads/pypi/simple/`, "--target", path.join(dir, "nope"), "demo-pro==2.0.0"]);
    expect(refused.code).not.toBe(0);
    // The page's links are the router's: Keygen's layout is not served here.
    const page = await (await fetch(`${origin()}/downloads/pypi/simple/demo-sdk/`)).text();
    expect(page).toContain(`href="${origin()}/downloads/files/`);
    expect(page).not.toContain("/v1/accounts/");
    expect((await fetch(`${origin()}/v1/accounts/demo/engines/pypi/simple/demo-sdk/`)).status).toBe(404);
  });

  it("a Tauri check at /updates/{app} answers a url on the router, whose download gets the bytes", async () => {
    const res = await fetch(`${origin()}/updates/demo-app?platform=linux&arch=x86_64&version=1.0.0`);
    expect(res.status).toBe(200);
    expect([res.headers.get("x-content-type-options"), res.headers.get("cache-control")]).toEqual(["nosniff", "no-transform, no-store, max-age=0"]);
    const body = (await res.json()) as { url: string; version: string };
    expect(body.version).toBe("1.1.0");
    expect(body.url.startsWith(`${origin()}/downloads/files/`)).toBe(true);
    const download = await fetch(body.url);
    expect(download.status).toBe(200);
    expect(download.url.startsWith(`${origin()}/downloads/v1/blobs/`)).toBe(true);
    expect(Buffer.from(await download.arrayBuffer()).equals(fs.readFileSync(path.join(BLOBS, "DemoApp_1.1.0_amd64.AppImage.tar.gz")))).toBe(true);
    expect((await fetch(`${origin()}/updates/demo-app?platform=linux&arch=x86_64&version=1.1.0`)).status).toBe(204);
  });

  it("curl -L of /get/{product}/latest/{artifact} with the app's own X-License-Key header gets the bytes; a bad key is 401", async () => {
    const out = path.join(dir, "tool");
    const url = `${origin()}/get/cli/latest/demo-tool_linux_amd64`;
    const { stdout } = await run("curl", ["-sSL", "--max-redirs", "5", "-H", "X-License-Key: DEMO-CLI-KEY", "-o", out, "-w", "%{http_code}", url]);
    expect(stdout).toBe("200");
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(BLOBS, "demo-tool_linux_amd64-1.1.0")))).toBe(true);
    const bad = await fetch(url, { headers: { "X-License-Key": "NOPE" }, redirect: "manual" });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("LICENSE_INVALID");
    expect((await fetch(url, { redirect: "manual" })).status).toBe(404);
  });
});
