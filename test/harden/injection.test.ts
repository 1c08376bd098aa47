/**
 * Injection and traversal (issue 9, item 2), extending test/pypi and test/downloads with
 * properties: every text and attribute on PyPI pages is escaped and round-trips, whatever the
 * account, package, file and metadata strings; blob bytes never come from outside the blob folder,
 * whatever the URL; signed download URLs cannot be forged, replayed after expiry or moved.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/core/crypto.js";
import { loadDataset } from "../../src/dataset/load.js";
import { dataAttributes } from "../../src/engines/pypi/files.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { AUTH, blobBytes, hardenHandler, IDS, NOW, type Handler } from "./world.js";

const PIP_JSON = "application/vnd.pypi.simple.v1+json";
const ADMIN_ID = "00000000-0000-4000-8000-00000000a001";
const ADMIN_TOKEN = `admin-${"7".repeat(64)}v3`;

/** Strings an attacker would try, mixed with random ones (any code point). */
const hostile = fc.oneof(
  fc.constantFrom(
    `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='x`, `</a><a href="https://evil.test/">`, `&amp;&lt;`, `&#x3C;`,
    `javascript:alert(1)`, `a"b'c<d>e&f`, "line\nbreak\r\n", "\u2028\u2029", "<!--", "]]>", "\u0000nul", "%3Cscript%3E", "{{x}}", "`x`",
  ),
  fc.string({ unit: fc.constantFrom("<", ">", "&", '"', "'", "=", "/", " ", "a", "#", "?", ";", "\n", "é", "\u{1F600}"), maxLength: 16 }),
  fc.string({ unit: "binary", maxLength: 16 }),
);

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] as string);

/** Every `&` in markup text starts one of the five entities the escaper writes. */
const cleanText = (s: string) => !/[<>]/.test(s) && !/&(?!(amp|lt|gt|quot|#39);)/.test(s);

interface ParsedPage {
  title: string;
  h1: string;
  anchors: Array<{ attrs: Array<[string, string]>; text: string }>;
}

/** Parse a page by the exact grammar the renderer promises; throws on anything else (an injected tag or attribute). */
function parsePage(html: string): ParsedPage {
  const m = /^<!DOCTYPE html>\n<html>\n<head>\n<title>([^<>]*)<\/title>\n<meta name="pypi:repository-version" content="1\.1">\n<\/head>\n<body>\n<h1>([^<>]*)<\/h1>\n([\s\S]*)<\/body>\n<\/html>\n$/.exec(html);
  if (m === null) throw new Error(`page does not follow the grammar:\n${html}`);
  const [, title, h1, body] = m as unknown as [string, string, string, string];
  if (!cleanText(title) || !cleanText(h1)) throw new Error("unescaped title");
  const anchors: ParsedPage["anchors"] = [];
  const re = /<a((?: [a-z][a-z0-9.-]*="[^"<>]*")*)>([^<>]*)<\/a><br>\n/y;
  while (re.lastIndex < body.length) {
    const from = re.lastIndex;
    const a = re.exec(body);
    if (a === null) throw new Error(`anchor does not follow the grammar: ${body.slice(from, from + 200)}`);
    const attrs = [...(a[1] as string).matchAll(/ ([a-z][a-z0-9.-]*)="([^"<>]*)"/g)].map((x) => {
      if (!cleanText(x[2] as string)) throw new Error(`unescaped attribute: ${x[0]}`);
      return [x[1] as string, unescape(x[2] as string)] as [string, string];
    });
    if (!cleanText(a[2] as string)) throw new Error(`unescaped text: ${a[0]}`);
    anchors.push({ attrs, text: unescape(a[2] as string) });
  }
  return { title: unescape(title), h1: unescape(h1), anchors };
}

describe("PyPI pages escape every text and attribute (item 2)", () => {
  const world = fc.record({
    accountName: hostile,
    packageName: hostile.filter((s) => s.length > 0),
    filenames: fc.uniqueArray(hostile.filter((s) => s.length > 0 && s.length < 200 && !s.includes("/") && !s.endsWith(".metadata")), { minLength: 1, maxLength: 3 }),
    metaKey: fc.oneof(fc.constantFrom("homepage", "buildTag", "x_y", "data-x", "a.b"), hostile),
    metaValue: fc.oneof(hostile, fc.integer(), fc.constant(null), fc.array(hostile, { maxLength: 2 })),
    requiresPython: hostile.filter((s) => s.trim() !== ""),
    yankReason: hostile,
  });

  it("round-trips hostile names, filenames, metadata keys and values, requires-python and yank reasons, in HTML and JSON", async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const dataset = await loadDataset({
          accounts: [{
            slug: "x", name: w.accountName, secretKey: "x-secret-key-0123456789abcdef",
            products: [{ code: "p", name: "P", distributionStrategy: "OPEN" }],
            packages: [{ product: "p", key: "pkg", name: w.packageName, engine: "pypi", metadata: { [w.metaKey]: w.metaValue } }],
            releases: [
              { product: "p", package: "pkg", version: "1.0.0", status: "PUBLISHED" },
              { product: "p", package: "pkg", version: "0.9.0", status: "YANKED", metadata: { yankedReason: w.yankReason } },
            ],
            users: [{ id: ADMIN_ID, email: "admin@x.test", role: "admin" }],
            tokens: [{ bearer: { type: "user", id: ADMIN_ID }, token: ADMIN_TOKEN }],
            artifacts: [
              ...w.filenames.map((filename, i) => ({
                release: "pkg@1.0.0", filename, filesize: 1, checksum: String(i).repeat(64), status: "UPLOADED" as const,
                metadata: { requiresPython: w.requiresPython, [w.metaKey]: w.metaValue },
              })),
              { release: "pkg@0.9.0", filename: "pkg-0.9.0.tar.gz", filesize: 1, checksum: "f".repeat(64), status: "UPLOADED" as const },
            ],
          }],
        }).catch(() => null);
        fc.pre(dataset !== null);
        const h = createFetchHandler({ store: createMemoryStore(dataset!) });
        const get = (p: string, accept = "text/html") => h(new Request(`http://localhost/v1/accounts/x/engines/pypi/simple/${p}`, { headers: { accept, authorization: `Bearer ${ADMIN_TOKEN}` } }));

        const index = parsePage(await (await get("")).text());
        expect(index.title).toBe(`Packages for ${w.accountName}`);
        expect(index.h1).toBe(index.title);
        expect(index.anchors.map((a) => a.text)).toEqual(["pkg"]);
        const expectedData = dataAttributes({ [w.metaKey]: w.metaValue }).map(([k, v]) => [`data-${k}`, v]);
        expect(index.anchors[0]?.attrs.filter(([k]) => k !== "href")).toEqual(expectedData);

        const page = await get("pkg/");
        expect(page.status).toBe(200);
        const project = parsePage(await page.text());
        expect(project.title).toBe(`Files for ${w.packageName} by ${w.accountName}`);
        expect(project.anchors.map((a) => a.text).sort()).toEqual([...w.filenames, "pkg-0.9.0.tar.gz"].sort());
        for (const a of project.anchors) {
          const attrs = new Map(a.attrs);
          // The link names exactly this file and carries exactly its hash fragment.
          const href = new URL(attrs.get("href") as string);
          expect(decodeURIComponent(href.pathname.split("/").pop() as string)).toBe(a.text);
          expect(href.hash).toMatch(/^#sha256=[0-9a-f]{64}$/);
          if (a.text === "pkg-0.9.0.tar.gz") {
            expect(attrs.get("data-yanked")).toBe(w.yankReason);
          } else {
            expect(attrs.get("data-requires-python")).toBe(w.requiresPython);
            expect(attrs.has("data-yanked")).toBe(false);
            for (const [k, v] of expectedData) expect(attrs.get(k as string)).toBe(v);
          }
        }
        const json = await (await get("pkg/", PIP_JSON)).json();
        for (const f of json.files as Array<{ filename: string; url: string; "requires-python"?: string; yanked?: unknown }>) {
          expect(decodeURIComponent(new URL(f.url).pathname.split("/").pop() as string)).toBe(f.filename);
          if (f.filename === "pkg-0.9.0.tar.gz") expect(f.yanked).toBe(w.yankReason === "" ? true : w.yankReason);
          else expect(f["requires-python"]).toBe(w.requiresPython);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("blob paths never leave the blob folder (item 2)", () => {
  let dir: string;
  let handler: Handler;
  let signed: URL;
  const SECRET = "outside-the-root: top secret";

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-harden-blobs-"));
    const root = path.join(dir, "data");
    fs.mkdirSync(path.join(root, "blobs"), { recursive: true });
    fs.writeFileSync(path.join(dir, "secret.txt"), SECRET);
    fs.writeFileSync(path.join(root, "blobs", "ok.whl"), "inside bytes");
    fs.writeFileSync(
      path.join(root, "dataset.json"),
      JSON.stringify({
        accounts: [{
          id: IDS.account, slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef",
          products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }],
          packages: [{ product: "app", key: "pkg", name: "Pkg", engine: "pypi" }],
          releases: [{ product: "app", package: "pkg", version: "1.0.0", status: "PUBLISHED" }],
          artifacts: [{ id: IDS.artOpen, release: "pkg@1.0.0", filename: "pkg-1.0.0-py3-none-any.whl", file: "blobs/ok.whl" }],
        }],
      }),
    );
    const loaded = await loadDatasetFile(path.join(root, "dataset.json"));
    handler = createFetchHandler({ store: createMemoryStore(loaded.dataset), blobs: createFileBlobStorage({ root: loaded.root }), now: () => NOW });
    signed = new URL((await handler(new Request(`http://localhost/v1/accounts/acme/artifacts/${IDS.artOpen}`))).headers.get("location") as string);
    expect(await (await handler(new Request(signed))).text()).toBe("inside bytes");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses dataset files that point outside its folder: .., absolute, encoded, symlinks", async () => {
    const root = path.join(dir, "data");
    fs.symlinkSync(path.join(dir, "secret.txt"), path.join(root, "blobs", "link.whl"));
    fs.symlinkSync(dir, path.join(root, "up"));
    for (const file of ["../secret.txt", "blobs/../../secret.txt", path.join(dir, "secret.txt"), "blobs/link.whl", "up/secret.txt", "..%2Fsecret.txt", "..\\secret.txt", "C:/secret.txt", "blobs/ok.whl\u0000"]) {
      const at = path.join(root, `d-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(at, JSON.stringify({ accounts: [{ slug: "a", name: "A", secretKey: "k".repeat(32), products: [{ code: "p", name: "P" }], releases: [{ product: "p", version: "1.0.0" }], artifacts: [{ release: "1.0.0", filename: "f", file }] }] }));
      await expect(loadDatasetFile(at), file).rejects.toMatchObject({ code: "DATASET_INVALID" });
    }
  });

  it("never serves bytes from outside the folder, whatever the blob URL path", async () => {
    const traversal = fc.constantFrom("..", "%2e%2e", "%2E%2E", "..%2f..", "..%5c..", "%2fetc%2fpasswd", "secret.txt", "..%252f", "%00", "data", "blobs", "ok.whl", "", ".");
    await fc.assert(
      fc.asyncProperty(fc.array(traversal, { minLength: 1, maxLength: 6 }), fc.boolean(), async (segments, keepQuery) => {
        const u = new URL(signed);
        const ids = u.pathname.split("/").slice(3, 5);
        u.pathname = `/v1/blobs/${[...ids.slice(0, segments.length % 3), ...segments].join("/")}`;
        if (!keepQuery) u.search = "";
        const res = await handler(new Request(u));
        const text = await res.text();
        expect(text).not.toContain("top secret");
        expect([200, 403, 404]).toContain(res.status);
        if (res.status === 200) expect(text).toBe("inside bytes");
      }),
      { numRuns: 300 },
    );
  });
});

describe("signed download URLs (item 2)", () => {
  let handler: Handler;
  let clock = NOW.getTime();
  const at = () => new Date(clock);
  const locationOf = async (id: string, auth = AUTH.admin) =>
    new URL((await handler(new Request(`http://localhost/v1/accounts/acme/artifacts/${id}`, { headers: { authorization: auth } }))).headers.get("location") as string);
  const fetchBlob = (u: URL | string) => handler(new Request(u));

  beforeAll(async () => {
    ({ handler } = await hardenHandler({ now: at }));
  });

  it("cannot be forged: any change to the account, artifact, expiry, key id or signature is refused", async () => {
    clock = NOW.getTime();
    const url = await locationOf(IDS.artWhl110);
    expect((await fetchBlob(url)).status).toBe(200);
    const parts = ["account", "artifact", "expires", "kid", "signature"] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...parts), fc.nat(), fc.constantFrom(..."0123456789abcdef-xZ%"), async (part, position, char) => {
        const u = new URL(url);
        const segs = u.pathname.split("/");
        const edit = (s: string) => {
          const i = position % Math.max(1, s.length);
          return s.slice(0, i) + char + s.slice(i + 1);
        };
        if (part === "account") segs[3] = edit(segs[3] as string);
        else if (part === "artifact") segs[4] = edit(segs[4] as string);
        else u.searchParams.set(part, edit(u.searchParams.get(part) as string));
        if (part === "account" || part === "artifact") u.pathname = segs.join("/");
        fc.pre(u.toString() !== url.toString());
        const res = await fetchBlob(u);
        expect([400, 403, 404]).toContain(res.status);
        expect(await res.text()).not.toContain("blob:");
      }),
      { numRuns: 400 },
    );
  });

  it("cannot be moved to another artifact, even with a valid signature for that account", async () => {
    clock = NOW.getTime();
    const a = await locationOf(IDS.artWhl110);
    const b = await locationOf(IDS.artOpen);
    const moved = new URL(a);
    moved.pathname = moved.pathname.replace(IDS.artWhl110, IDS.artOpen);
    expect((await fetchBlob(moved)).status).toBe(403);
    // Each URL still fetches exactly its own artifact's bytes.
    expect(await (await fetchBlob(a)).text()).toBe(new TextDecoder().decode(blobBytes(`${IDS.artWhl110}.bin`)));
    expect(await (await fetchBlob(b)).text()).toBe(new TextDecoder().decode(blobBytes(`${IDS.artOpen}.bin`)));
    // Signed with another account's secret, for this account's artifact: refused.
    const expires = a.searchParams.get("expires") as string;
    const forged = new URL(a);
    forged.searchParams.set("signature", await hmacSha256Hex("other-secret-key-0123456789abcdef", `a1\n${IDS.account}\n${IDS.artWhl110}\n${expires}`));
    expect((await fetchBlob(forged)).status).toBe(403);
  });

  it("cannot be replayed after expiry: valid strictly before, refused at and after, for any ttl and clock", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 * 86400 }), fc.integer({ min: 60, max: 604_800 }), fc.integer({ min: -3600, max: 3600 }), async (start, ttl, delta) => {
        clock = NOW.getTime() + start * 1000;
        const res = await handler(new Request(`http://localhost/v1/accounts/acme/artifacts/${IDS.artWhl110}?ttl=${ttl}`, { headers: { authorization: AUTH.admin } }));
        const url = new URL(res.headers.get("location") as string);
        const expires = Number(url.searchParams.get("expires"));
        expect(expires * 1000).toBeGreaterThanOrEqual(clock + ttl * 1000);
        clock = expires * 1000 + delta * 1000;
        const served = await fetchBlob(url);
        expect(served.status).toBe(delta < 0 ? 200 : 403);
        await served.arrayBuffer();
      }),
      { numRuns: 150 },
    );
    clock = NOW.getTime();
  });
});
