/**
 * The publishing commands end to end against a real `serve` of the demo dataset, on SQLite (`--db
 * --seed`) and on PostgreSQL (a throwaway cluster, `import` then `serve --database-url`): a
 * Tauri bundle signed by the real `tauri signer` goes new → upload → publish and the update answer
 * verifies with minisign; a wheel goes the same way and real pip downloads it; every refusal; an
 * upload killed mid-stream never becomes UPLOADED and its retry succeeds; 200 MiB in flat memory.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";
import { startPgCluster } from "../sql/pg-cluster.js";
import { buildWheel, runPip, saved } from "./pip-helpers.js";
import { cli, demoEnv, minisignVerify, startCli, startRelay, tauriKeys, tauriSign } from "./publish-helpers.js";

const ADMIN = "admin-demo0000000000000000000000000000000000000000000000000000000000v3";
let dir: string;
let pubkey: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "re-publish-e2e-"));
  pubkey = tauriKeys(dir);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The server of one store kind, and the CLI's environment for it. */
const world = { server: undefined as unknown as Started, env: {} as Record<string, string> };

async function startSqlite(): Promise<() => Promise<void>> {
  mkdirSync(join(dir, "sqlite"));
  world.server = await startListening(["src/cli.ts", "serve", "--db", join(dir, "sqlite", "demo.sqlite"), "--seed", "examples/demo/dataset.json", "--account", "demo", "--port", "0"]);
  return async () => void (await world.server.stop());
}

async function startPostgres(): Promise<() => Promise<void>> {
  const cluster = await startPgCluster();
  const url = await cluster.createDatabase("demo");
  const blobs = join(dir, "pg-blobs");
  cpSync(join(ROOT, "examples/demo"), blobs, { recursive: true });
  const imported = spawnSync(process.execPath, [...TSX, "src/cli.ts", "import", join(blobs, "dataset.json"), "--database-url", url], { cwd: ROOT, encoding: "utf8" });
  expect(imported.status, imported.stderr).toBe(0);
  world.server = await startListening(["src/cli.ts", "serve", "--database-url", url, "--blobs", blobs, "--port", "0"]);
  return async () => {
    await world.server.stop();
    cluster.destroy();
  };
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${world.server.origin}/v1/accounts/demo/${path}`, { redirect: "manual", ...init, headers: { Authorization: `Bearer ${ADMIN}`, Accept: "application/vnd.api+json", ...init.headers } });
const tauriCheck = (version: string) => fetch(`${world.server.origin}/v1/accounts/demo/engines/tauri/demo-app?platform=linux&arch=x86_64&version=${version}`, { headers: { Accept: "application/json" } });

function idOf(line: string): string {
  const m = /^\w+: (?:release|artifact) ([0-9a-f-]{36})/.exec(line);
  expect(m, line).not.toBeNull();
  return (m as RegExpExecArray)[1] as string;
}

function writeBundle(name: string, size: number, seed: number): string {
  const file = join(dir, name);
  const fd = openSync(file, "w");
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * seed + (i >> 8)) & 0xff;
  for (let left = size; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
  return file;
}

describe.each([["sqlite"], ["postgres"]] as const)("on %s", { timeout: 600_000 }, (kind) => {
  let stop: () => Promise<void>;
  beforeAll(async () => {
    stop = await (kind === "sqlite" ? startSqlite() : startPostgres());
    world.env = demoEnv(world.server.origin, ADMIN);
  }, 180_000);
  afterAll(() => stop?.());

  describe("publishing a Tauri update with release-engines new | upload | publish", { timeout: 180_000 }, () => {
    it("goes from a tauri-signed bundle to an update answer that verifies, a raw link and a tag", async () => {
      const file = writeBundle("Demo-App_1.2.0_amd64.AppImage", 3 * 1024 * 1024 + 5, 7);
      const sig = tauriSign(dir, file);
      const drafted = await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.2.0", "--description", "Faster sync"], world.env);
      expect([drafted.code, drafted.stderr]).toEqual([0, ""]);
      expect(drafted.stdout).toMatch(/^drafted: release [0-9a-f-]{36} \(1\.2\.0, channel stable, DRAFT\)\n$/);
      const releaseId = idOf(drafted.stdout);
  
      const up = await cli(["upload", file, "--release", "1.2.0", "--package", "demo-app", "--platform", "linux", "--arch", "x86_64"], world.env);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/^uploaded: artifact [0-9a-f-]{36} \(Demo-App_1\.2\.0_amd64\.AppImage, 3\.0 MiB, linux\/x86_64, signed\)\n$/);
      expect(up.stderr).toMatch(/uploading Demo-App_1\.2\.0_amd64\.AppImage: 3\.0 MiB sent in/);
      const artifact = (await (await api(`artifacts/${idOf(up.stdout)}`, { headers: { Prefer: "no-download" } })).json()) as { data: { attributes: Record<string, unknown> } };
      expect(artifact.data.attributes).toMatchObject({
        status: "UPLOADED", filetype: "appimage", filesize: 3 * 1024 * 1024 + 5, signature: sig.trim(),
        checksum: createHash("sha256").update(readFileSync(file)).digest("hex"),
      });
  
      expect((await tauriCheck("1.1.0")).status).toBe(204); // a DRAFT is offered to no one
      const published = await cli(["publish", "--release", "1.2.0", "--package", "demo-app"], world.env);
      expect([published.code, published.stdout]).toEqual([0, `published: release ${releaseId} (1.2.0)\n`]);
  
      const check = await tauriCheck("1.1.0");
      expect(check.status).toBe(200);
      const answer = (await check.json()) as { version: string; url: string; signature: string; notes: string };
      expect(answer).toMatchObject({ version: "1.2.0", notes: "Faster sync", signature: sig.trim() });
      const download = await fetch(answer.url, { headers: { Accept: "application/octet-stream" } });
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.equals(readFileSync(file))).toBe(true);
      writeFileSync(join(dir, "downloaded.AppImage"), bytes);
      const verified = minisignVerify(dir, join(dir, "downloaded.AppImage"), pubkey, answer.signature);
      expect(verified.out).toContain("Signature and comment signature verified");
      expect(verified.ok).toBe(true);
  
      const raw = await fetch(`${world.server.origin}/v1/accounts/demo/engines/raw/app/@demo-app/1.2.0/Demo-App_1.2.0_amd64.AppImage`, { redirect: "manual" });
      expect(raw.status).toBe(303);
  
      const tagged = await cli(["tag", "stable-latest", "--release", "1.2.0", "--package", "demo-app"], world.env);
      expect([tagged.code, tagged.stdout]).toEqual([0, `tagged: release ${releaseId} (1.2.0) as stable-latest\n`]);
      const byTag = await cli(["untag", "--release", "stable-latest", "--package", "demo-app", "--json"], world.env);
      expect(byTag.code).toBe(0);
      expect(JSON.parse(byTag.stdout)).toMatchObject({ id: releaseId, type: "releases", attributes: { tag: null, version: "1.2.0" } });
  
      const yanked = await cli(["yank", "--release", "1.2.0", "--package", "demo-app"], world.env);
      expect([yanked.code, yanked.stdout]).toEqual([0, `yanked: release ${releaseId} (1.2.0)\n`]);
      expect((await tauriCheck("1.1.0")).status).toBe(204);
  
      const deleted = await cli(["del", "--release", "1.2.0", "--package", "demo-app"], world.env);
      expect([deleted.code, deleted.stdout]).toEqual([0, `deleted: release ${releaseId} (1.2.0)\n`]);
      expect((await api(`releases/${releaseId}`)).status).toBe(404);
    });
  });
  
  describe.runIf(kind === "sqlite")("a single-account server (serve --account)", () => {
    it("takes keygen-cli's custom-domain URLs: no --account, {host}/v1/<path>", async () => {
      const { KEYGEN_ACCOUNT_ID: _, ...noAccount } = world.env;
      const drafted = await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.7.0"], noAccount);
      expect([drafted.code, drafted.stderr]).toEqual([0, ""]);
      const file = writeBundle("single.bin", 64 * 1024, 17);
      const up = await cli(["upload", file, "--release", "1.7.0", "--package", "demo-app"], noAccount);
      expect(up.code, up.stderr).toBe(0);
      expect((await cli(["publish", "--release", "1.7.0", "--package", "demo-app"], noAccount)).stdout).toBe(`published: release ${idOf(drafted.stdout)} (1.7.0)\n`);
      const shown = (await (await fetch(`${world.server.origin}/v1/releases/1.7.0?package=demo-app`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json()) as { data: { attributes: { status: string } } };
      expect(shown.data.attributes.status).toBe("PUBLISHED");
      expect((await cli(["del", "--release", "1.7.0", "--package", "demo-app"], noAccount)).code).toBe(0);
    });
  });

  describe.runIf(kind === "sqlite")("publishing a wheel that real pip installs", { timeout: 180_000 }, () => {
    it("new → upload → publish, then pip download finds it with its hash", async () => {
      const wheelDir = join(dir, "wheels");
      mkdirSync(wheelDir, { recursive: true });
      const { filename } = buildWheel(wheelDir, "demo_sdk", "1.3.0", ">=3.8");
      expect((await cli(["new", "--product", "sdk", "--package", "demo-sdk", "--version", "1.3.0"], world.env)).code).toBe(0);
      const up = await cli(["upload", join(wheelDir, filename), "--release", "1.3.0", "--package", "demo-sdk"], world.env);
      expect(up.code, up.stderr).toBe(0);
      expect((await cli(["publish", "--release", "1.3.0", "--package", "demo-sdk"], world.env)).code).toBe(0);
      const home = join(dir, "pip-home");
      const dest = join(dir, "pip-dest");
      mkdirSync(home, { recursive: true });
      const pip = await runPip(home, ["download", "demo-sdk==1.3.0", "--index-url", `${world.server.origin}/v1/accounts/demo/engines/pypi/simple/`, "-d", dest]);
      expect(pip.code, pip.out).toBe(0);
      expect(saved(dest)).toEqual([filename]);
      expect(readFileSync(join(dest, filename)).equals(readFileSync(join(wheelDir, filename)))).toBe(true);
    });
  });
  
  describe("refusals", { timeout: 180_000 }, () => {
    it("wrong token, unknown release, duplicate version, duplicate file and bad flags", async () => {
      const wrong = await cli(["new", "--product", "app", "--version", "9.0.0"], { ...world.env, KEYGEN_TOKEN: "admin-wrong" });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^release-engines new: the server refused:\n  401 /);
  
      const unknown = await cli(["publish", "--release", "9.9.9", "--product", "app"], world.env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/404 Not found: .*9\.9\.9.* \(NOT_FOUND\)/);
  
      const dup = await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.1.0"], world.env);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/422 .*has already been taken \(VERSION_TAKEN\) at \/data\/attributes\/version/);
  
      expect((await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.4.0"], world.env)).code).toBe(0);
      const file = writeBundle("dup.bin", 1024, 3);
      expect((await cli(["upload", file, "--release", "1.4.0", "--package", "demo-app"], world.env)).code).toBe(0);
      const again = await cli(["upload", file, "--release", "1.4.0", "--package", "demo-app"], world.env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/422 .*has already been taken \(FILENAME_TAKEN\) at \/data\/attributes\/filename/);
  
      const bad = await cli(["upload", file, "--release", "1.4.0", "--colour"], world.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^release-engines upload: unknown option '--colour'\n\nUsage: release-engines upload <path> \[options\]/);
    });
  });
  
  describe("uploads that stop halfway, and big ones", { timeout: 300_000 }, () => {
    it("an upload killed mid-stream never becomes UPLOADED, and running it again succeeds", async () => {
      expect((await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.5.0"], world.env)).code).toBe(0);
      const file = writeBundle("Demo-App_1.5.0_amd64.AppImage", 48 * 1024 * 1024, 11);
      const relay = await startRelay(world.server.origin, 4 * 1024 * 1024);
      try {
        const run = startCli(["upload", file, "--release", "1.5.0", "--package", "demo-app", "--platform", "linux", "--arch", "x86_64"], { ...world.env, KEYGEN_HOST: relay.origin });
        await relay.held;
        run.child.kill("SIGKILL");
        const killed = await run.done;
        expect(killed.code).toBeNull();
        relay.cut();
      } finally {
        await relay.close();
      }
      let status = "";
      for (let i = 0; i < 50; i++) {
        const list = (await (await api("artifacts?release=1.5.0&package=demo-app")).json()) as { data: Array<{ attributes: { filename: string; status: string } }> };
        status = list.data.find((a) => a.attributes.filename === "Demo-App_1.5.0_amd64.AppImage")?.attributes.status ?? "";
        if (status !== "WAITING") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(["WAITING", "FAILED"]).toContain(status);
  
      const retry = await cli(["upload", file, "--release", "1.5.0", "--package", "demo-app", "--platform", "linux", "--arch", "x86_64"], world.env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stderr).toMatch(/replacing artifact [0-9a-f-]{36} \(Demo-App_1\.5\.0_amd64\.AppImage\), left (WAITING|FAILED) by an earlier upload/);
      const id = idOf(retry.stdout);
      const dl = await api(`artifacts/${id}`, { redirect: "follow" });
      expect(dl.status).toBe(200);
      expect(createHash("sha256").update(Buffer.from(await dl.arrayBuffer())).digest("hex")).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    });
  
    it.runIf(kind === "sqlite")("uploads 200 MiB with the CLI's memory flat (peak RSS about that of a 1 MiB upload)", async () => {
      expect((await cli(["new", "--product", "app", "--package", "demo-app", "--version", "1.6.0"], world.env)).code).toBe(0);
      const small = writeBundle("small.bin", 1024 * 1024, 5);
      const big = writeBundle("big.bin", 200 * 1024 * 1024, 13);
      const a = await cli(["upload", small, "--release", "1.6.0", "--package", "demo-app"], world.env);
      const b = await cli(["upload", big, "--release", "1.6.0", "--package", "demo-app"], world.env);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/\(big\.bin, 200\.0 MiB\)/);
      const mib = (n: number) => Math.round(n / 1024 / 1024);
      console.log(`CLI peak RSS: 1 MiB upload ${mib(a.peakRss)} MiB, 200 MiB upload ${mib(b.peakRss)} MiB`);
      expect(a.peakRss).toBeGreaterThan(0);
      expect(b.peakRss - a.peakRss).toBeLessThan(16 * 1024 * 1024);
      rmSync(big);
    });
  });
});
