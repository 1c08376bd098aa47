/**
 * Uploads to the embedded file storage (issue 13 items 4–5, issue 19 item 7): signed upload URLs,
 * the PUT streamed to a temporary file in the blob folder, size and checksum checks, the atomic move
 * and the artifact's status, with a real writable store, the real file system and real sockets.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_SCOPE } from "../../src/access/scope.js";
import { purposeKey } from "../../src/blobs/signed.js";
import type { BlobStorage } from "../../src/blobs/types.js";
import { hmacSha256Hex } from "../../src/core/crypto.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Account, Artifact, Release } from "../../src/model/records.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { serveFetchHandler } from "../../src/node/http.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { isWritableStore, type NewArtifact, type WritableStore } from "../../src/store/write.js";
import { buildWheel } from "../e2e/pip-helpers.js";
import { makeStore } from "../helpers/store.js";
import { BLOBS, datasetFile } from "../pypi/fixture.js";

const T0 = Date.parse("2026-03-01T12:00:30Z");
let clock = T0;
const now = () => new Date(clock);

let dir: string;
let root: string;
let store: WritableStore;
let account: Account;
let release: Release;
let blobs: BlobStorage;
let handler: ReturnType<typeof createFetchHandler>;
let serial = 0;

/** A writable store of the run's backend: the writable memory store, or a SQL one (null while that backend cannot write). */
async function writableStore(): Promise<WritableStore | null> {
  const dataset = await loadDataset(await datasetFile(), { readFile: async (rel) => BLOBS[rel] ?? null });
  if ((process.env.RE_TEST_STORE ?? "memory") === "memory") return createWritableMemoryStore(dataset);
  const sql = await makeStore(dataset);
  return isWritableStore(sql) ? sql : null;
}

const backend = await writableStore();
/** The suites below, skipped on a backend that cannot write. */
const suite = describe.skipIf(backend === null);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-uploads-"));
  root = path.join(dir, "blobs");
  fs.mkdirSync(root);
  if (backend === null) return;
  store = backend;
  account = (await store.getAccount("demo")) as Account;
  const releases = await store.listReleases(account.id, ADMIN_SCOPE, { version: "1.0.0" }, { order: "desc", limit: 100 });
  const demoPkg = (await store.listAllPackages(account.id, ADMIN_SCOPE, {}, { order: "desc", limit: 100 })).items.find((p) => p.key === "demo-pkg");
  release = releases.items.find((r) => r.packageId === demoPkg?.id) as Release;
  blobs = createFileBlobStorage({ root, maxUploadBytes: 1024 * 1024 });
  handler = createFetchHandler({ store, blobs, now });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  clock = T0;
});

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
const sha512 = (b: Uint8Array | string) => createHash("sha512").update(b).digest();

/** A new WAITING artifact of the demo release. */
async function waiting(attrs: Partial<NewArtifact> = {}, rel: Release = release): Promise<Artifact> {
  return store.createArtifact(account.id, {
    releaseId: rel.id, filename: `file-${++serial}.bin`, filetype: "bin", filesize: null, platform: null, arch: null,
    signature: null, checksum: null, metadata: {}, ...attrs,
  }, now());
}

async function uploadUrl(artifact: Artifact, ttl = 60): Promise<string> {
  return (await blobs.presignUpload?.({ account, artifact, ttl, now: now(), origin: "http://localhost" })) as string;
}

const put = (url: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  handler(new Request(url, { method: "PUT", body, headers, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit));

async function artifactNow(id: string): Promise<Artifact> {
  return ((await store.getArtifact(account.id, id)) as { artifact: Artifact }).artifact;
}

/** Every file under a folder, relative to it. */
function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(folder, f)).isFile()).sort();
}

const artifactFiles = (a: Artifact) => filesUnder(path.join(root, "artifacts", account.id, a.releaseId, a.id));
const tempFiles = () => filesUnder(path.join(root, ".uploads"));

/** A body that fails the test if it is ever read. */
function untouchable(): ReadableStream<Uint8Array> & { pulled: boolean } {
  const state = { pulled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull() {
      state.pulled = true;
      throw new Error("the body was read");
    },
  });
  return Object.assign(stream, { get pulled() { return state.pulled; } });
}

/** A body streamed in chunks, with no Content-Length. */
function chunked(...chunks: string[]): ReadableStream<Uint8Array> {
  const bytes = chunks.map((c) => new TextEncoder().encode(c));
  return new ReadableStream({
    pull(controller) {
      const next = bytes.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

async function errorOf(res: Response): Promise<{ status: number; code: string; pointer?: string }> {
  const doc = await res.json();
  return { status: res.status, code: doc.errors[0].code, ...(doc.errors[0].source?.pointer !== undefined ? { pointer: doc.errors[0].source.pointer } : {}) };
}

suite("upload URLs", () => {
  it("are /v1/blobs/uploads/<account>/<artifact>?expires=&kid=&signature=, signed with the upload key", async () => {
    const a = await waiting({ filesize: 3 });
    const url = new URL(await uploadUrl(a, 60));
    expect(url.pathname).toBe(`/v1/blobs/uploads/${account.id}/${a.id}`);
    expect([...url.searchParams.keys()]).toEqual(["expires", "kid", "signature"]);
    expect(url.searchParams.get("expires")).toBe(String(Math.floor(T0 / 1000) + 60));
    expect(url.searchParams.get("kid")).toBe("d1");
    const key = await purposeKey(account.secretKey, "upload");
    const expected = await hmacSha256Hex(key, JSON.stringify(["upload", "d1", account.id, a.id, 3, null, Number(url.searchParams.get("expires"))]));
    expect(url.searchParams.get("signature")).toBe(expected);
  });

  it("are refused (403 SIGNATURE_INVALID) when tampered, expired, moved to another artifact, or of another purpose or key id", async () => {
    const a = await waiting({ filesize: 3 });
    const b = await waiting({ filesize: 3 });
    const url = new URL(await uploadUrl(a));
    const expires = Number(url.searchParams.get("expires"));
    const downloadKey = await purposeKey(account.secretKey, "download");
    const uploadKey = await purposeKey(account.secretKey, "upload");
    const variants: URL[] = [];
    const edit = (f: (u: URL) => void) => {
      const u = new URL(url);
      f(u);
      variants.push(u);
    };
    edit((u) => u.searchParams.set("signature", (u.searchParams.get("signature") as string).replace(/^./, (c) => (c === "0" ? "1" : "0"))));
    edit((u) => u.searchParams.set("expires", String(expires + 1)));
    edit((u) => u.searchParams.set("kid", "a1"));
    edit((u) => u.searchParams.set("kid", "zz"));
    edit((u) => u.searchParams.delete("signature"));
    edit((u) => (u.pathname = u.pathname.replace(a.id, b.id)));
    // Another purpose: the same message under the download key; the download message under either key.
    const message = JSON.stringify(["upload", "d1", account.id, a.id, 3, null, expires]);
    for (const sig of [
      await hmacSha256Hex(downloadKey, message),
      await hmacSha256Hex(account.secretKey, message),
      await hmacSha256Hex(uploadKey, `d1\n${account.id}\n${a.id}\n${expires}`),
      await hmacSha256Hex(downloadKey, `d1\n${account.id}\n${a.id}\n${expires}`),
    ]) edit((u) => u.searchParams.set("signature", sig));
    // The legacy key id signs downloads with the secret itself; it never signs uploads.
    for (const sig of [await hmacSha256Hex(account.secretKey, message.replace('"d1"', '"a1"')), await hmacSha256Hex(account.secretKey, `a1\n${account.id}\n${a.id}\n${expires}`)]) {
      edit((u) => {
        u.searchParams.set("kid", "a1");
        u.searchParams.set("signature", sig);
      });
    }
    for (const u of variants) {
      const res = await put(u.toString(), "abc");
      expect(await errorOf(res), u.toString()).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
    }
    clock = expires * 1000;
    expect(await errorOf(await put(url.toString(), "abc"))).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
    clock = T0;
    // Nothing was written, and both artifacts still wait.
    expect([(await artifactNow(a.id)).status, (await artifactNow(b.id)).status]).toEqual(["WAITING", "WAITING"]);
    expect(artifactFiles(a)).toEqual([]);
    // The genuine URL still works.
    expect((await put(url.toString(), "abc")).status).toBe(200);
  });

  it("stop working when the declared filesize or checksum changes after they were minted", async () => {
    const a = await waiting({ filesize: 3, checksum: sha256("abc") });
    const url = await uploadUrl(a);
    await store.updateArtifact(account.id, a.id, { checksum: sha256("abd") }, now());
    expect(await errorOf(await put(url, "abd"))).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
  });

  it("for a missing artifact or account are the same 403, never a 404", async () => {
    const a = await waiting();
    const url = new URL(await uploadUrl(a));
    await store.deleteArtifact(account.id, a.id);
    expect(await errorOf(await put(url.toString(), "x"))).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
    url.pathname = url.pathname.replace(account.id, "00000000-0000-4000-8000-000000000001");
    expect(await errorOf(await put(url.toString(), "x"))).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
  });
});

suite("receiving an upload", () => {
  it("streams the bytes into place, marks the artifact UPLOADED with size and sha256, and serves them", async () => {
    const bytes = "a".repeat(100_000) + "b".repeat(100_000);
    const a = await waiting({ filesize: bytes.length, checksum: sha256(bytes) });
    const res = await put(await uploadUrl(a), chunked(bytes.slice(0, 70_000), bytes.slice(70_000, 150_000), bytes.slice(150_000)));
    expect(res.status).toBe(200);
    expect((await res.json()).meta).toEqual({ id: a.id, status: "UPLOADED", filesize: bytes.length, sha256: sha256(bytes) });
    const done = await artifactNow(a.id);
    expect(done).toMatchObject({ status: "UPLOADED", filesize: bytes.length });
    expect(done.blob).toMatch(new RegExp(`^artifacts/${account.id}/${release.id}/${a.id}/[0-9a-f]{16}/${a.filename}$`));
    expect(fs.readFileSync(path.join(root, done.blob as string), "utf8")).toBe(bytes);
    expect(tempFiles()).toEqual([]);
    const download = await handler(new Request(`http://localhost/v1/accounts/demo/artifacts/${a.id}`));
    expect(download.status).toBe(303);
    const served = await handler(new Request(download.headers.get("location") as string));
    expect(await served.text()).toBe(bytes);
  });

  it("accepts the declared checksum in every encoding: sha-256 or sha-512; hex, base64, unpadded base64, base64url", async () => {
    const bytes = "checksummed bytes";
    const d256 = createHash("sha256").update(bytes).digest();
    const d512 = sha512(bytes);
    for (const d of [d256, d512]) {
      for (const checksum of [d.toString("hex"), d.toString("base64"), d.toString("base64").replace(/=+$/, ""), d.toString("base64url")]) {
        const a = await waiting({ filesize: bytes.length, checksum });
        const res = await put(await uploadUrl(a), bytes);
        expect(res.status, checksum).toBe(200);
        expect((await artifactNow(a.id)).status).toBe("UPLOADED");
      }
    }
  });

  it("keeps the computed sha256 as the checksum when none was declared, and takes an empty file", async () => {
    const a = await waiting();
    expect((await put(await uploadUrl(a), "undeclared")).status).toBe(200);
    expect(await artifactNow(a.id)).toMatchObject({ status: "UPLOADED", filesize: 10, checksum: sha256("undeclared") });
    const empty = await waiting({ filesize: 0 });
    expect((await put(await uploadUrl(empty), null)).status).toBe(200);
    expect(await artifactNow(empty.id)).toMatchObject({ status: "UPLOADED", filesize: 0, checksum: sha256("") });
  });

  it("refuses more bytes than declared as they arrive (413 FILESIZE_EXCEEDED): FAILED, no file", async () => {
    const a = await waiting({ filesize: 10 });
    const res = await put(await uploadUrl(a), chunked("0123456", "789", "X", "more and more"));
    expect(await errorOf(res)).toEqual({ status: 413, code: "FILESIZE_EXCEEDED", pointer: "/data/attributes/filesize" });
    expect(res.headers.get("connection")).toBe("close");
    const failed = await artifactNow(a.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.metadata.failureReason).toMatch(/more bytes than the artifact's declared filesize \(10\)/);
    expect([artifactFiles(a), tempFiles()]).toEqual([[], []]);
  });

  it("refuses a Content-Length above the declared size before reading the body", async () => {
    const a = await waiting({ filesize: 10 });
    const body = untouchable();
    const res = await handler(new Request(await uploadUrl(a), { method: "PUT", body, headers: { "content-length": "11" }, duplex: "half" } as RequestInit));
    expect(await errorOf(res)).toEqual({ status: 413, code: "FILESIZE_EXCEEDED", pointer: "/data/attributes/filesize" });
    expect(body.pulled).toBe(false);
  });

  it("refuses fewer bytes than declared (400 FILESIZE_MISMATCH), and a retry of the FAILED artifact then succeeds", async () => {
    const a = await waiting({ filesize: 10 });
    const url = await uploadUrl(a);
    expect(await errorOf(await put(url, chunked("012345678")))).toEqual({ status: 400, code: "FILESIZE_MISMATCH", pointer: "/data/attributes/filesize" });
    expect((await artifactNow(a.id)).status).toBe("FAILED");
    expect([artifactFiles(a), tempFiles()]).toEqual([[], []]);
    expect((await put(url, "0123456789")).status).toBe(200);
    expect(await artifactNow(a.id)).toMatchObject({ status: "UPLOADED", metadata: {} });
  });

  it("refuses bytes that do not match the declared checksum (422 CHECKSUM_MISMATCH): FAILED, no file", async () => {
    const a = await waiting({ filesize: 5, checksum: sha512("right").toString("base64") });
    expect(await errorOf(await put(await uploadUrl(a), "wrong"))).toEqual({ status: 422, code: "CHECKSUM_MISMATCH", pointer: "/data/attributes/checksum" });
    expect(await artifactNow(a.id)).toMatchObject({ status: "FAILED", metadata: { failureReason: "The upload's bytes do not match the artifact's declared checksum" } });
    expect([artifactFiles(a), tempFiles()]).toEqual([[], []]);
  });

  it("refuses a declared size above the quota before any byte is written (413 FILESIZE_QUOTA_EXCEEDED)", async () => {
    const a = await waiting({ filesize: 2 * 1024 ** 3 });
    const body = untouchable();
    const res = await handler(new Request(await uploadUrl(a), { method: "PUT", body, duplex: "half" } as RequestInit));
    expect(await errorOf(res)).toEqual({ status: 413, code: "FILESIZE_QUOTA_EXCEEDED", pointer: "/data/attributes/filesize" });
    expect(body.pulled).toBe(false);
    expect((await artifactNow(a.id)).status).toBe("FAILED");
    expect(tempFiles()).toEqual([]);
    // Undeclared, the quota still bounds what is written.
    const b = await waiting();
    expect(await errorOf(await put(await uploadUrl(b), chunked("x".repeat(1024 * 1024), "y")))).toMatchObject({ status: 413, code: "FILESIZE_QUOTA_EXCEEDED" });
    expect([artifactFiles(b), tempFiles()]).toEqual([[], []]);
  });

  it("refuses a declared size above the disk's free space before any byte is written (507 INSUFFICIENT_STORAGE)", async () => {
    const unlimited = createFileBlobStorage({ root });
    const a = await waiting({ filesize: 2 ** 52 });
    const body = untouchable();
    const res = await createFetchHandler({ store, blobs: unlimited, now })(new Request(await uploadUrl(a), { method: "PUT", body, duplex: "half" } as RequestInit));
    expect(await errorOf(res)).toEqual({ status: 507, code: "INSUFFICIENT_STORAGE", pointer: "/data/attributes/filesize" });
    expect(body.pulled).toBe(false);
    expect((await artifactNow(a.id)).status).toBe("FAILED");
  });

  it("refuses filenames that are not one plain name ('..', NUL, slashes, absolute paths) before writing", async () => {
    for (const filename of ["../../etc/passwd", "..", "a/b.whl", "/abs.whl", "a\\b.whl", "C:evil.whl", "nul\0.whl", "x..y.whl", "line\nbreak.whl"]) {
      const a = await waiting({ filename });
      const res = await put(await uploadUrl(a), "x");
      expect(await errorOf(res), JSON.stringify(filename)).toEqual({ status: 422, code: "FILENAME_INVALID", pointer: "/data/attributes/filename" });
      expect((await artifactNow(a.id)).status).toBe("FAILED");
    }
    expect(tempFiles()).toEqual([]);
    expect(fs.readdirSync(root).sort()).toEqual([".uploads", "artifacts"]);
  });

  it("cannot be replayed once the artifact is UPLOADED (422 ARTIFACT_NOT_WAITING), and the stored bytes stay", async () => {
    // Undeclared, the checksum becomes the sha256 at upload: the URL no longer even verifies.
    const undeclared = await waiting({ filesize: 5 });
    const first = await uploadUrl(undeclared);
    expect((await put(first, "first")).status).toBe(200);
    expect(await errorOf(await put(first, "again"))).toEqual({ status: 403, code: "SIGNATURE_INVALID" });
    const a = await waiting({ filesize: 5, checksum: sha256("first") });
    const url = await uploadUrl(a);
    expect((await put(url, "first")).status).toBe(200);
    const blob = (await artifactNow(a.id)).blob as string;
    expect(await errorOf(await put(url, "again"))).toEqual({ status: 422, code: "ARTIFACT_NOT_WAITING" });
    expect(await artifactNow(a.id)).toMatchObject({ status: "UPLOADED", blob });
    expect(fs.readFileSync(path.join(root, blob), "utf8")).toBe("first");
    expect(artifactFiles(a)).toHaveLength(1);
  });

  it("lets exactly one of two racing uploads of one URL win; the loser's file is deleted", async () => {
    const a = await waiting();
    const url = await uploadUrl(a);
    const results = await Promise.all([put(url, chunked("one", "-", "one")), put(url, chunked("two", "-", "two"))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    const done = await artifactNow(a.id);
    expect(artifactFiles(a)).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, done.blob as string), "utf8")).toBe(done.checksum === sha256("one-one") ? "one-one" : "two-two");
    expect(tempFiles()).toEqual([]);
  });

  it("answers 405 STORE_READ_ONLY on a store that cannot write", async () => {
    const a = await waiting();
    const dataset = await loadDataset(await datasetFile(), { readFile: async (rel) => BLOBS[rel] ?? null });
    const readOnly = createFetchHandler({ store: createMemoryStore(dataset), blobs, now });
    const res = await readOnly(new Request(await uploadUrl(a), { method: "PUT", body: "x" }));
    expect(await errorOf(res)).toEqual({ status: 405, code: "STORE_READ_ONLY" });
  });

  it("removes an uploaded artifact's bytes (and the folders the upload made), never an imported file", async () => {
    const a = await waiting();
    await put(await uploadUrl(a), "to be removed");
    const done = await artifactNow(a.id);
    await blobs.remove?.(account, done);
    expect(fs.existsSync(path.join(root, "artifacts", account.id, release.id, a.id))).toBe(false);
    expect(fs.existsSync(path.join(root, "artifacts"))).toBe(true);
    fs.writeFileSync(path.join(root, "imported.whl"), "imported");
    for (const blob of ["imported.whl", "../outside", "artifacts/../imported.whl"]) await blobs.remove?.(account, { ...done, blob });
    expect(fs.readFileSync(path.join(root, "imported.whl"), "utf8")).toBe("imported");
    await blobs.remove?.(account, done);
  });
});

suite("an upload over a real socket", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = await serveFetchHandler(handler, { port: 0, host: "127.0.0.1" });
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Send a PUT's head (with `header`) and `payload`, then let `finish` decide what happens to the socket; the answer. */
  function rawPut(url: string, header: string, payload: Buffer, finish: (socket: net.Socket) => void): Promise<string> {
    const u = new URL(url);
    return new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(`PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${header}\r\nConnection: close\r\n\r\n`);
        socket.write(payload, () => finish(socket));
      });
      let answer = "";
      socket.on("data", (d) => (answer += d.toString("latin1")));
      socket.on("error", () => {});
      socket.on("close", () => resolve(answer));
    });
  }
  const sized = (length: number) => `Content-Length: ${length}`;
  /** One chunk of a chunked body, not the last. */
  const chunk = (n: number) => Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 120), Buffer.from("\r\n")]);

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  }

  it("leaves no file and no UPLOADED artifact when the client disconnects midway", async () => {
    // Declared or not, sized or chunked: the server sees the body end early, never a whole one.
    const cases = [[1_000_000, sized(1_000_000), Buffer.alloc(300_000, 120)], [null, sized(1_000_000), Buffer.alloc(300_000, 120)], [null, "Transfer-Encoding: chunked", chunk(300_000)]] as const;
    for (const [filesize, header, payload] of cases) {
      const a = await waiting({ filesize });
      await rawPut(await uploadUrl(a), header, payload, (socket) => setTimeout(() => socket.destroy(), 50));
      await until(async () => (await artifactNow(a.id)).status !== "WAITING");
      const after = await artifactNow(a.id);
      expect(after.status, header).toBe("FAILED");
      expect(after.metadata.failureReason).toBe("The upload was interrupted before all its bytes arrived");
      expect([artifactFiles(a), tempFiles()]).toEqual([[], []]);
    }
  });

  it("answers 413 and closes the connection when the body runs past the declared size", async () => {
    for (const [header, payload] of [[sized(5_000_000), Buffer.alloc(2_000_000, 120)], ["Transfer-Encoding: chunked", Buffer.concat([chunk(600), chunk(600), chunk(500_000)])]] as const) {
      const a = await waiting({ filesize: 1000 });
      const answer = await rawPut(await uploadUrl(a), header, payload, () => {});
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toMatch(/"code":"FILESIZE_EXCEEDED"/);
      expect((await artifactNow(a.id)).status).toBe("FAILED");
      expect([artifactFiles(a), tempFiles()]).toEqual([[], []]);
    }
  });

  it("takes a whole upload over HTTP, sized or chunked", async () => {
    const a = await waiting({ filesize: 200_000 });
    const answer = await rawPut(await uploadUrl(a), sized(200_000), Buffer.alloc(200_000, 120), () => {});
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect((await artifactNow(a.id)).status).toBe("UPLOADED");
    const b = await waiting({ filesize: 200_000 });
    const chunked = await rawPut(await uploadUrl(b), "Transfer-Encoding: chunked", Buffer.concat([chunk(100_000), chunk(100_000), Buffer.from("0\r\n\r\n")]), () => {});
    expect(chunked).toMatch(/^HTTP\/1\.1 200 /);
    expect((await artifactNow(b.id)).status).toBe("UPLOADED");
  });
});

suite("wheels", () => {
  let wheelDir: string;
  beforeAll(() => {
    wheelDir = fs.mkdtempSync(path.join(dir, "wheels-"));
  });

  it("get their METADATA as the PEP 658 sibling and Requires-Python as requiresPython; the page advertises both", async () => {
    const { filename, metadata } = buildWheel(wheelDir, "demo_pkg", "1.0.0.post7", ">=3.9");
    const bytes = fs.readFileSync(path.join(wheelDir, filename));
    const a = await waiting({ filename, filesize: bytes.length, checksum: sha256(bytes), filetype: "whl" });
    expect((await put(await uploadUrl(a), bytes)).status).toBe(200);
    expect((await artifactNow(a.id)).metadata).toEqual({ requiresPython: ">=3.9" });
    const siblings = await store.listArtifacts(account.id, ADMIN_SCOPE, { releaseId: release.id }, { order: "desc", limit: 100 });
    const sibling = siblings.items.find((r) => r.artifact.filename === `${filename}.metadata`)?.artifact as Artifact;
    expect(sibling).toMatchObject({ status: "UPLOADED", filesize: Buffer.byteLength(metadata), checksum: sha256(metadata) });
    expect(fs.readFileSync(path.join(root, sibling.blob as string), "utf8")).toBe(metadata);
    const page = await handler(new Request("http://localhost/v1/accounts/demo/engines/pypi/simple/demo-pkg/", { headers: { accept: "application/vnd.pypi.simple.v1+json" } }));
    const file = (await page.json()).files.find((f: { filename: string }) => f.filename === filename);
    expect(file).toMatchObject({ "requires-python": ">=3.9", "core-metadata": { sha256: sha256(metadata) }, hashes: { sha256: sha256(bytes) } });
    const served = await handler(new Request(`${file.url}.metadata`));
    expect(served.status).toBe(303);
    expect(await (await handler(new Request(served.headers.get("location") as string))).text()).toBe(metadata);
  });

  it("replace a stale .metadata sibling of the same name with the new wheel's own METADATA", async () => {
    const { filename } = buildWheel(wheelDir, "demo_pkg", "1.0.0.post8", ">=3.9");
    const first = fs.readFileSync(path.join(wheelDir, filename));
    const a = await waiting({ filename });
    await put(await uploadUrl(a), first);
    await store.deleteArtifact(account.id, a.id);
    const again = buildWheel(wheelDir, "demo_pkg", "1.0.0.post8", ">=3.11");
    const second = fs.readFileSync(path.join(wheelDir, filename));
    const b = await waiting({ filename });
    expect((await put(await uploadUrl(b), second)).status).toBe(200);
    const { items } = await store.listArtifacts(account.id, ADMIN_SCOPE, { releaseId: release.id }, { order: "desc", limit: 100 });
    const siblings = items.filter((r) => r.artifact.filename === `${filename}.metadata`).map((r) => r.artifact);
    expect(siblings).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, siblings[0]?.blob as string), "utf8")).toBe(again.metadata);
    expect((await artifactNow(b.id)).metadata).toEqual({ requiresPython: ">=3.11" });
  });

  it("still upload when their .metadata sibling cannot be made, leaving no half-made sibling", async () => {
    const { filename } = buildWheel(wheelDir, "demo_pkg", "1.0.0.post9", ">=3.9");
    const bytes = fs.readFileSync(path.join(wheelDir, filename));
    const failing: WritableStore = Object.create(store, {
      completeArtifact: { value: async (acc: string, id: string, up: Parameters<WritableStore["completeArtifact"]>[2], at: Date) => {
        if (up.blob.endsWith(".metadata")) throw new Error("disk on fire");
        return store.completeArtifact(acc, id, up, at);
      } },
    });
    const a = await waiting({ filename });
    const res = await createFetchHandler({ store: failing, blobs, now })(new Request(await uploadUrl(a), { method: "PUT", body: bytes }));
    expect(res.status).toBe(200);
    expect(await artifactNow(a.id)).toMatchObject({ status: "UPLOADED", metadata: { requiresPython: ">=3.9" } });
    const { items } = await store.listArtifacts(account.id, ADMIN_SCOPE, { releaseId: release.id }, { order: "desc", limit: 100 });
    expect(items.some((r) => r.artifact.filename === `${filename}.metadata`)).toBe(false);
    expect(artifactFiles(a).filter((f) => f.endsWith(".metadata"))).toEqual([]);
    expect(tempFiles()).toEqual([]);
  });

  it("that are not readable zips still upload, without metadata", async () => {
    const bytes = "not a zip at all";
    const a = await waiting({ filename: "broken-1.0-py3-none-any.whl", filesize: bytes.length });
    expect((await put(await uploadUrl(a), bytes)).status).toBe(200);
    expect(await artifactNow(a.id)).toMatchObject({ status: "UPLOADED", metadata: {} });
    const siblings = await store.listArtifacts(account.id, ADMIN_SCOPE, { releaseId: release.id }, { order: "desc", limit: 100 });
    expect(siblings.items.some((r) => r.artifact.filename === "broken-1.0-py3-none-any.whl.metadata")).toBe(false);
  });
});

suite("key separation (issue 19 item 7)", () => {
  it("signs new download URLs under d1 with the download key, never the secret; a1 URLs still download until they expire", async () => {
    const a = await waiting();
    await put(await uploadUrl(a), "legacy bytes");
    const done = await artifactNow(a.id);
    const url = new URL((await blobs.presign({ account, artifact: done, ttl: 60, now: now(), origin: "http://localhost" })) as string);
    expect(url.searchParams.get("kid")).toBe("d1");
    const expires = Number(url.searchParams.get("expires"));
    const message = `d1\n${account.id}\n${a.id}\n${expires}`;
    expect(url.searchParams.get("signature")).toBe(await hmacSha256Hex(await purposeKey(account.secretKey, "download"), message));
    expect(url.searchParams.get("signature")).not.toBe(await hmacSha256Hex(account.secretKey, message));
    // A URL minted before the change: kid a1, signed with the secret itself.
    const legacy = new URL(url);
    legacy.searchParams.set("kid", "a1");
    legacy.searchParams.set("signature", await hmacSha256Hex(account.secretKey, `a1\n${account.id}\n${a.id}\n${expires}`));
    expect(await (await handler(new Request(legacy))).text()).toBe("legacy bytes");
    // d1 signed with the secret itself (as a token digest would be) is refused.
    const raw = new URL(url);
    raw.searchParams.set("signature", await hmacSha256Hex(account.secretKey, message));
    expect((await handler(new Request(raw))).status).toBe(403);
    clock = expires * 1000;
    expect((await handler(new Request(legacy))).status).toBe(403);
  });
});
