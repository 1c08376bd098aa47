/**
 * `serve` and the upload folder: temporary files a crash left in `.uploads/` are swept at start
 * (only stale ones of the server's own naming), and `--max-upload-bytes` bounds an upload.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";

const ADMIN = "admin-demo0000000000000000000000000000000000000000000000000000000000v3";
const dir = mkdtempSync(join(tmpdir(), "re-serve-uploads-"));
const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

function cli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" }, (error, _stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

describe("serve and its upload folder", { timeout: 120_000 }, () => {
  it("sweeps stale upload temp files at start, keeping fresh ones and anything not its own", async () => {
    const root = join(dir, "sweep");
    const uploads = join(root, ".uploads");
    mkdirSync(uploads, { recursive: true });
    const stale = join(uploads, "a".repeat(32));
    const fresh = join(uploads, "b".repeat(32));
    const other = join(uploads, "notes.txt");
    for (const f of [stale, fresh, other]) writeFileSync(f, "partial");
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(stale, old, old);
    utimesSync(other, old, old);
    const server = await startListening(["src/cli.ts", "serve", "--db", join(root, "demo.sqlite"), "--seed", "examples/demo/dataset.json", "--port", "0"]);
    running.push(server);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(server.output()).toContain(`removed 1 unfinished upload file(s) left in ${uploads}`);
  });

  it("refuses an upload over --max-upload-bytes with 413, and takes one within it", async () => {
    const root = join(dir, "max");
    mkdirSync(root, { recursive: true });
    const server = await startListening(["src/cli.ts", "serve", "--db", join(root, "demo.sqlite"), "--seed", "examples/demo/dataset.json", "--port", "0", "--max-upload-bytes", "10"]);
    running.push(server);
    const api = `${server.origin}/v1/accounts/demo`;
    const headers = { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/vnd.api+json", Accept: "application/vnd.api+json" };
    const release = (await (await fetch(`${api}/releases/1.1.0?package=demo-app`, { headers })).json()) as { data: { id: string } };
    const put = async (filename: string, bytes: number) => {
      const created = await fetch(`${api}/artifacts`, {
        method: "POST", headers, redirect: "manual",
        body: JSON.stringify({ data: { type: "artifacts", attributes: { filename, filesize: bytes }, relationships: { release: { data: { type: "releases", id: release.data.id } } } } }),
      });
      expect(created.status).toBe(307);
      return fetch(created.headers.get("location") as string, { method: "PUT", body: new Uint8Array(bytes) });
    };
    expect((await put("big.bin", 11)).status).toBe(413);
    expect((await put("small.bin", 10)).status).toBeLessThan(300);
    const bad = await cli(["serve", "--db", join(root, "demo.sqlite"), "--max-upload-bytes", "ten"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--max-upload-bytes must be a whole number of bytes above 0 (got 'ten')");
  });
});
