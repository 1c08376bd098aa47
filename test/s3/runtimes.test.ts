/**
 * The built `release-engines/s3` entry is Web APIs only: its module graph reaches no Node built-in,
 * and, re-bundled to an IIFE, it presigns inside a realm with only Web globals (as on Workers)
 * exactly the URLs it presigns in Node.
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
import { createS3BlobStorage } from "../../src/blobs/s3/storage.js";
import type { Account, Artifact } from "../../src/model/records.js";
import { ROOT } from "../helpers/process.js";

let out: string;
beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "re-dist-s3-"));
  const config = tsupConfig as Record<string, unknown>;
  await tsup({ ...config, entry: { s3: "src/s3.ts" }, outDir: out, format: ["esm"], dts: false, clean: false, silent: true, config: false } as Parameters<typeof tsup>[0]);
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const OPTIONS = { endpoint: "https://acct.r2.cloudflarestorage.com", region: "auto", bucket: "releases", accessKeyId: "AKID", secretAccessKey: "SECRET", forcePathStyle: true };
const ACCOUNT: Account = { id: "00000000-0000-4000-8000-00000000aaaa", slug: "a", name: "A", secretKey: "k", created: "2026-01-01T00:00:00.000Z" };
const ARTIFACT: Artifact = {
  id: "00000000-0000-4000-8000-00000000bbbb", accountId: ACCOUNT.id, releaseId: "00000000-0000-4000-8000-00000000cccc", filename: "a b.whl",
  filetype: "whl", platform: null, arch: null, filesize: 3, checksum: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  signature: null, status: "UPLOADED", metadata: {}, created: ACCOUNT.created, updated: ACCOUNT.created, blob: "x/a b.whl",
};
const NOW = Date.parse("2026-03-01T12:00:30Z");

describe("release-engines/s3 on Web APIs only", () => {
  it("reaches no node: or built-in module, and no process, Buffer or require", () => {
    const files: string[] = [];
    for (const todo = [path.join(out, "s3.js")]; todo.length > 0; ) {
      const file = todo.pop() as string;
      if (files.includes(file)) continue;
      files.push(file);
      for (const m of fs.readFileSync(file, "utf8").matchAll(/from\s*["'](\.[^"']+)["']/g)) todo.push(path.resolve(path.dirname(file), m[1] as string));
    }
    expect(fs.readFileSync(files[0] as string, "utf8")).toMatch(/from\s*["']aws4fetch["']/); // the check sees bare imports
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bfrom\s*["']([^."'][^"']*)["']/g)) expect(builtins.has(m[1] as string), m[1]).toBe(false);
      expect(text, path.basename(file)).not.toMatch(/\bprocess\.(env|argv|cwd|exit|versions)|\bBuffer\.|\brequire\(|__dirname/);
    }
  });

  it("presigns in a realm with only Web globals exactly as in Node", async () => {
    const bundled = await esbuild({
      entryPoints: [path.join(out, "s3.js")], bundle: true, format: "iife", globalName: "S3", platform: "neutral",
      mainFields: ["module", "main"], conditions: ["worker", "browser", "import", "default"], target: "es2022", write: false, logLevel: "silent",
      absWorkingDir: ROOT, nodePaths: [path.join(ROOT, "node_modules")],
    });
    const context = vm.createContext({ Request, Response, Headers, URL, URLSearchParams, TextEncoder, TextDecoder, crypto, ReadableStream, Blob, atob, btoa, console, INPUT: JSON.stringify({ OPTIONS, ACCOUNT, ARTIFACT, NOW }) });
    expect(vm.runInContext("[typeof process, typeof require, typeof Buffer].join()", context)).toBe("undefined,undefined,undefined");
    vm.runInContext(bundled.outputFiles[0]?.text as string, context);
    const edge = (await vm.runInContext(
      `(async () => {
        const { OPTIONS, ACCOUNT, ARTIFACT, NOW } = JSON.parse(INPUT);
        const s = S3.createS3BlobStorage(OPTIONS);
        const input = { account: ACCOUNT, artifact: ARTIFACT, ttl: 900, now: new Date(NOW), origin: "" };
        return [await s.presign(input), await s.presignUpload(input)];
      })()`,
      context,
    )) as string[];
    const s = createS3BlobStorage(OPTIONS);
    const input = { account: ACCOUNT, artifact: ARTIFACT, ttl: 900, now: new Date(NOW), origin: "" };
    expect(edge).toEqual([await s.presign(input), await s.presignUpload(input)]);
    expect(edge[1]).toContain("X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-sha256");
  });
});
