/**
 * Issue 13 "Real clients, end to end": releases created, their artifacts uploaded (POST /artifacts →
 * 307 → PUT the bytes) and published through the HTTP API with an admin token; then real pip installs
 * the wheel, a Tauri check offers the bundle (signed with real minisign in Tauri's format, the
 * downloaded bytes verify with `minisign -V`) and a raw `latest` link redirects to the binary. Then the
 * releases are yanked: pip still installs the exact pin and skips it otherwise, Tauri and raw `latest`
 * fall back to the previous release. The same scenario runs on each target of ./publish-targets.ts:
 * memory (in-process over node:http, its `onEvent` calls checked too), SQLite (`serve --db --seed`)
 * and PostgreSQL (two `serve` processes on one database, every write made on one and every read on
 * the other at once); the durable ones then restart their reader and still serve the same state.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, tail, TARGETS, type Running, type Target } from "./publish-targets.js";
import { buildWheel, runPip, saved } from "./pip-helpers.js";

const ADMIN = "Bearer admin-demo0000000000000000000000000000000000000000000000000000000000v3";
const CLI_LICENSE = "License DEMO-CLI-KEY";
const TAURI_UA = { "User-Agent": "tauri-plugin-updater/2.0.2" };
const VERSION = "1.2.0";
const YANK_REASON = "broken on Windows";
const WHEEL = `demo_sdk-${VERSION}-py3-none-any.whl`;
const BUNDLE = `DemoApp_${VERSION}_amd64.AppImage.tar.gz`;
const TOOL = "demo-tool_linux_amd64";

/** The files every target uploads, made once: a wheel, a minisign-signed Tauri bundle, a raw binary. */
interface Files {
  dir: string;
  wheel: Buffer;
  bundle: Buffer;
  /** base64 of the `.minisig` file, as `tauri build` writes the signature. */
  bundleSignature: string;
  tool: Buffer;
}

let files: Files;

function minisign(args: string[]): { status: number | null; output: string } {
  const out = spawnSync("minisign", args, { cwd: files.dir, encoding: "utf8", input: "" });
  if (out.error) throw out.error;
  return { status: out.status, output: out.stdout + out.stderr };
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "re-e2e-publish-"));
  files = { dir, wheel: Buffer.alloc(0), bundle: randomBytes(64 * 1024), bundleSignature: "", tool: Buffer.from(`demo-tool ${VERSION} ${randomBytes(8).toString("hex")}\n`) };
  buildWheel(dir, "demo_sdk", VERSION);
  files.wheel = readFileSync(join(dir, WHEEL));
  const keys = minisign(["-G", "-W", "-p", "k.pub", "-s", "k.sec"]);
  expect(keys.status, keys.output).toBe(0);
  writeFileSync(join(dir, BUNDLE), files.bundle);
  const signed = minisign(["-S", "-s", "k.sec", "-m", BUNDLE, "-t", `timestamp:1700000000\tfile:${BUNDLE}`, "-c", "signature from tauri secret key"]);
  expect(signed.status, signed.output).toBe(0);
  files.bundleSignature = readFileSync(join(dir, `${BUNDLE}.minisig`)).toString("base64");
});
afterAll(() => {
  if (files?.dir) rmSync(files.dir, { recursive: true, force: true });
});

/** A response's status, checked with its body (and the servers' log tail) in the failure message. */
async function expectStatus(res: Response, status: number, what: string, run: Running): Promise<string> {
  const body = await res.text();
  expect(res.status, `${what}: ${res.status} ${body}\n${tail(run.logs())}`).toBe(status);
  return body;
}

/** Everything the scenario made, by kind. */
interface Published {
  releases: Record<"sdk" | "app" | "tool", string>;
  artifacts: Record<"sdk" | "app" | "tool", string>;
  accountId: string;
}

function scenario(target: Target): void {
  describe(target.name, { timeout: 120_000 }, () => {
    let dir: string;
    let run: Running;
    const made: Published = { releases: { sdk: "", app: "", tool: "" }, artifacts: { sdk: "", app: "", tool: "" }, accountId: "" };
    let pipRuns = 0;
    /** Steps that completed, so a later step says which earlier one it needs instead of failing obscurely. */
    const done = new Set<string>();
    const need = (...steps: string[]) => {
      const missing = steps.filter((step) => !done.has(step));
      if (missing.length > 0) throw new Error(`cannot run: an earlier step failed (${missing.join(", ")}); see its error above`);
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "re-e2e-publish-target-"));
      run = await target.start(dir);
    }, 120_000);
    afterAll(async () => {
      await run?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    /** A write to `/v1/accounts/demo/<path>` on the writer, as the demo admin. */
    const write = (method: string, path: string, body?: unknown) =>
      fetch(`${run.writer}/v1/accounts/demo${path}`, {
        method,
        redirect: "manual",
        headers: { authorization: ADMIN, accept: "application/vnd.api+json", ...(body !== undefined ? { "content-type": "application/vnd.api+json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });

    /** The reader's PyPI JSON project page of demo-sdk, optionally revalidated with an ETag. */
    async function projectPage(etag: string | null) {
      const res = await fetch(`${index()}demo-sdk/`, { headers: { accept: "application/vnd.pypi.simple.v1+json", ...(etag !== null ? { "if-none-match": etag } : {}) } });
      const body = await res.text();
      if (res.status !== 200 && res.status !== 304) expect.fail(`PyPI project page: ${res.status} ${body}\n${tail(run.logs())}`);
      const files = res.status === 200 ? (JSON.parse(body) as { files: Array<{ filename: string; yanked?: boolean | string }> }).files : [];
      return { status: res.status, etag: res.headers.get("etag"), files };
    }
    let pageEtag: string | null = null;

    /** Whether the reader's client route chooses the new artifact: listed on the PyPI page, offered to Tauri from 1.1.0, raw `latest`. */
    async function offered(kind: keyof Published["releases"]): Promise<boolean> {
      if (kind === "sdk") {
        // Revalidated with the ETag of the previous look: a change made since (on any server) is never a 304.
        const page = await projectPage(pageEtag);
        expect(page.status, "the project page after a change, revalidated with the ETag from before it").toBe(200);
        pageEtag = page.etag;
        return page.files.some((f) => f.filename === WHEEL);
      }
      if (kind === "app") {
        const res = await tauriCheck("1.1.0");
        const body = await res.text();
        return res.status === 200 && (JSON.parse(body) as { version: string }).version === VERSION;
      }
      const res = await rawLatest();
      return res.status === 303 && (res.headers.get("location") ?? "").includes(`/artifacts/${made.artifacts.tool}/`);
    }

    /** Create a DRAFT release, upload one artifact to it (POST 307, PUT), publish it; returns the ids. */
    async function publish(kind: keyof Published["releases"], product: string, pkg: string | null, artifact: Record<string, unknown>, bytes: Buffer) {
      const relationships: Record<string, unknown> = { product: { data: { type: "products", id: product } } };
      if (pkg !== null) relationships.package = { data: { type: "packages", id: pkg } };
      const created = await write("POST", "/releases", { data: { type: "releases", attributes: { version: VERSION, channel: "stable" }, relationships } });
      const release = JSON.parse(await expectStatus(created, 201, `create ${kind} release`, run)).data;
      expect(release.attributes.status).toBe("DRAFT");
      made.releases[kind] = release.id;
      made.accountId = release.relationships.account.data.id;

      const posted = await write("POST", "/artifacts", {
        data: { type: "artifacts", attributes: { filesize: bytes.length, ...artifact }, relationships: { release: { data: { type: "releases", id: release.id } } } },
      });
      const waiting = JSON.parse(await expectStatus(posted, 307, `create ${kind} artifact`, run)).data;
      expect(waiting.attributes.status).toBe("WAITING");
      made.artifacts[kind] = waiting.id;
      const location = posted.headers.get("location") as string;
      expect(location, "the upload URL is the writer's embedded blob storage").toMatch(new RegExp(`^${run.writer}/v1/blobs/uploads/`));
      const put = await fetch(location, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": "application/octet-stream" } });
      await expectStatus(put, 200, `PUT ${kind} bytes`, run);

      const shown = await fetch(`${run.reader}/v1/accounts/demo/artifacts/${waiting.id}`, { headers: { authorization: ADMIN, accept: "application/vnd.api+json", prefer: "no-download" }, redirect: "manual" });
      const uploaded = JSON.parse(await expectStatus(shown, 200, `show ${kind} artifact on the reader`, run)).data;
      expect(uploaded.attributes).toMatchObject({ status: "UPLOADED", filesize: bytes.length });
      expect(await offered(kind), `the uploaded ${kind} is not served while its release is a DRAFT`).toBe(false);

      const published = await write("POST", `/releases/${release.id}/actions/publish`);
      expect(JSON.parse(await expectStatus(published, 200, `publish ${kind} release`, run)).data.attributes.status).toBe("PUBLISHED");
      expect(await offered(kind), `the reader serves the ${kind} release as soon as it is published`).toBe(true);
      done.add(`published ${kind}`);
    }

    const index = () => `${run.reader}/v1/accounts/demo/engines/pypi/simple/`;
    async function pip(command: "install" | "download", requirement: string) {
      const out = join(dir, `pip-${++pipRuns}`);
      const args = command === "install" ? ["install", "--target", out] : ["download", "-d", out];
      const result = await runPip(dir, [...args, "--index-url", index(), requirement]);
      return { ...result, files: saved(out) };
    }
    const tauriCheck = (version: string) =>
      fetch(`${run.reader}/v1/accounts/demo/engines/tauri/demo-app?platform=linux&arch=x86_64&version=${version}`, { headers: { accept: "application/json", ...TAURI_UA } });
    const rawLatest = () =>
      fetch(`${run.reader}/v1/accounts/demo/engines/raw/cli/latest/${TOOL}`, { headers: { authorization: CLI_LICENSE }, redirect: "manual" });

    it("publishes a pypi, a Tauri and a raw release through the API (create, POST /artifacts 307, PUT, publish)", async () => {
      await publish("sdk", "sdk", "demo-sdk", { filename: WHEEL, filetype: "whl" }, files.wheel);
      await publish("app", "app", "demo-app", { filename: BUNDLE, filetype: "tar.gz", platform: "linux", arch: "x86_64", signature: files.bundleSignature }, files.bundle);
      // The raw binary declares its checksum as keygen-cli does (SHA-512, base64): the upload checks it.
      const checksum = createHash("sha512").update(files.tool).digest("base64");
      await publish("tool", "cli", null, { filename: TOOL, platform: "linux", arch: "amd64", checksum }, files.tool);
    });

    it("real pip installs the published wheel", async () => {
      need("published sdk");
      const result = await pip("install", "demo-sdk");
      expect(result.code, result.out).toBe(0);
      expect(result.out).toContain(`Successfully installed demo-sdk-${VERSION}`);
      expect(result.files, result.out).toContain(`demo_sdk-${VERSION}.dist-info`);
      expect(readFileSync(join(dir, `pip-${pipRuns}`, "demo_sdk", "__init__.py"), "utf8")).toBe(`VERSION = '${VERSION}'\n`);
    });

    it("a Tauri check offers the bundle, and the downloaded bytes verify with minisign -V", async () => {
      need("published app");
      const res = await tauriCheck("1.1.0");
      const body = JSON.parse(await expectStatus(res, 200, "Tauri check from 1.1.0", run));
      expect(body).toMatchObject({ version: VERSION, signature: files.bundleSignature });
      expect(body.url).toMatch(new RegExp(`^${run.reader}/.*/${BUNDLE.replace(/\./g, "\\.")}$`));
      const dl = await fetch(body.url, { headers: { accept: "application/octet-stream", ...TAURI_UA }, redirect: "follow" });
      const bytes = Buffer.from(await dl.arrayBuffer());
      expect(dl.status).toBe(200);
      expect(bytes.equals(files.bundle), "downloaded bytes are the uploaded bundle").toBe(true);
      const name = `dl-${target.name.split(",")[0]}`;
      writeFileSync(join(files.dir, name), bytes);
      writeFileSync(join(files.dir, `${name}.minisig`), Buffer.from(body.signature, "base64"));
      const verified = minisign(["-V", "-p", "k.pub", "-m", name, "-x", `${name}.minisig`]);
      expect(verified.output).toContain("Signature and comment signature verified");
      expect(verified.status).toBe(0);
      // The check would catch a wrong bundle: one flipped byte fails verification.
      bytes[1000] = (bytes[1000] as number) ^ 0xff;
      writeFileSync(join(files.dir, name), bytes);
      expect(minisign(["-V", "-p", "k.pub", "-m", name, "-x", `${name}.minisig`]).status).not.toBe(0);
    });

    it("a raw latest link answers 303 to the uploaded artifact, and the bytes download", async () => {
      need("published tool");
      const res = await rawLatest();
      await expectStatus(res, 303, "raw latest", run);
      expect(res.headers.get("location")).toBe(`${run.reader}/v1/accounts/${made.accountId}/artifacts/${made.artifacts.tool}/${TOOL}`);
      const dl = await fetch(`${run.reader}/v1/accounts/demo/engines/raw/cli/latest/${TOOL}`, { headers: { authorization: CLI_LICENSE }, redirect: "follow" });
      expect(dl.status).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer()).equals(files.tool)).toBe(true);
    });

    it("yanks the three releases with a reason", async () => {
      for (const kind of ["sdk", "app", "tool"] as const) {
        need(`published ${kind}`);
        const res = await write("POST", `/releases/${made.releases[kind]}/actions/yank`, { meta: { reason: YANK_REASON } });
        const body = JSON.parse(await expectStatus(res, 200, `yank ${kind}`, run));
        expect(body.data.attributes.status).toBe("YANKED");
        done.add(`yanked ${kind}`);
      }
      // The reader's page shows the yank at once, and the ETag from before it no longer matches.
      const page = await projectPage(pageEtag);
      expect(page.status, "the project page revalidated with its pre-yank ETag").toBe(200);
      expect(page.files.find((f) => f.filename === WHEEL)?.yanked).toBe(YANK_REASON);
      expect((await projectPage(page.etag)).status, "the page's own ETag still answers 304 (so the 200s above mean something)").toBe(304);
    });

    it("after the yank pip still installs the exact pin, with the reason", async () => {
      need("yanked sdk");
      const result = await pip("install", `demo-sdk==${VERSION}`);
      expect(result.code, result.out).toBe(0);
      expect(result.files, result.out).toContain(`demo_sdk-${VERSION}.dist-info`);
      expect(result.out).toMatch(/yanked version/);
      expect(result.out).toContain(`Reason for being yanked: ${YANK_REASON}`);
    });

    it("after the yank pip skips it otherwise (the previous version is chosen)", async () => {
      need("yanked sdk");
      const result = await pip("download", "demo-sdk");
      expect(result.code, result.out).toBe(0);
      expect(result.files, result.out).toEqual(["demo_sdk-1.1.0-py3-none-any.whl"]);
    });

    it("after the yank Tauri stops offering it", async () => {
      need("yanked app");
      expect((await tauriCheck("1.1.0")).status, "from 1.1.0: up to date").toBe(204);
      const res = await tauriCheck("1.0.0");
      const body = JSON.parse(await expectStatus(res, 200, "Tauri check from 1.0.0", run));
      expect(body.version).toBe("1.1.0");
      expect(body.url).not.toContain(BUNDLE);
    });

    it("after the yank raw latest chooses the previous release", async () => {
      need("yanked tool");
      const res = await rawLatest();
      await expectStatus(res, 303, "raw latest after yank", run);
      expect(res.headers.get("location")).toMatch(new RegExp(`/v1/accounts/${made.accountId}/artifacts/[0-9a-f-]{36}/${TOOL}$`));
      expect(res.headers.get("location")).not.toContain(made.artifacts.tool);
      const dl = await fetch(res.headers.get("location") as string, { headers: { authorization: CLI_LICENSE }, redirect: "follow" });
      expect(Buffer.from(await dl.arrayBuffer()).equals(readFileSync(join(DEMO, "blobs", `${TOOL}-1.1.0`)))).toBe(true);
    });

    if (target.durable === true) {
      it("after the reader restarts, the upload and the yank are still there", async () => {
        need("yanked sdk", "yanked app", "yanked tool");
        await run.restart?.();
        const page = await projectPage(null);
        expect(page.files.find((f) => f.filename === WHEEL)?.yanked).toBe(YANK_REASON);
        const wheel = await fetch(`${run.reader}/v1/accounts/demo/artifacts/${made.artifacts.sdk}/${WHEEL}`, { redirect: "follow" });
        expect(wheel.status).toBe(200);
        expect(Buffer.from(await wheel.arrayBuffer()).equals(files.wheel), "the uploaded wheel's bytes, served after the restart").toBe(true);
        const check = JSON.parse(await expectStatus(await tauriCheck("1.0.0"), 200, "Tauri check from 1.0.0 after restart", run));
        expect(check.version).toBe("1.1.0");
        expect((await rawLatest()).headers.get("location")).not.toContain(made.artifacts.tool);
      });
    }

    if (target.inProcess === true) {
      it("onEvent saw each change and each download of the new releases, in order", () => {
        need("yanked sdk", "yanked app", "yanked tool");
        const about = (kind: keyof Published["releases"]) =>
          (run.events ?? []).filter((e) => e.data.id === made.releases[kind] || e.data.id === made.artifacts[kind]).map((e) => e.type);
        // Each artifact: created WAITING, uploaded (shown on the reader with `Prefer: no-download`, not a download), published.
        const publishing = ["release.created", "artifact.created", "artifact.uploaded", "release.published"];
        // pip fetched the wheel twice: the install, then the pinned install after the yank.
        expect(about("sdk")).toEqual([...publishing, "artifact.downloaded", "release.yanked", "artifact.downloaded"]);
        // Two checks offered 1.2.0 (right after publish, then the updater's check), one download.
        expect(about("app")).toEqual([...publishing, "release.upgraded", "release.upgraded", "artifact.downloaded", "release.yanked"]);
        // Raw 303s are not downloads; the one followed to the bytes is.
        expect(about("tool")).toEqual([...publishing, "artifact.downloaded", "release.yanked"]);
      });
    }
  });
}

describe("publish through the API, then real clients, on every store", () => {
  for (const target of TARGETS) scenario(target);
});
