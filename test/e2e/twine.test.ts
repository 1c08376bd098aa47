/**
 * `twine upload` end to end (SPEC §3.21): Debian's real twine uploads a wheel and an sdist to a
 * running `serve` (SQLite, seeded with the demo), then real pip installs what was uploaded; a
 * second upload of the same file is refused as PyPI refuses it.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startListening, type Started } from "../helpers/process.js";
import { buildWheel, runPip } from "./pip-helpers.js";

const ADMIN = "admin-demo0000000000000000000000000000000000000000000000000000000000v3";
const dir = mkdtempSync(join(tmpdir(), "re-twine-"));
let server: Started;

function twine(args: string[], password = ADMIN): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, TWINE_USERNAME: "__token__", TWINE_PASSWORD: password };
  return new Promise((resolve) => {
    execFile("twine", ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url", `${server.origin}/v1/accounts/demo/engines/pypi/legacy/`, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}\n${stderr}` });
    });
  });
}

/** A minimal sdist: `<name>-<version>.tar.gz` holding PKG-INFO and the package. */
function buildSdist(name: string, version: string): string {
  const root = join(dir, "sdist", `${name}-${version}`);
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, "PKG-INFO"), `Metadata-Version: 2.1\nName: ${name.replace(/_/g, "-")}\nVersion: ${version}\nSummary: made by a test\n`);
  writeFileSync(join(root, name, "__init__.py"), `VERSION = ${JSON.stringify(version)}\n`);
  const file = join(dir, `${name}-${version}.tar.gz`);
  execFileSync("tar", ["-czf", file, "-C", join(dir, "sdist"), `${name}-${version}`]);
  return file;
}

beforeAll(async () => {
  server = await startListening(["src/cli.ts", "serve", "--db", join(dir, "data", "demo.sqlite"), "--seed", "examples/demo/dataset.json", "--port", "0"]);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("twine upload (real twine, real pip)", { timeout: 180_000 }, () => {
  it("uploads a wheel and an sdist that pip then installs; the same file again is refused", async () => {
    const wheel = buildWheel(dir, "demo_sdk", "1.3.0", ">=3.8");
    const sdist = buildSdist("demo_sdk", "1.3.0");
    const up = await twine([join(dir, wheel.filename), sdist]);
    expect(up.out).not.toMatch(/Error|error:/);
    expect(up.code).toBe(0);

    const index = `${server.origin}/v1/accounts/demo/engines/pypi/simple/`;
    const page = await (await fetch(`${index}demo-sdk/`, { headers: { accept: "application/vnd.pypi.simple.v1+json" } })).json() as { files: Array<{ filename: string; "requires-python"?: string; "core-metadata"?: unknown }> };
    const wheelEntry = page.files.find((f) => f.filename === wheel.filename);
    expect(wheelEntry?.["requires-python"]).toBe(">=3.8");
    expect(wheelEntry?.["core-metadata"]).toBeTruthy();
    expect(page.files.map((f) => f.filename)).toContain("demo_sdk-1.3.0.tar.gz");

    const home = mkdtempSync(join(tmpdir(), "re-twine-pip-"));
    const target = join(home, "t");
    const pip = await runPip(home, ["install", "--index-url", index, "--target", target, "--only-binary", ":all:", "demo-sdk==1.3.0"]);
    expect(pip.out).toContain("Successfully installed demo-sdk-1.3.0");
    expect(pip.code).toBe(0);
    const latest = await runPip(home, ["download", "--index-url", index, "--dest", join(home, "d"), "--only-binary", ":all:", "demo-sdk"]);
    expect(latest.out).toContain(wheel.filename);

    const again = await twine([join(dir, wheel.filename)]);
    expect(again.code).not.toBe(0);
    expect(again.out).toMatch(/409/);
    expect(again.out).toMatch(/File already exists/);
  });

  it("refuses a wrong token and a license key, uploading nothing", async () => {
    const wheel = buildWheel(dir, "demo_sdk", "1.4.0");
    const bad = await twine([join(dir, wheel.filename)], "admin-not-a-real-token-000000000000000000000000000000000000000000v3");
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/401|403/);
    const res = await fetch(`${server.origin}/v1/accounts/demo/releases?version=1.4.0`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
  });
});
