/**
 * The seed's short hosts end to end (issue 17 item 1; keygen-api config/routes.rb `*.pkg` subdomain
 * constraints): `serve --pypi-host/--tauri-host/--raw-host`, real pip installing a licensed package from
 * `pypi.dl.test/demo/simple/`, and curl doing a Tauri check and a raw link on their hosts, each
 * following the links to the artifact's bytes on the same host (through a forward proxy: no DNS here).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startListening, type Started } from "../helpers/process.js";
import { startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy.js";
import { runPip } from "./pip-helpers.js";

const run = promisify(execFile);
const DEMO = path.join(ROOT, "examples/demo");
let server: Started | undefined;
let proxy: ForwardProxy | undefined;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-short-hosts-"));
  server = await startListening(["src/cli.ts", "serve", "--data", path.join(DEMO, "dataset.json"), "--port", "0", "--pypi-host", "pypi.dl.test", "--tauri-host", "tauri.dl.test", "--raw-host", "raw.dl.test"]);
  proxy = await startForwardProxy(server.origin);
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function curl(url: string, out: string): Promise<{ status: string; final: string }> {
  const { stdout } = await run("curl", ["-sSL", "--max-redirs", "5", "-x", (proxy as ForwardProxy).url, "-o", out, "-w", "%{http_code} %{url_effective}", url]);
  const [status, final] = stdout.trim().split(" ");
  return { status: status as string, final: final as string };
}

describe("short hosts with real clients", () => {
  it("pip installs a licensed package from pypi.<host>/<account>/simple/, every request on that host", async () => {
    const target = path.join(dir, "site");
    const index = "http://license:DEMO-PRO-KEY@pypi.dl.test/demo/simple/";
    const got = await runPip(dir, ["install", "--index-url", index, "--proxy", (proxy as ForwardProxy).url, "--trusted-host", "pypi.dl.test", "--target", target, "demo-pro==2.0.0"]);
    expect(got.code, got.out).toBe(0);
    expect(fs.readdirSync(target).some((f) => f.startsWith("demo_pro-2.0.0.dist-info"))).toBe(true);
    const seen = (proxy as ForwardProxy).hosts.slice();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((h) => h.replace(/:\d+$/, "")))).toEqual(new Set(["pypi.dl.test"]));
    // Without the license, pip is refused on the short host as on the long one.
    const refused = await runPip(dir, ["install", "--index-url", "http://pypi.dl.test/demo/simple/", "--proxy", (proxy as ForwardProxy).url, "--trusted-host", "pypi.dl.test", "--target", path.join(dir, "nope"), "demo-pro==2.0.0"]);
    expect(refused.code).not.toBe(0);
  });

  it("a Tauri check on tauri.<host>/<account>/<package> and its download stay on that host", async () => {
    const check = path.join(dir, "update.json");
    const res = await curl("http://tauri.dl.test/demo/demo-app?platform=linux&arch=x86_64&version=1.0.0", check);
    expect(res.status).toBe("200");
    const body = JSON.parse(fs.readFileSync(check, "utf8")) as { url: string; version: string };
    expect(body.version).toBe("1.1.0");
    expect(new URL(body.url).host).toBe("tauri.dl.test");
    const file = path.join(dir, "app.tar.gz");
    const download = await curl(body.url, file);
    expect(download.status).toBe("200");
    expect(new URL(download.final).host).toBe("tauri.dl.test");
    expect(fs.readFileSync(file).equals(fs.readFileSync(path.join(DEMO, "blobs/DemoApp_1.1.0_amd64.AppImage.tar.gz")))).toBe(true);
  });

  it("curl -L of raw.<host>/<account>/<product>/<release>/<artifact> gets the bytes on that host", async () => {
    const file = path.join(dir, "tool");
    const res = await curl("http://raw.dl.test/demo/cli/latest/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY", file);
    expect(res.status).toBe("200");
    expect(new URL(res.final).host).toBe("raw.dl.test");
    expect(fs.readFileSync(file).equals(fs.readFileSync(path.join(DEMO, "blobs/demo-tool_linux_amd64-1.1.0")))).toBe(true);
  });
});
