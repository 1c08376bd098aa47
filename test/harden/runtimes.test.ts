/**
 * Runtimes (issue 9, item 6): the built `.` entry (dist/index.js and every chunk it reaches) has no
 * `node:` or Node built-in imports and no `process`/`Buffer`/`require`; and `createFetchHandler`
 * with the memory store answers exactly as in Node inside an edge-like realm: a `node:vm` context
 * that has only Web globals, running the built bundle re-bundled to an IIFE by esbuild.
 */
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { build as esbuild } from "esbuild";
import { build as tsup } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import tsupConfig from "../../tsup.config.js";
import { conformanceDatasetFile } from "../../src/testing/fixture.js";
import { ROOT } from "../helpers/process.js";
import { AUTH, hardenHandler, IDS, NOW, type Handler } from "./world.js";

let out: string;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "re-dist-"));
  // The package's own build (same entries, splitting and externals), ESM only and without types, into a temp folder.
  const config = tsupConfig as Record<string, unknown>;
  await tsup({ ...config, entry: config.entry as Record<string, string>, outDir: out, format: ["esm"], dts: false, clean: false, silent: true, config: false } as Parameters<typeof tsup>[0]);
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Every file the module graph of `entry` reaches inside `out`, and every bare specifier it imports. */
function moduleGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const todo = [path.resolve(out, entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.includes(file)) continue;
    files.push(file);
    const code = fs.readFileSync(file, "utf8");
    const specs = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1] as string);
    for (const s of specs) {
      if (s.startsWith(".")) todo.push(path.resolve(path.dirname(file), s));
      else bare.add(s);
    }
  }
  return { files, bare };
}

describe("the built `.` entry (item 6)", () => {
  it("imports no node: or built-in module and uses no process, Buffer or require, in index.js and all its chunks", () => {
    const { files, bare } = moduleGraph("index.js");
    expect(files.length).toBeGreaterThan(1); // index.js and at least one shared chunk
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const s of bare) {
      expect(s.startsWith("node:"), s).toBe(false);
      expect(builtins.has(s), s).toBe(false);
    }
    expect([...bare].sort()).toEqual(["semver", "zod"].filter((d) => bare.has(d)));
    for (const file of files) {
      const code = fs.readFileSync(file, "utf8");
      expect(code, path.basename(file)).not.toMatch(/\bprocess\.(env|argv|cwd|exit|versions)|\bBuffer\.|\brequire\(|__dirname|import\.meta\.url/);
    }
  });

  it("while the node entry does reach built-in modules (the check can see them; tsup drops the node: prefix)", () => {
    const { bare } = moduleGraph("node.js");
    expect([...bare].filter((s) => builtinModules.includes(s.replace(/^node:/, ""))).length).toBeGreaterThan(0);
  });
});

/** Only Web globals: what Workers, Deno, Bun and edge runtimes share. No process, require, Buffer, module, global. */
const WEB_GLOBALS = {
  Request, Response, Headers, URL, URLSearchParams, TextEncoder, TextDecoder, crypto, ReadableStream, WritableStream, TransformStream,
  CompressionStream, DecompressionStream, Blob, atob, btoa, setTimeout, clearTimeout, queueMicrotask, structuredClone, console,
};

describe("createFetchHandler in an edge-like realm (item 6)", () => {
  let edge: Handler;
  let node: Handler;

  beforeAll(async () => {
    const bundled = await esbuild({
      entryPoints: [path.join(out, "index.js")],
      bundle: true,
      format: "iife",
      globalName: "ReleaseEngines",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["worker", "browser", "import", "default"],
      target: "es2022",
      write: false,
      logLevel: "silent",
      absWorkingDir: ROOT,
      nodePaths: [path.join(ROOT, "node_modules")],
    });
    const code = bundled.outputFiles[0]?.text as string;
    const context = vm.createContext({ ...WEB_GLOBALS, DATASET: JSON.stringify(conformanceDatasetFile()), NOW: NOW.getTime() });
    expect(vm.runInContext("[typeof process, typeof require, typeof Buffer, typeof module, typeof global, typeof setImmediate].join()", context)).toBe(
      "undefined,undefined,undefined,undefined,undefined,undefined",
    );
    vm.runInContext(code, context, { filename: "release-engines.iife.js" });
    edge = (await vm.runInContext(
      `(async () => {
        const RE = ReleaseEngines;
        const dataset = await RE.loadDataset(JSON.parse(DATASET));
        const store = RE.createMemoryStore({ ...dataset, artifacts: dataset.artifacts.map((a) => (a.status === "UPLOADED" ? { ...a, blob: a.id + ".bin" } : a)) });
        const blobs = RE.createSignedBlobStorage({ open: async (key) => { const bytes = new TextEncoder().encode("blob:" + key); return { body: new Blob([bytes]).stream(), size: bytes.length }; } });
        return RE.createFetchHandler({ store, blobs, now: () => new Date(NOW) });
      })()`,
      context,
    )) as Handler;
    ({ handler: node } = await hardenHandler());
  }, 60_000);

  const REQUESTS: Array<[string, Record<string, string>]> = [
    ["/v1/accounts/acme/engines", {}],
    ["/v1/accounts/acme/engines?page[number]=1&page[size]=1", { authorization: AUTH.admin }],
    ["/v1/accounts/acme/engines?limit=0", {}],
    ["/v1/accounts/acme/engines/pypi", { authorization: AUTH.license }],
    ["/v1/accounts/acme/engines/pypi/simple/", { authorization: AUTH.basicLicense }],
    ["/v1/accounts/acme/engines/pypi/simple/acme-tools/", { authorization: AUTH.basicLicense, accept: "application/vnd.pypi.simple.v1+json" }],
    ["/v1/accounts/acme/engines/pypi/simple/acme-tools/", { authorization: AUTH.admin }],
    ["/v1/accounts/acme/engines/pypi/simple/Acme_Tools", {}],
    ["/v1/accounts/acme/engines/pypi/simple/acme-tools/", {}],
    ["/v1/accounts/acme/engines/pypi/simple/acme-sdk/", { "accept-encoding": "gzip" }],
    ["/v1/accounts/acme/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0", {}],
    ["/v1/accounts/acme/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.2.0", {}],
    ["/v1/accounts/acme/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0&constraint=x", {}],
    ["/v1/accounts/acme/engines/raw/cli/latest/tool_linux_amd64", { authorization: AUTH.licenseKey }],
    [`/v1/accounts/acme/artifacts/${IDS.artOpen}`, {}],
    [`/v1/accounts/acme/artifacts/${IDS.artWhl110}`, { authorization: AUTH.product }],
    [`/v1/accounts/acme/releases/${IDS.relTauri100}/upgrade`, {}],
    ["/v1/accounts/acme/engines", { authorization: "Bearer nope" }],
    ["/v1/accounts/acme/engines", { authorization: "Basic %%%" }],
    ["/v1/accounts/ghost/engines", {}],
  ];

  const observe = async (h: Handler, url: string, headers: Record<string, string>) => {
    const res = await h(new Request(url, { headers }));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    const text = res.headers.get("content-encoding") === "gzip" ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text() : new TextDecoder().decode(bytes);
    return {
      status: res.status,
      // ETags carry the store's revision, which differs between two store instances.
      headers: Object.fromEntries([...res.headers].filter(([k]) => k !== "etag" && k !== "content-length")),
      body: type.includes("json") ? text.replace(/"meta":\{"id":"[^"]+"\}/, "") : text,
    };
  };

  it("answers every route exactly as the same handler does in Node", async () => {
    for (const [p, headers] of REQUESTS) {
      const inEdge = await observe(edge, `http://localhost${p}`, headers);
      expect(inEdge.status, p).toBeLessThan(500);
      expect(inEdge, p).toEqual(await observe(node, `http://localhost${p}`, headers));
    }
  });

  it("issues signed download URLs there that serve the bytes there", async () => {
    const res = await edge(new Request(`http://localhost/v1/accounts/acme/artifacts/${IDS.artOpen}`));
    expect(res.status).toBe(303);
    const blob = await edge(new Request(res.headers.get("location") as string));
    expect(blob.status).toBe(200);
    expect(await blob.text()).toBe(`blob:${IDS.artOpen}.bin`);
  });
});
