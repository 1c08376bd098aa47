/**
 * Runtimes (issue 9, item 6): the built `.` entry (dist/index.js and every chunk it reaches) has no
 * `node:` or Node built-in imports and no `process`/`Buffer`/`require`. That the handler answers alike
 * on real Bun, Deno and workerd is test/runtimes/matrix.test.ts.
 */
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { build as tsup } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import tsupConfig from "../../tsup.config.js";

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
