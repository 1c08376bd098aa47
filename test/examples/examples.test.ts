import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";
import { rawRequest } from "../helpers/raw-http.js";

const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

describe.each(["examples/node-http.ts", "examples/express.ts", "examples/hono.ts"])("%s", (file) => {
  it("serves the demo: engines list, a 404 and a download that follows the redirect", async () => {
    const server = await startListening([file], { PORT: "0" });
    running.push(server);
    const list = await fetch(`${server.origin}/v1/accounts/demo/engines`);
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toContain("application/vnd.api+json");
    const keys = ((await list.json()) as { data: Array<{ attributes: { key: string } }> }).data.map((e) => e.attributes.key);
    expect(keys.sort()).toEqual(["pypi", "tauri"]);

    const missing = await fetch(`${server.origin}/v1/accounts/demo/engines/npm`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("NOT_FOUND");

    const download = await fetch(`${server.origin}/v1/accounts/demo/artifacts/demo_sdk-1.0.0-py3-none-any.whl`, { redirect: "manual" });
    expect(download.status).toBe(303);
    const location = download.headers.get("location") as string;
    expect(location.startsWith(`${server.origin}/v1/blobs/`)).toBe(true);
    const bytes = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(bytes.length).toBe(967);
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]);

    // A request target that names another host never becomes the origin of a redirect (issue 19 item 1).
    const routes: Array<[string, Record<string, string>]> = [
      ["/v1/accounts/demo/engines/pypi/simple", {}],
      ["/v1/accounts/demo/artifacts/demo_pro-2.0.0-py3-none-any.whl", { Authorization: "License DEMO-PRO-KEY" }],
      ["/v1/accounts/demo/engines/raw/cli/1.1.0/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY", {}],
    ];
    for (const [path, headers] of routes) {
      for (const target of [`//evil.example${path}`, `/\\evil.example${path}`, `http://evil.example${path}`]) {
        const res = await rawRequest(server.origin, "GET", target, headers);
        const what = `${target} → ${res.text.slice(0, 300)}`;
        expect(res.headers.location, what).toBeUndefined();
        expect([400, 404], what).toContain(res.status);
        // (Express's own 404 page echoes the target back to the client that sent it; that goes nowhere else.)
        expect(res.text, what).not.toMatch(/Error:|\n\s+at /);
        expect(res.text, what).not.toMatch(/https?:\/\/evil\.example|\/v1\/blobs\/|signature=/i);
      }
    }
  });
});

describe("examples/direct-call.ts", () => {
  it("lists the engines and a licensed caller's projects without HTTP", () => {
    const out = execFileSync(process.execPath, [...TSX, "examples/direct-call.ts"], { cwd: ROOT, encoding: "utf8" });
    // demo-pro is licensed (DEMO-PRO-KEY's entitlement); an anonymous caller would see demo-sdk alone.
    expect(out.trim().split("\n")).toEqual(["engines: tauri, pypi", "DEMO-PRO-KEY sees: demo-pro, demo-sdk"]);
  });
});
