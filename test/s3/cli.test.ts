/**
 * `import --s3-bucket` and `serve --s3-bucket` (issue 16 item 4) against s3rver: the demo dataset's
 * files go to the bucket once (a second import skips them), and real pip installs a wheel that the
 * server answers with a 303 to a presigned URL on the S3 server; a Tauri update from there verifies
 * with minisign, and a raw link lands there.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3BlobStorage } from "../../src/blobs/s3/storage.js";
import { runPip } from "../e2e/pip-helpers.js";
import { ROOT, startListening, type Started } from "../helpers/process.js";
import { startS3, type S3Server } from "../helpers/s3.js";

let s3: S3Server;
let dir: string;
let env: Record<string, string>;
let server: Started | null = null;

beforeAll(async () => {
  s3 = await startS3();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-s3-cli-"));
  env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: "us-east-1" };
});
afterAll(async () => {
  await server?.stop();
  await s3?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const S3_ARGS = () => ["--s3-endpoint", s3.endpoint, "--s3-bucket", s3.bucket, "--s3-prefix", "demo/", "--s3-path-style"];

/** Run the CLI; its exit code and output. */
function cli(args: string[], extraEnv: Record<string, string> = env): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: ROOT, env: { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", ...extraEnv }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}${stderr}` });
    });
  });
}

describe("import and serve with --s3-bucket", () => {
  it("import uploads the dataset's files to the bucket first, and a second import skips them all", async () => {
    const db = path.join(dir, "demo.sqlite");
    const dataset = path.join(ROOT, "examples/demo/dataset.json");
    const first = await cli(["import", dataset, "--db", db, ...S3_ARGS()]);
    expect(first.code, first.out).toBe(0);
    const files = fs.readdirSync(path.join(ROOT, "examples/demo/blobs")).length;
    expect(first.out).toContain(`bucket: ${files} file(s) uploaded, 0 already there with the same bytes`);
    const blobs = createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, prefix: "demo/", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
    const wheel = "blobs/demo_sdk-1.0.0-py3-none-any.whl";
    expect((await blobs.head(wheel))?.size).toBe(fs.statSync(path.join(ROOT, "examples/demo", wheel)).size);
    const second = await cli(["import", dataset, "--db", db, ...S3_ARGS()]);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain(`bucket: 0 file(s) uploaded, ${files} already there with the same bytes`);
  });

  it("serve --s3-bucket: real pip installs a wheel downloaded from the S3 server through the 303", async () => {
    server = await startListening(["src/cli.ts", "serve", "--db", path.join(dir, "demo.sqlite"), "--port", "0", ...S3_ARGS()], env);
    const res = await fetch(`${server.origin}/v1/accounts/demo/engines/pypi/simple/demo-sdk/`);
    const html = await res.text();
    const href = /href="([^"]*demo_sdk-1\.0\.0-py3-none-any\.whl[^"]*)"/.exec(html)?.[1] as string;
    const redirect = await fetch(new URL(href.replace(/&amp;/g, "&"), res.url), { redirect: "manual" });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")?.startsWith(`${s3.endpoint}/${s3.bucket}/demo/blobs/demo_sdk-1.0.0-py3-none-any.whl?`)).toBe(true);

    const home = fs.mkdtempSync(path.join(dir, "pip-"));
    const target = path.join(home, "site");
    const run = await runPip(home, ["install", "-v", "--index-url", `${server.origin}/v1/accounts/demo/engines/pypi/simple/`, "--target", target, "demo-sdk==1.0.0"]);
    expect(run.code, run.out).toBe(0);
    expect(fs.readdirSync(target).some((f) => f.startsWith("demo_sdk-1.0.0.dist-info"))).toBe(true);
    expect(execFileSync("python3", ["-c", "import demo_sdk, sys; sys.stdout.write('ok')"], { env: { PATH: process.env.PATH ?? "", PYTHONPATH: target }, encoding: "utf8" })).toBe("ok");
  });

  it("a Tauri update downloads from the S3 server and verifies with minisign; a raw link lands there too", async () => {
    const origin = (server as Started).origin;
    const update = await fetch(`${origin}/v1/accounts/demo/engines/tauri/demo-app?platform=linux&arch=x86_64&version=1.0.0`);
    expect(update.status).toBe(200);
    const body = (await update.json()) as { url: string; signature: string };
    const download = await fetch(body.url, { redirect: "manual" });
    expect(download.status).toBe(303);
    const location = download.headers.get("location") as string;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/demo/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());
    const file = path.join(dir, "update.tar.gz");
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(`${file}.minisig`, Buffer.from(body.signature, "base64"));
    const verify = spawnSync("minisign", ["-V", "-p", path.join(ROOT, "examples/demo/tauri-updater.pub"), "-m", file, "-x", `${file}.minisig`], { encoding: "utf8" });
    expect(verify.status, verify.stderr).toBe(0);

    // The raw link redirects to the artifact, which redirects to the bucket.
    const hops: string[] = [];
    let next = `${origin}/v1/accounts/demo/engines/raw/cli/latest/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY`;
    for (let i = 0; i < 3 && !next.startsWith(s3.endpoint); i++) {
      const hop = await fetch(next, { redirect: "manual", headers: { authorization: "License DEMO-CLI-KEY" } });
      expect([301, 302, 303, 307], `${next} ${hop.status}`).toContain(hop.status);
      next = new URL(hop.headers.get("location") as string, next).toString();
      hops.push(next);
    }
    expect(next.startsWith(`${s3.endpoint}/${s3.bucket}/demo/blobs/demo-tool_linux_amd64-1.1.0?`), hops.join("\n")).toBe(true);
    const tool = Buffer.from(await (await fetch(next)).arrayBuffer());
    expect(tool.equals(fs.readFileSync(path.join(ROOT, "examples/demo/blobs/demo-tool_linux_amd64-1.1.0")))).toBe(true);
  });

  it("refuses --s3-* without a bucket or without credentials, and --blobs with --s3-bucket, with exit status 2", async () => {
    const db = path.join(dir, "demo.sqlite");
    for (const [args, message, e] of [
      [["serve", "--db", db, "--s3-endpoint", "http://127.0.0.1:1"], "--s3-endpoint needs --s3-bucket NAME", env],
      [["serve", "--db", db, "--s3-bucket", "b"], "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", {}],
      [["serve", "--db", db, "--s3-bucket", "bucket", "--blobs", dir], "give either --blobs DIR or --s3-bucket NAME", env],
      [["serve", "--db", db, "--s3-bucket", "Bad_Name"], "not an S3 bucket name", env],
      [["import", "x.json", "--db", db, "--s3-bucket", "b"], "needs AWS_ACCESS_KEY_ID", {}],
    ] as const) {
      const run = await cli([...args], e);
      expect(run.code, run.out).toBe(2);
      expect(run.out).toContain(message);
    }
  });
});
