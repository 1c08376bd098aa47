/**
 * Mountable links (issue 15 item 1) and the seed's short hosts (issue 17 item 1; keygen-api
 * config/routes.rb `*.pkg` subdomains): every link an engine emits comes from one builder, and the
 * handler serves under a base path and on each engine's own host or prefix.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { DEMO_TAURI_CHECK as TAURI, loadDemoWorld } from "../helpers/demo-world.js";


const { store, blobs, accountId } = await loadDemoWorld();


describe("createFetchHandler mounts", () => {
  it("basePath: serves below it, and every link and blob URL stays below it", async () => {
    const handler = createFetchHandler({ store, blobs, basePath: "/api" });
    expect((await handler(new Request("http://h.test/v1/accounts/demo/engines/pypi/simple/"))).status).toBe(404);
    const page = await (await handler(new Request("http://h.test/api/v1/accounts/demo/engines/pypi/simple/demo-sdk/"))).text();
    const href = /href="([^"#]+demo_sdk-1\.0\.0-py3-none-any\.whl)#/.exec(page)?.[1] as string;
    expect(href).toMatch(new RegExp(`^http://h\\.test/api/v1/accounts/${accountId}/artifacts/`));
    const download = await handler(new Request(href, { redirect: "manual" }));
    expect(download.status).toBe(303);
    const location = download.headers.get("location") as string;
    expect(location).toMatch(/^http:\/\/h\.test\/api\/v1\/blobs\//);
    const bytes = new Uint8Array(await (await handler(new Request(location))).arrayBuffer());
    expect([bytes.length, bytes[0], bytes[1]]).toEqual([967, 0x50, 0x4b]);
    const tauri = (await (await handler(new Request(`http://h.test/api/v1/accounts/demo/engines/tauri/demo-app?${TAURI}`))).json()) as { url: string };
    expect(tauri.url).toMatch(/^http:\/\/h\.test\/api\/v1\/accounts\//);
  });

  it("the default output is Keygen's layout, unchanged", async () => {
    const handler = createFetchHandler({ store, blobs });
    const tauri = (await (await handler(new Request(`http://h.test/v1/accounts/demo/engines/tauri/demo-app?${TAURI}`))).json()) as { url: string };
    expect(tauri.url).toMatch(new RegExp(`^http://h\\.test/v1/accounts/${accountId}/artifacts/[0-9a-f-]{36}/DemoApp_1\\.1\\.0_amd64\\.AppImage\\.tar\\.gz$`));
  });

  describe("shortHosts (the seed's pypi., tauri. and raw. hosts)", () => {
    const hosts = { pypi: "pypi.dl.test", tauri: "tauri.dl.test", raw: "raw.dl.test" };
    const get = (handler: (r: Request) => Promise<Response>, url: string, headers: Record<string, string> = {}) => handler(new Request(url, { headers, redirect: "manual" }));

    it("pypi.<host>/<account>/simple/: pages, redirects and links stay on that host", async () => {
      const handler = createFetchHandler({ store, blobs, shortHosts: hosts });
      const index = await get(handler, "http://pypi.dl.test/demo/simple/");
      expect(index.status).toBe(200);
      const html = await index.text();
      expect(html).toMatch(new RegExp(`href="http://pypi\\.dl\\.test/${accountId}/simple/[0-9a-f-]{36}/"`));
      const byId = /href="([^"]+)"/.exec(html)?.[1] as string;
      expect((await get(handler, byId)).status).toBe(200);
      const moved = await get(handler, "http://pypi.dl.test/demo/simple/Demo_SDK?x=1");
      expect([moved.status, moved.headers.get("location")]).toEqual([301, "http://pypi.dl.test/demo/simple/demo-sdk/?x=1"]);
      const page = await (await get(handler, "http://pypi.dl.test/demo/simple/demo-sdk/")).text();
      expect(page).toMatch(new RegExp(`href="http://pypi\\.dl\\.test/v1/accounts/${accountId}/artifacts/`));
      // Keygen's layout keeps working on the engine's host; the short form is that engine's only.
      expect((await get(handler, "http://pypi.dl.test/v1/accounts/demo/engines/pypi/simple/demo-sdk/")).status).toBe(200);
      expect((await get(handler, "http://pypi.dl.test/demo/demo-app?" + TAURI)).status).toBe(404);
      expect((await get(handler, "http://dl.test/demo/simple/")).status).toBe(404);
      // A licensed project answers the Basic challenge on the short host too.
      const challenged = await get(handler, "http://pypi.dl.test/demo/simple/demo-pro/");
      expect([challenged.status, challenged.headers.get("www-authenticate")]).toEqual([401, 'Basic realm="demo"']);
      const licensed = await get(handler, "http://pypi.dl.test/demo/simple/demo-pro/", { authorization: `Basic ${btoa("license:DEMO-PRO-KEY")}` });
      expect(licensed.status).toBe(200);
    });

    it("tauri.<host>/<account>/<package> and raw.<host>/<account>/<product>/<release>/<artifact>: links on the same host", async () => {
      const handler = createFetchHandler({ store, blobs, shortHosts: hosts, baseUrl: "https://dl.example.com" });
      const tauri = (await (await get(handler, `http://tauri.dl.test/demo/demo-app?${TAURI}`)).json()) as { url: string };
      // The engine's own host keeps its scheme from baseUrl but never moves to baseUrl's host.
      expect(tauri.url).toMatch(new RegExp(`^https://tauri\\.dl\\.test/v1/accounts/${accountId}/artifacts/`));
      const raw = await get(handler, "http://raw.dl.test/demo/cli/latest/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY");
      expect(raw.status).toBe(303);
      expect(raw.headers.get("location")).toMatch(new RegExp(`^https://raw\\.dl\\.test/v1/accounts/${accountId}/artifacts/[0-9a-f-]{36}/demo-tool_linux_amd64\\?auth=`));
      expect((await get(handler, "http://raw.dl.test/demo/cli/latest/demo-tool_linux_amd64")).status).toBe(404);
      // Elsewhere, baseUrl rules as before.
      const main = (await (await get(handler, `http://dl.test/v1/accounts/demo/engines/tauri/demo-app?${TAURI}`)).json()) as { url: string };
      expect(main.url.startsWith("https://dl.example.com/v1/")).toBe(true);
    });

    it("path prefixes instead of hosts, and the single-account form without <account>", async () => {
      const handler = createFetchHandler({ store, blobs, shortHosts: { pypi: "/pypi", tauri: "/tauri", raw: "/raw" }, account: "demo" });
      const moved = await get(handler, "http://h.test/pypi/simple/Demo_SDK/");
      expect([moved.status, moved.headers.get("location")]).toEqual([301, "http://h.test/pypi/simple/demo-sdk/"]);
      expect((await get(handler, "http://h.test/pypi/simple/demo-sdk/")).status).toBe(200);
      expect((await get(handler, `http://h.test/tauri/demo-app?${TAURI}`)).status).toBe(200);
      expect((await get(handler, "http://h.test/raw/cli/1.1.0/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY")).status).toBe(303);
      expect((await get(handler, "http://h.test/pypi/demo/simple/demo-sdk/")).status).toBe(404);
      const multi = createFetchHandler({ store, shortHosts: { pypi: "/pypi" } });
      expect((await get(multi, "http://h.test/pypi/demo/simple/demo-sdk/")).status).toBe(200);
    });

    it("refuses a short host that is not a host name or a path", () => {
      expect(() => createFetchHandler({ store, shortHosts: { pypi: "pypi.test/x?y" } })).toThrow(TypeError);
      expect(() => createFetchHandler({ store, shortHosts: { pypi: "" } })).toThrow(TypeError);
    });
  });
});
