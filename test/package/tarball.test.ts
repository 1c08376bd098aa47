/**
 * The npm tarball as a user installs it: LICENSE, README and the docs it links to are in it (so the
 * links work in node_modules), package.json names no placeholder repository or homepage, and the
 * packed package loads: `.` from CommonJS and ESM, `./testing` from ESM only, while a
 * CommonJS `require("release-engines/testing")` fails with a message saying what to do instead.
 *
 * Uses the built dist/ (`npm test` builds first; alone, run `npm run build`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

interface Packed { files: Array<{ path: string }> }
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;

function assertBuilt(): void {
  const cjs = join(ROOT, "dist/testing.cjs");
  const fresh = existsSync(cjs) && statSync(cjs).mtimeMs >= statSync(join(ROOT, "scripts/esm-only-testing.mjs")).mtimeMs;
  if (!fresh || !existsSync(join(ROOT, "dist/index.js"))) throw new Error("dist/ is missing or older than the build script: run `npm run build` first");
}

let files: string[] = [];
beforeAll(() => {
  assertBuilt();
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  files = ((JSON.parse(out) as Packed[])[0] as Packed).files.map((f) => f.path);
}, 60_000);

describe("npm pack", () => {
  it("carries LICENSE, README, package.json, the docs and dist, and nothing of the sources or tests", () => {
    for (const f of ["LICENSE", "README.md", "package.json", "docs/dataset.md", "docs/testing.md", "dist/index.js", "dist/index.cjs", "dist/testing.js", "dist/testing.cjs"]) expect(files).toContain(f);
    expect(files.filter((f) => !/^(dist|docs)\//.test(f)).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(pkg.license).toBe("MIT");
  });
  it("every link in README and the docs is an absolute URL or a file the tarball carries", () => {
    for (const doc of files.filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = target as string;
        if (/^https:\/\//.test(href)) continue;
        expect(href, `${doc}: ${href}`).not.toMatch(/^[a-z]+:/);
        const path = posix.normalize(posix.join(posix.dirname(doc), href.split("#")[0] as string));
        expect(files, `${doc} links to ${href}, which the tarball lacks`).toContain(path);
      }
    }
  });
  it("package.json names no repository, homepage or issue tracker the project does not have (no placeholder URL)", () => {
    expect(pkg).not.toHaveProperty("repository");
    expect(pkg).not.toHaveProperty("homepage");
    expect(pkg).not.toHaveProperty("bugs");
  });
});

describe("the packed package, installed", () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "re-pack-"));
    const tgz = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", project], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").pop() as string;
    const target = join(project, "node_modules", "release-engines");
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", join(project, tgz), "-C", target, "--strip-components=1"]);
    // Its dependencies (and vitest, the testing entry's peer) from this checkout.
    for (const dep of [...Object.keys(pkg.dependencies as object), "vitest"]) {
      const from = join(ROOT, "node_modules", dep);
      if (existsSync(from)) {
        mkdirSync(dirname(join(project, "node_modules", dep)), { recursive: true });
        symlinkSync(from, join(project, "node_modules", dep));
      }
    }
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  }, 60_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: "utf8" });

  it("loads `.` and `./node` from CommonJS and from ESM", () => {
    const cjs = node(["-e", 'const m = require("release-engines"); const n = require("release-engines/node"); console.log(typeof m.createMemoryStore, typeof n.loadDatasetFile)']);
    expect(cjs.stdout.trim(), cjs.stderr).toBe("function function");
    const esm = node(["--input-type=module", "-e", 'import { createMemoryStore } from "release-engines"; console.log(typeof createMemoryStore)']);
    expect(esm.stdout.trim(), esm.stderr).toBe("function");
  });
  it("loads `./testing` from ESM", () => {
    const esm = node(["--input-type=module", "-e", 'const m = await import("release-engines/testing"); console.log(typeof m.runStoreConformance, typeof m.testContext)']);
    expect(esm.stdout.trim(), esm.stderr).toBe("function function");
  });
  it("require('release-engines/testing') fails with a message saying it is ESM-only and what to write instead", () => {
    const cjs = node(["-e", 'require("release-engines/testing")']);
    expect(cjs.status).not.toBe(0);
    expect(cjs.stderr).toContain("release-engines/testing is ESM-only, because vitest (which it registers tests with) cannot be loaded by require().");
    expect(cjs.stderr).toContain('import { runStoreConformance } from "release-engines/testing"');
    expect(cjs.stderr).not.toMatch(/ERR_REQUIRE_ESM|Vitest cannot be imported/);
  });
});
