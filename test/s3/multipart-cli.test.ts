/**
 * The CLI's `upload` of files over the server's multipart threshold (issue 16 item 3), real processes:
 * `serve --s3-*` with small parts and s3rver; a wheel uploaded in parts installs with real pip from
 * the bucket; an upload SIGKILLed after some parts is rerun and sends only the parts the server does
 * not hold (counted at the S3 server), then confirms, and the bucket holds the file's bytes.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPip } from "../e2e/pip-helpers.js";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { verifies } from "./sigv4.js";

const ADMIN = "admin-demo0000000000000000000000000000000000000000000000000000000000v3";
const PART = 64 * 1024;
let s3: S3Server;
let dir: string;
let server: Started;
let api: string;

beforeAll(async () => {
  s3 = await startS3();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-s3-multipart-cli-"));
  const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: "us-east-1" };
  const s3Args = ["--s3-endpoint", s3.endpoint, "--s3-bucket", s3.bucket, "--s3-path-style"];
  const db = path.join(dir, "demo.sqlite");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX, "src/cli.ts", "import", "examples/demo/dataset.json", "--db", db, ...s3Args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`import exited ${code}`))));
  });
  server = await startListening(["src/cli.ts", "serve", "--db", db, "--port", "0", ...s3Args, "--s3-multipart-threshold", String(2 * PART), "--s3-part-size", String(PART)], env);
  api = `${server.origin}/v1/accounts/demo`;
});
afterAll(async () => {
  await server?.stop();
  await s3?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const headers = { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/vnd.api+json", Accept: "application/vnd.api+json" };
const cliArgs = (file: string, release: string, pkg: string) => [...TSX, "src/cli.ts", "upload", file, "--release", release, "--package", pkg, "--host", server.origin, "--account", "demo", "--token", ADMIN];
const partPuts = (from = 0) => s3.requests.slice(from).filter((r) => r.method === "PUT" && r.url.includes("uploadId=")).length;
/** True when every PUT since `from` carries the headers its presigned URL signed, with the values signed (what S3 checks, s3rver does not). */
const signedPutsVerify = (from: number) => {
  const puts = s3.requests.slice(from).filter((r) => r.method === "PUT" && r.url.includes("X-Amz-Signature="));
  return puts.length > 0 && puts.every((r) => verifies({ method: "PUT", url: `${s3.endpoint}${r.url}`, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])), secretAccessKey: s3.secretAccessKey }));
};

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, KEYGEN_TOKEN: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** The bytes the server's download of an artifact (a 303 to the bucket) lands on. */
async function downloaded(id: string): Promise<Buffer> {
  const res = await fetch(`${api}/artifacts/${id}`, { headers, redirect: "manual" });
  expect(res.status).toBe(303);
  const location = res.headers.get("location") as string;
  expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/artifacts/`)).toBe(true);
  return Buffer.from(await (await fetch(location)).arrayBuffer());
}

/** A pure-Python wheel carrying `size` random bytes stored uncompressed, so it spans several parts. */
function bigWheel(version: string, size: number): string {
  const script = String.raw`
import base64, hashlib, os, sys, zipfile
out, version, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = {
  "demo_sdk/__init__.py": f"VERSION = {version!r}\n".encode(),
  "demo_sdk/blob.bin": os.urandom(size),
  f"demo_sdk-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: demo-sdk\nVersion: {version}\n".encode(),
  f"demo_sdk-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: handmade\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
rec = lambda d: "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode() + f",{len(d)}"
files[f"demo_sdk-{version}.dist-info/RECORD"] = ("".join(f"{p},{rec(c)}\n" for p, c in files.items()) + f"demo_sdk-{version}.dist-info/RECORD,,\n").encode()
with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
  for p, c in files.items():
    z.writestr(zipfile.ZipInfo(p, (2020, 1, 1, 0, 0, 0)), c)
`;
  const file = path.join(dir, `demo_sdk-${version}-py3-none-any.whl`);
  execFileSync("python3", ["-c", script, file, version, String(size)]);
  return file;
}

async function newRelease(version: string): Promise<void> {
  const pkg = (await (await fetch(`${api}/packages/demo-sdk`, { headers })).json()) as { data: { id: string; relationships: { product: { data: { id: string } } } } };
  const res = await fetch(`${api}/releases`, {
    method: "POST", headers,
    body: JSON.stringify({ data: { type: "releases", attributes: { version, channel: "stable", status: "PUBLISHED" }, relationships: { product: { data: { type: "products", id: pkg.data.relationships.product.data.id } }, package: { data: { type: "packages", id: pkg.data.id } } } } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function artifactNamed(filename: string): Promise<{ id: string; attributes: { status: string; filesize: number } }> {
  const res = await fetch(`${api}/artifacts?page[number]=1&page[size]=100`, { headers });
  expect(res.status, await res.clone().text()).toBe(200);
  const list = (await res.json()) as { data: Array<{ id: string; attributes: { filename: string; status: string; filesize: number } }> };
  return list.data.find((a) => a.attributes.filename === filename) as { id: string; attributes: { status: string; filesize: number } };
}

describe("upload in parts with the CLI", { timeout: 180_000 }, () => {
  it("uploads a wheel over the threshold in parts, confirms it, and real pip installs it from the bucket", async () => {
    await newRelease("3.0.0");
    const file = bigWheel("3.0.0", 5 * PART + 1234);
    const size = fs.statSync(file).size;
    const parts = Math.ceil(size / PART);
    const mark = s3.requests.length;
    const run = await cli(cliArgs(file, "3.0.0", "demo-sdk"));
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(`uploading demo_sdk-3.0.0-py3-none-any.whl (${parts} parts)`);
    expect(run.out).toMatch(/^uploaded: artifact [0-9a-f-]{36} \(demo_sdk-3\.0\.0-py3-none-any\.whl/);
    expect(partPuts(mark)).toBe(parts);
    expect(signedPutsVerify(mark)).toBe(true);
    expect(s3.requests.slice(mark).filter((r) => r.method === "PUT" && r.url.includes("uploadId=")).every((r) => typeof r.headers["x-amz-checksum-sha256"] === "string")).toBe(true);
    const artifact = await artifactNamed(path.basename(file));
    expect(artifact.attributes).toMatchObject({ status: "UPLOADED", filesize: size });
    expect((await downloaded(artifact.id)).equals(fs.readFileSync(file))).toBe(true);

    const home = fs.mkdtempSync(path.join(dir, "pip-"));
    const target = path.join(home, "site");
    const pip = await runPip(home, ["install", "--index-url", `${api}/engines/pypi/simple/`, "--target", target, "demo-sdk==3.0.0"]);
    expect(pip.code, pip.out).toBe(0);
    expect(fs.statSync(path.join(target, "demo_sdk", "blob.bin")).size).toBe(5 * PART + 1234);
  });

  it("a file under the threshold goes in one PUT (its signed checksum header sent) and is confirmed", async () => {
    await newRelease("3.2.0");
    const file = path.join(dir, "demo-sdk-3.2.0-small.bin");
    const bytes = randomBytes(PART);
    fs.writeFileSync(file, bytes);
    const mark = s3.requests.length;
    const run = await cli(cliArgs(file, "3.2.0", "demo-sdk"));
    expect(run.code, run.err).toBe(0);
    expect(partPuts(mark)).toBe(0);
    expect(signedPutsVerify(mark)).toBe(true);
    const artifact = await artifactNamed(path.basename(file));
    expect(artifact.attributes).toMatchObject({ status: "UPLOADED", filesize: bytes.length });
    expect((await downloaded(artifact.id)).equals(bytes)).toBe(true);
  });

  it("killed (SIGKILL) after some parts, the rerun sends only the missing parts, then confirms", async () => {
    await newRelease("3.1.0");
    const file = path.join(dir, "demo-sdk-3.1.0-data.bin");
    const bytes = randomBytes(12 * PART + 999);
    fs.writeFileSync(file, bytes);
    const parts = 13;
    s3.slowParts(150);
    const mark = s3.requests.length;
    const child = spawn(process.execPath, cliArgs(file, "3.1.0", "demo-sdk"), { cwd: ROOT, env: { ...process.env, KEYGEN_TOKEN: "" } });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    while (partPuts(mark) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    s3.slowParts(0);
    await new Promise((r) => setTimeout(r, 600)); // let parts that were in flight settle at the S3 server

    const artifact = await artifactNamed(path.basename(file));
    expect(artifact.attributes.status).toBe("WAITING");
    const listed = (await (await fetch(`${api}/artifacts/${artifact.id}/upload/parts`, { headers })).json()) as { data: Array<{ attributes: { number: number; size: number; checksum: string } }> };
    const whole = listed.data.filter((p) => p.attributes.size === Math.min(PART, bytes.length - (p.attributes.number - 1) * PART));
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.length).toBeLessThan(parts);
    for (const p of whole) expect(p.attributes.checksum).toBe(createHash("sha256").update(bytes.subarray((p.attributes.number - 1) * PART, p.attributes.number * PART)).digest("hex"));

    const again = s3.requests.length;
    const run = await cli(cliArgs(file, "3.1.0", "demo-sdk"));
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(`resuming: ${whole.length} of ${parts} part(s) already stored, ${parts - whole.length} to send`);
    expect(partPuts(again)).toBe(parts - whole.length);
    expect(run.out).toContain(`uploaded: artifact ${artifact.id}`);
    expect((await downloaded(artifact.id)).equals(bytes)).toBe(true);
    // The completed upload left no parts behind.
    const uploads = path.join(s3.directory, s3.bucket, "._S3rver_uploads");
    expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
  });
});
