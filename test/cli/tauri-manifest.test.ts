/**
 * `release-engines tauri-manifest`: Tauri's static latest.json for a release, from a store and from a
 * real `serve` on SQLite, agreeing with each other and with the dynamic Tauri engine's answers.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";

const ADMIN = "admin-demo0000000000000000000000000000000000000000000000000000000000v3";

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", "tauri-manifest", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-manifest-"));
let server: Started;
beforeAll(async () => {
  // A SQLite store: the server path lists a release's artifacts, which a memory store cannot.
  server = await startListening(["src/cli.ts", "serve", "--db", join(dir, "demo.sqlite"), "--seed", "examples/demo/dataset.json", "--port", "0"]);
});
afterAll(async () => {
  await server?.stop();
});

type Manifest = { version: string; notes?: string; pub_date: string; platforms: Record<string, { url: string; signature: string }> };

describe("release-engines tauri-manifest", { timeout: 120_000 }, () => {
  it("writes the same latest.json from a store and from a server, each entry the dynamic engine's own url and signature", async () => {
    const out = join(dir, "latest.json");
    const [fromStore, fromServer] = await Promise.all([
      cli(["--data", "examples/demo/dataset.json", "--account", "demo", "--base-url", server.origin, "--release", "1.1.0", "--package", "demo-app"]),
      cli(["--host", server.origin, "--account", "demo", "--token", ADMIN, "--release", "1.1.0", "--package", "demo-app", "--out", out]),
    ]);
    expect(fromStore.status, fromStore.stderr).toBe(0);
    expect(fromServer.status, fromServer.stderr).toBe(0);
    const manifest = JSON.parse(fromStore.stdout) as Manifest;
    expect(fromServer.stdout).toMatch(/^wrote .*latest\.json: 1\.1\.0, 4 platform\(s\): /);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(manifest);
    expect(manifest.version).toBe("1.1.0");
    expect(Number.isNaN(Date.parse(manifest.pub_date))).toBe(false);
    expect(Object.keys(manifest.platforms).sort()).toEqual(["darwin-aarch64", "darwin-aarch64-app", "linux-x86_64", "linux-x86_64-appimage"]);
    for (const target of ["linux-x86_64", "darwin-aarch64"]) {
      const [platform, arch] = target.split("-");
      const res = await fetch(`${server.origin}/v1/accounts/demo/engines/tauri/demo-app?platform=${platform}&arch=${arch}&version=1.0.0`, { headers: { Accept: "application/json" } });
      expect(res.status).toBe(200);
      const dynamic = (await res.json()) as { url: string; signature: string; version: string };
      expect(dynamic.version).toBe("1.1.0");
      expect(manifest.platforms[target]).toEqual({ url: dynamic.url, signature: dynamic.signature });
      // The URL serves the bundle (through the signed 303).
      expect((await fetch(dynamic.url)).status).toBe(200);
    }
  });

  it("keeps only --platforms (with their bundle keys) and fails plainly for a target nothing is signed for", async () => {
    const base = ["--data", "examples/demo/dataset.json", "--account", "demo", "--base-url", "https://dl.example.com", "--package", "demo-app", "--release", "1.1.0"];
    const [linux, windows, none] = await Promise.all([
      cli([...base, "--platforms", "linux-x86_64"]),
      cli([...base, "--platforms", "linux-x86_64,windows-x86_64", "--out", join(dir, "never.json")]),
      cli(["--data", "examples/demo/dataset.json", "--account", "demo", "--base-url", "https://dl.example.com", "--package", "demo-app", "--release", "1.0.0", "--platforms", "windows-x86_64"]),
    ]);
    expect(linux.status, linux.stderr).toBe(0);
    expect(Object.keys((JSON.parse(linux.stdout) as Manifest).platforms).sort()).toEqual(["linux-x86_64", "linux-x86_64-appimage"]);
    expect(windows.status).toBe(1);
    expect(windows.stderr).toBe("release-engines tauri-manifest: release 1.1.0 has no signed Tauri artifact for windows-x86_64\n");
    expect(existsSync(join(dir, "never.json"))).toBe(false);
    expect(none.status).toBe(1);
  });

  it("refuses usage errors with its own usage (exit 2) and shows the server's refusal or a missing release (exit 1)", async () => {
    const [noRelease, twoStores, badBase, badPlatform, wrongToken, unknown] = await Promise.all([
      cli(["--data", "examples/demo/dataset.json"]),
      cli(["--data", "x.json", "--db", "x.sqlite", "--release", "1.0.0"]),
      cli(["--data", "examples/demo/dataset.json", "--account", "demo", "--base-url", "ftp://x", "--release", "1.0.0"]),
      cli(["--host", server.origin, "--token", ADMIN, "--release", "1.0.0", "--platforms", "linux"]),
      cli(["--host", server.origin, "--account", "demo", "--token", "admin-wrong", "--release", "1.1.0"]),
      cli(["--data", "examples/demo/dataset.json", "--account", "demo", "--base-url", "https://dl.example.com", "--release", "9.9.9"]),
    ]);
    for (const r of [noRelease, twoStores, badBase, badPlatform]) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("Usage: release-engines tauri-manifest");
    }
    expect(noRelease.stderr).toContain("--release is required");
    expect(wrongToken.status).toBe(1);
    expect(wrongToken.stderr).toMatch(/the server refused:\n {2}401 /);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe("release-engines tauri-manifest: the store has no release '9.9.9'\n");
  });
});
