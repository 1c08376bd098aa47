/**
 * End to end with real signatures: minisign signs bundle files the way `tauri build` does, the CLI
 * serves them, and what the updater would download from the answered `url` (with the same
 * credentials) verifies against the answered `signature` with `minisign -V`.
 * (clients.md A.8, A.10 and "Behaviours to test / Tauri" 1, 10, 12, 13.)
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startListening, type Started } from "../helpers/process.js";
import { expectTauriAcceptable } from "../tauri/support.js";

const LICENSE = "DESKTOP-KEY-1";
const UA = { "User-Agent": "tauri-plugin-updater/2.0.2" };

let dir: string;
let server: Started | undefined;
let base: string;
const bundles: Record<string, Buffer> = {};

function minisign(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync("minisign", args, { cwd: dir, encoding: "utf8", input: input ?? "" });
  if (out.error) throw out.error;
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** Sign a bundle like tauri-cli: the `signature` is base64 (one line, padded) of the minisign signature file. */
function signBundle(name: string, bytes: Buffer): string {
  writeFileSync(join(dir, "blobs", name), bytes);
  const res = minisign(["-S", "-s", "k.sec", "-m", join("blobs", name), "-t", `timestamp:1700000000\tfile:${name}`, "-c", "signature from tauri secret key"]);
  expect(res.status).toBe(0);
  return readFileSync(join(dir, "blobs", `${name}.minisig`)).toString("base64");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "release-engines-tauri-e2e-"));
  mkdirSync(join(dir, "blobs"));
  expect(minisign(["-G", "-W", "-p", "k.pub", "-s", "k.sec"]).status).toBe(0);
  for (const name of ["Desktop_1.1.0_amd64.AppImage", "Desktop_1.1.0_aarch64.app.tar.gz", "Desktop_1.0.0_amd64.AppImage", "Desktop_1.1.0_x64-setup.exe"]) {
    bundles[name] = randomBytes(96 * 1024);
  }
  const sig = Object.fromEntries(Object.entries(bundles).map(([name, bytes]) => [name, signBundle(name, bytes)]));
  // The Windows artifact is stored with a signature over other bytes: the updater must reject it at download.
  const wrong = signBundle("other.bin", randomBytes(1024));
  const artifact = (release: string, filename: string, platform: string, arch: string, signature: string) =>
    ({ release, filename, platform, arch, signature, file: `blobs/${filename}`, created: "2026-02-01T00:00:00Z" });
  const dataset = {
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-e2e-secret-key-0123456789",
      products: [{ code: "desktop", name: "Desktop", distributionStrategy: "LICENSED" }],
      packages: [{ product: "desktop", key: "desktop-app", name: "Desktop App", engine: "tauri" }],
      releases: [
        { product: "desktop", package: "desktop-app", version: "1.0.0", status: "PUBLISHED", created: "2026-01-01T00:00:00Z" },
        { product: "desktop", package: "desktop-app", version: "1.1.0", status: "PUBLISHED", created: "2026-02-01T12:34:56Z", description: "Faster sync" },
      ],
      artifacts: [
        artifact("1.0.0", "Desktop_1.0.0_amd64.AppImage", "linux", "x86_64", sig["Desktop_1.0.0_amd64.AppImage"] as string),
        artifact("1.1.0", "Desktop_1.1.0_amd64.AppImage", "linux", "x86_64", sig["Desktop_1.1.0_amd64.AppImage"] as string),
        artifact("1.1.0", "Desktop_1.1.0_aarch64.app.tar.gz", "darwin", "aarch64", sig["Desktop_1.1.0_aarch64.app.tar.gz"] as string),
        artifact("1.1.0", "Desktop_1.1.0_x64-setup.exe", "windows", "x86_64", wrong),
      ],
      policies: [{ id: "50000000-0000-4000-8000-000000000001", product: "desktop", name: "Std", authenticationStrategy: "LICENSE" }],
      licenses: [{ policy: "50000000-0000-4000-8000-000000000001", key: LICENSE }],
    }],
  };
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(dataset, null, 2));

  server = await startListening(["src/cli.ts", "serve", "--data", join(dir, "dataset.json"), "--port", "0"]);
  base = server.origin;
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const check = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/accounts/acme/engines/tauri/desktop-app?${query}`, { headers: { Accept: "application/json", ...UA, ...headers } });
const auth = { Authorization: `License ${LICENSE}` };

/** Download like the updater: Accept octet-stream, the app's headers, redirects followed. */
async function download(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: Buffer; encoding: string | null }> {
  const res = await fetch(url, { headers: { Accept: "application/octet-stream", ...UA, ...headers }, redirect: "follow" });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), encoding: res.headers.get("content-encoding") };
}

/** `minisign -V` of bytes against the answered signature (base64-decoded), as the updater verifies. */
function verify(bytes: Buffer, signature: string, name: string): { ok: boolean; output: string } {
  writeFileSync(join(dir, `${name}.dl`), bytes);
  writeFileSync(join(dir, `${name}.dl.minisig`), Buffer.from(signature, "base64"));
  const res = minisign(["-V", "-p", "k.pub", "-m", `${name}.dl`, "-x", `${name}.dl.minisig`]);
  return { ok: res.status === 0, output: res.stdout + res.stderr };
}

describe("Tauri updater against `release-engines serve`, real minisign signatures", () => {
  it.each([
    ["linux", "x86_64", "Desktop_1.1.0_amd64.AppImage"],
    ["darwin", "aarch64", "Desktop_1.1.0_aarch64.app.tar.gz"],
  ])("%s/%s: the answer is acceptable and the downloaded bytes verify against its signature", async (platform, arch, filename) => {
    const res = await check(`platform=${platform}&arch=${arch}&version=1.0.0`, auth);
    const body = await expectTauriAcceptable(res);
    expect(body).toMatchObject({ version: "1.1.0", pub_date: "2026-02-01T12:34:56.000Z", notes: "Faster sync" });
    expect(new URL(body?.url as string).origin).toBe(base);
    expect(body?.url).toMatch(new RegExp(`/${filename.replace(/\./g, "\\.")}$`));
    expect(body?.signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);

    const dl = await download(body?.url as string, auth);
    expect(dl.status).toBe(200);
    expect(dl.encoding).toBeNull();
    expect(dl.bytes.equals(bundles[filename] as Buffer)).toBe(true);
    const verified = verify(dl.bytes, body?.signature as string, filename);
    expect(verified.output).toContain("Signature and comment signature verified");
    expect(verified.ok).toBe(true);

    const tampered = Buffer.from(dl.bytes);
    tampered[100] = (tampered[100] as number) ^ 0xff;
    expect(verify(tampered, body?.signature as string, `${filename}.tampered`).ok).toBe(false);
  });

  it("a signature over other bytes fails verification at download time (clients.md rejected 13)", async () => {
    const body = await expectTauriAcceptable(await check("platform=windows&arch=x86_64&version=1.0.0", auth));
    const dl = await download(body?.url as string, auth);
    expect(dl.status).toBe(200);
    expect(verify(dl.bytes, body?.signature as string, "setup").ok).toBe(false);
  });

  it("up to date is 204 with an empty body and a reason", async () => {
    const res = await check("platform=linux&arch=x86_64&version=1.1.0", auth);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("release-engines-reason")).toBe("up-to-date");
  });

  it("without credentials both the check and the download are non-2xx (the updater then fails or tries its next endpoint)", async () => {
    const res = await check("platform=linux&arch=x86_64&version=1.0.0");
    expect(res.status).toBe(404);
    const body = await expectTauriAcceptable(await check("platform=linux&arch=x86_64&version=1.0.0", auth));
    const dl = await download(body?.url as string, {});
    expect(dl.status).toBe(404);
  });

  it("a wrong license key is 401 on both", async () => {
    const res = await check("platform=linux&arch=x86_64&version=1.0.0", { Authorization: "License NOPE" });
    expect(res.status).toBe(401);
  });
});
