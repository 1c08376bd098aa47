/**
 * PyPI page contents: Keygen behaviours 15–21 with SPEC §3 items 2–7 (HTML and PEP 691 JSON).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AUTH, IDS, makeHandler, metadataSha, PIP_ACCEPT, simple } from "./fixture.js";

type Handler = (r: Request) => Promise<Response>;
let h: Handler;
beforeAll(async () => {
  h = await makeHandler();
});

const anchors = (html: string) => [...html.matchAll(/<a ([^>]*)>([^<]*)<\/a><br>/g)].map((m) => ({ attrs: m[1] as string, text: m[2] as string }));
const href = (attrs: string) => /href="([^"]*)"/.exec(attrs)?.[1] ?? "";
const demoId = async () => {
  const res = await simple(h, "demo", "", { authorization: AUTH.demoAdmin });
  return /\/v1\/accounts\/([0-9a-f-]{36})\//.exec(await res.text())?.[1] as string;
};

describe("project list (behaviours 15–17)", () => {
  it("has Keygen's layout and one anchor per visible pypi package, linking by package UUID", async () => {
    const res = await simple(h, "acme", "", { authorization: AUTH.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<title>Packages for Acme Inc</title>");
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect(html).toContain("<h1>Packages for Acme Inc</h1>");
    const list = anchors(html);
    // Newest package first; the tauri package is not a pypi package (16).
    expect(list.map((a) => a.text)).toEqual(["acme-sdk", "internal-tools", "acme-tools"]);
    expect(href(list[2]?.attrs as string)).toBe(`http://localhost/v1/accounts/${IDS.account}/engines/pypi/simple/${IDS.pkgPypi}/`);
    expect(list[2]?.attrs).toContain('data-homepage="https://acme.test"');
  });

  it("shows anonymous callers OPEN packages only, licenses their own LICENSED ones too, CLOSED never (17)", async () => {
    const names = async (headers: Record<string, string>) => anchors(await (await simple(h, "acme", "", headers)).text()).map((a) => a.text);
    expect(await names({})).toEqual(["acme-sdk"]);
    expect(await names({ authorization: AUTH.basicLicense("PRO-KEY") })).toEqual(["acme-sdk", "acme-tools"]);
    expect(await names({ authorization: AUTH.product })).toEqual(["acme-tools"]);
  });

  it("escapes names and metadata, JSON-encodes non-strings and never copies installer keys from metadata", async () => {
    const html = await (await simple(h, "demo", "", { authorization: AUTH.demoAdmin })).text();
    expect(html).toContain("<title>Packages for Demo &amp; &lt;Sons&gt;</title>");
    const demo = anchors(html).find((a) => a.text === "demo-pkg");
    expect(demo?.attrs).toContain('data-homepage-url="https://x.test/?a=1&amp;b=&quot;2&quot;"');
    expect(demo?.attrs).toContain('data-stars="5"');
    expect(demo?.attrs).not.toContain("data-yanked");
    expect(anchors(html).map((a) => a.text)).not.toContain("npm-thing");
  });

  it("serves the list as PEP 691 JSON to pip", async () => {
    const res = await simple(h, "acme", "", { accept: PIP_ACCEPT });
    expect(res.headers.get("content-type")).toBe("application/vnd.pypi.simple.v1+json");
    expect(await res.json()).toEqual({ meta: { "api-version": "1.1" }, projects: [{ name: "acme-sdk" }] });
  });
});

describe("project page (behaviours 18–21, SPEC 3–7)", () => {
  it("titles the page and links every file to the artifact download route with its filename (18)", async () => {
    const html = await (await simple(h, "acme", "acme-tools/", { authorization: AUTH.basicLicense("PRO-KEY") })).text();
    expect(html).toContain("<title>Files for Acme Tools by Acme Inc</title>");
    expect(html).toContain("<h1>Files for Acme Tools by Acme Inc</h1>");
    const first = anchors(html)[0];
    expect(first?.text).toBe("acme_tools-2.0.0.tar.gz");
    expect(href(first?.attrs as string)).toBe(
      `http://localhost/v1/accounts/${IDS.account}/artifacts/${IDS.artWhl200Sdist}/acme_tools-2.0.0.tar.gz#sha256=${"a".repeat(64)}`,
    );
  });

  it("turns known hex lengths into fragments, converts base64 to hex and drops the rest (19, SPEC 3)", async () => {
    const html = await (await simple(h, "demo", "hashes/")).text();
    const fragments = Object.fromEntries(anchors(html).map((a) => [a.text, href(a.attrs).split("#")[1] ?? null]));
    expect(fragments).toEqual({
      "h_null.whl": null,
      "h_junk.whl": null,
      "h_b64.whl": `sha512=${"f".repeat(128)}`,
      "h_short.whl": null,
      "h_sha512.whl": `sha512=${"6".repeat(128)}`,
      "h_sha384.whl": `sha384=${"5".repeat(96)}`,
      "h_sha256.whl": `sha256=abcdef${"0".repeat(58)}`,
      "h_sha224.whl": `sha224=${"3".repeat(56)}`,
      "h_sha1.whl": `sha1=${"2".repeat(40)}`,
      "h_md5.whl": `md5=${"1".repeat(32)}`,
    });
    const json = await (await simple(h, "demo", "hashes/", { accept: PIP_ACCEPT })).json();
    const hashes = Object.fromEntries(json.files.map((f: { filename: string; hashes: object }) => [f.filename, f.hashes]));
    expect(hashes["h_b64.whl"]).toEqual({ sha512: "f".repeat(128) });
    expect(hashes["h_junk.whl"]).toEqual({});
    expect(hashes["h_md5.whl"]).toEqual({ md5: "1".repeat(32) });
  });

  it("writes requires-python from metadata, escaped in HTML and plain in JSON, other metadata as data-* (20, SPEC 5)", async () => {
    const html = await (await simple(h, "demo", "demo-pkg/")).text();
    const wheel = anchors(html).find((a) => a.text === "demo_pkg-1.0.0-py3-none-any.whl");
    expect(wheel?.attrs).toContain('data-requires-python="&gt;=3.8,&lt;4"');
    expect(wheel?.attrs).toContain('data-build-tag="x&quot;&lt;y&gt;"');
    expect(anchors(html).find((a) => a.text === "demo_pkg-1.0.0.tar.gz")?.attrs).toContain('data-requires-python="&gt;=3.0.0"');
    const json = await (await simple(h, "demo", "demo-pkg/", { accept: PIP_ACCEPT })).json();
    expect(json.files.find((f: { filename: string }) => f.filename.endsWith(".whl"))["requires-python"]).toBe(">=3.8,<4");
  });

  it("orders files by release version, then newest file first (21)", async () => {
    const html = await (await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin })).text();
    expect(anchors(html).map((a) => a.text)).toEqual([
      "acme_tools-3.0.0-py3-none-any.whl",
      "acme_tools-2.0.0.tar.gz",
      "acme_tools-2.0.0-py3-none-any.whl",
      "acme_tools-2.0.0b1-py3-none-any.whl",
      "acme_tools-1.1.0-py3-none-any.whl",
      "acme_tools-1.0.0.tar.gz",
      "acme_tools-1.0.0-py3-none-any.whl",
      "acme_tools-0.9.0-py3-none-any.whl",
    ]);
  });

  it("marks yanked files with a value, never a bare attribute, only where the caller sees them (SPEC 4)", async () => {
    const html = await (await simple(h, "demo", "demo-pkg/", { authorization: AUTH.demoAdmin })).text();
    const yanked = Object.fromEntries(anchors(html).map((a) => [a.text, /data-yanked="([^"]*)"/.exec(a.attrs)?.[1] ?? null]));
    expect(yanked["demo_pkg-0.9.0-py3-none-any.whl"]).toBe("broken &quot;build&quot;");
    expect(yanked["demo_pkg-0.8.0-py3-none-any.whl"]).toBe("");
    expect(yanked["demo_pkg-1.0.0-py3-none-any.whl"]).toBeNull();
    expect(html).not.toMatch(/data-yanked[ >]/);
    const json = await (await simple(h, "demo", "demo-pkg/", { authorization: AUTH.demoAdmin, accept: PIP_ACCEPT })).json();
    const byName = Object.fromEntries(json.files.map((f: { filename: string; yanked?: unknown }) => [f.filename, f.yanked]));
    expect(byName["demo_pkg-0.9.0-py3-none-any.whl"]).toBe('broken "build"');
    expect(byName["demo_pkg-0.8.0-py3-none-any.whl"]).toBe(true);
    expect(byName["demo_pkg-1.0.0-py3-none-any.whl"]).toBeUndefined();
    // SPEC 19: anonymous callers of an OPEN product see the yanked files too, marked alike.
    const anon = await (await simple(h, "demo", "demo-pkg/")).text();
    const anonYanked = Object.fromEntries(anchors(anon).map((a) => [a.text, /data-yanked="([^"]*)"/.exec(a.attrs)?.[1] ?? null]));
    expect(anonYanked).toEqual(yanked);
  });

  it("lists a LICENSED yanked release's files, marked, to the licenses that would see it published, not to others (SPEC 19)", async () => {
    const files = async (authorization?: string) => {
      const res = await simple(h, "acme", "acme-tools/", { ...(authorization ? { authorization } : {}), accept: PIP_ACCEPT });
      return res.status === 200 ? Object.fromEntries((await res.json()).files.map((f: { filename: string; yanked?: unknown }) => [f.filename, f.yanked ?? null])) : res.status;
    };
    expect(await files(AUTH.licenseToken)).toEqual({
      "acme_tools-2.0.0b1-py3-none-any.whl": null,
      "acme_tools-1.1.0-py3-none-any.whl": null,
      "acme_tools-1.0.0-py3-none-any.whl": null,
      "acme_tools-0.9.0-py3-none-any.whl": true,
    });
    expect(await files()).toBe(401);
  });

  it("advertises PEP 658/714 core-metadata only for an uploaded <file>.metadata, which is not listed itself (SPEC 6)", async () => {
    const sha = await metadataSha();
    const html = await (await simple(h, "demo", "demo-pkg/", { authorization: AUTH.demoAdmin })).text();
    const list = anchors(html);
    expect(list.map((a) => a.text).some((t) => t.endsWith(".metadata"))).toBe(false);
    const wheel = list.find((a) => a.text === "demo_pkg-1.0.0-py3-none-any.whl");
    expect(wheel?.attrs).toContain(`data-core-metadata="sha256=${sha}"`);
    expect(wheel?.attrs).toContain(`data-dist-info-metadata="sha256=${sha}"`);
    // The sdist's sibling is WAITING: nothing advertised that cannot be served.
    expect(list.find((a) => a.text === "demo_pkg-1.0.0.tar.gz")?.attrs).not.toContain("core-metadata");
    const json = await (await simple(h, "demo", "demo-pkg/", { accept: PIP_ACCEPT })).json();
    const file = json.files.find((f: { filename: string }) => f.filename === "demo_pkg-1.0.0-py3-none-any.whl");
    expect(file["core-metadata"]).toEqual({ sha256: sha });
    expect(JSON.stringify(json)).not.toContain("dist-info-metadata");
    // <file URL>.metadata serves it.
    const res = await h(new Request(`${file.url}.metadata`));
    expect(res.status).toBe(303);
    const bytes = new Uint8Array(await (await h(new Request(res.headers.get("location") as string))).arrayBuffer());
    const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
    expect(digest).toBe(sha);
  });

  it("carries PEP 700 versions, size and upload-time in JSON (SPEC 7)", async () => {
    const json = await (await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin, accept: PIP_ACCEPT })).json();
    expect(json.meta).toEqual({ "api-version": "1.1" });
    expect(json.name).toBe("acme-tools");
    expect(json.versions).toEqual(["3.0.0", "2.0.0", "2.0.0b1", "1.1.0", "1.0.0", "0.9.0"]);
    for (const f of json.files) {
      expect(json.versions).toContain(f.filename.endsWith(".whl") ? f.filename.split("-")[1] : f.filename.replace(/\.tar\.gz$/, "").split("-").pop());
      expect(f.size).toBe(100);
      expect(f["upload-time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    }
    expect(json.files[0]["upload-time"]).toBe("2026-01-11T00:00:00.000000Z");
  });

  it("links with the request's origin and the account UUID even when the slug was used", async () => {
    const id = await demoId();
    const res = await h(new Request("http://pkg.example:8080/v1/accounts/demo/engines/pypi/simple/hashes/"));
    expect(href(anchors(await res.text())[0]?.attrs as string).startsWith(`http://pkg.example:8080/v1/accounts/${id}/artifacts/`)).toBe(true);
  });
});
