/**
 * The publishing commands' HTTP exchanges, byte for byte: what keygen-cli sends Keygen's API
 * (URLs, headers, JSON:API bodies, the 307 then PUT), recorded by a server that answers as Keygen does.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CommandIo } from "../../src/cli/io.js";
import { runPublishingCommand } from "../../src/cli/run.js";

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
let seen: Seen[] = [];
let answer: (req: Seen) => Answer = () => ({ status: 404 });
let server: Server;
let origin = "";

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { "Content-Type": "application/vnd.api+json", ...a.headers });
      res.end(a.body === undefined ? "" : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
});

const RELEASE_ID = "0b6e2f55-8c3e-4b7e-9d8f-3f4f1b2a0c11";
const ARTIFACT_ID = "7d1e8c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6";
const release = (attributes: Record<string, unknown> = {}) => ({ data: { id: RELEASE_ID, type: "releases", attributes: { version: "1.2.0", status: "DRAFT", ...attributes } } });
const json = (s: Seen) => JSON.parse(s.body.toString()) as unknown;

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  let err = "";
  const io: CommandIo = { out: (t) => out.push(t), err: (t) => (err += t), env: { KEYGEN_TOKEN: "prod-secret", ...env }, stderrIsTTY: false };
  const [name, ...rest] = args;
  const code = await runPublishingCommand(name as string, ["--host", origin, ...rest], io, { progressIntervalMs: 1, waitTimeoutMs: 3000 });
  return { code, out, err };
}

describe("release commands", () => {
  it("new: resolves --package and entitlement codes, then POSTs keygen-cli's release document", async () => {
    answer = (s) => {
      if (s.path === "/v1/accounts/acme/packages/demo-app") return { status: 200, body: { data: { id: "pkg-1", type: "packages", attributes: { key: "demo-app" } } } };
      if (s.path === "/v1/accounts/acme/entitlements/PRO") return { status: 200, body: { data: { id: "ent-pro", type: "entitlements", attributes: { code: "PRO" } } } };
      if (s.path === "/v1/accounts/acme/entitlements/GONE") return { status: 404, body: { errors: [{ title: "Not found" }] } };
      if (s.method === "POST") return { status: 201, body: release({ tag: "beta", channel: "beta", version: "1.2.0-beta.1" }) };
      return { status: 404 };
    };
    const r = await run(["new", "--account", "acme", "--product", "app", "--version", "v1.2.0-beta.1", "--channel", "beta", "--tag", "beta", "--package", "demo-app",
      "--entitlements", "PRO,GONE", "--entitlements", "1b1e2f55-8c3e-4b7e-9d8f-3f4f1b2a0c11", "--name", "Beta", "--description", "notes", "--metadata", '{"k":"v"}']);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`drafted: release ${RELEASE_ID} (1.2.0-beta.1, channel beta, tag beta, DRAFT)`]);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /v1/accounts/acme/packages/demo-app", "GET /v1/accounts/acme/entitlements/PRO", "GET /v1/accounts/acme/entitlements/GONE", "POST /v1/accounts/acme/releases",
    ]);
    const post = seen[3] as Seen;
    expect(post.headers).toMatchObject({ authorization: "Bearer prod-secret", accept: "application/vnd.api+json", "content-type": "application/vnd.api+json", "keygen-version": "1.7" });
    expect(json(post)).toEqual({
      data: {
        type: "releases",
        attributes: { name: "Beta", description: "notes", version: "1.2.0-beta.1", tag: "beta", channel: "beta", metadata: { k: "v" } },
        relationships: {
          constraints: { data: ["ent-pro", "GONE", "1b1e2f55-8c3e-4b7e-9d8f-3f4f1b2a0c11"].map((id) => ({ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id } } } })) },
          product: { data: { type: "products", id: "app" } },
          package: { data: { type: "packages", id: "pkg-1" } },
        },
      },
    });
  });

  it("new without --account speaks the single-account form, sends tag null, and --json prints the resource", async () => {
    answer = () => ({ status: 201, body: release() });
    const r = await run(["new", "--version", "1.2", "--json"], { KEYGEN_PRODUCT_ID: "app" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.join("\n"))).toEqual(release().data);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /v1/releases"]);
    expect(json(seen[0] as Seen)).toEqual({ data: { type: "releases", attributes: { version: "1.2.0", tag: null, channel: "stable" }, relationships: { product: { data: { type: "products", id: "app" } } } } });
  });

  it("publish, yank, tag, untag and del resolve --release within --product and --package, then act on its id", async () => {
    answer = (s) => (s.method === "DELETE" ? { status: 204 } : { status: 200, body: release() });
    const common = ["--account", "acme", "--product", "app", "--release", "1.2.0", "--package", "demo-app"];
    const lookup = `GET /v1/accounts/acme/releases/1.2.0?package=demo-app&product=app`;
    const base = `/v1/accounts/acme/releases/${RELEASE_ID}`;
    const cases: Array<[string[], string, string, unknown]> = [
      [["publish"], `published: release ${RELEASE_ID} (1.2.0)`, `POST ${base}/actions/publish`, undefined],
      [["yank"], `yanked: release ${RELEASE_ID} (1.2.0)`, `POST ${base}/actions/yank`, undefined],
      [["yank", "--reason", "broken build"], `yanked: release ${RELEASE_ID} (1.2.0): broken build`, `POST ${base}/actions/yank`, { meta: { reason: "broken build" } }],
      [["tag", "latest"], `tagged: release ${RELEASE_ID} (1.2.0) as latest`, `PATCH ${base}`, { data: { type: "releases", id: RELEASE_ID, attributes: { tag: "latest" } } }],
      [["untag"], `untagged: release ${RELEASE_ID} (1.2.0)`, `PATCH ${base}`, { data: { type: "releases", id: RELEASE_ID, attributes: { tag: null } } }],
      [["del"], `deleted: release ${RELEASE_ID} (1.2.0)`, `DELETE ${base}`, undefined],
    ];
    for (const [args, line, request, body] of cases) {
      seen = [];
      const r = await run([...args, ...common]);
      expect([args, r.code, r.out, r.err]).toEqual([args, 0, [line], ""]);
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([lookup, request]);
      const act = seen[1] as Seen;
      if (body === undefined) {
        expect(act.body.length).toBe(0);
        expect(act.headers["content-type"]).toBeUndefined();
      } else {
        expect(json(act)).toEqual(body);
        expect(act.headers["content-type"]).toBe("application/vnd.api+json");
      }
    }
  });

  it("del --artifact finds the artifact by filename among the release's and deletes it by id", async () => {
    answer = (s) => {
      if (s.path.startsWith("/v1/releases/")) return { status: 200, body: release() };
      if (s.method === "GET") return { status: 200, body: { data: [{ id: ARTIFACT_ID, type: "artifacts", attributes: { filename: "app.tar.gz", status: "UPLOADED" } }], links: { next: null } } };
      return { status: 204 };
    };
    const r = await run(["del", "--release", "latest", "--artifact", "app.tar.gz"]);
    expect([r.code, r.out]).toEqual([0, [`deleted: artifact ${ARTIFACT_ID} (app.tar.gz)`]]);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /v1/releases/latest", `GET /v1/artifacts?release=${RELEASE_ID}&page%5Bsize%5D=100&page%5Bnumber%5D=1`, `DELETE /v1/artifacts/${ARTIFACT_ID}?release=${RELEASE_ID}`,
    ]);
  });
});

describe("refusals and usage errors", () => {
  it("shows the server's errors plainly and exits 1", async () => {
    answer = (s) => (s.method === "GET" ? { status: 404, body: { errors: [{ title: "Not found", detail: "The requested release '9.9.9' was not found", code: "NOT_FOUND" }] } } : { status: 500 });
    const r = await run(["publish", "--release", "9.9.9"]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toBe("release-engines publish: the server refused:\n  404 Not found: The requested release '9.9.9' was not found (NOT_FOUND)\n");
    expect(seen.length).toBe(1);
  });

  it("exits 2 with the command's own usage for bad flags and values, sending nothing", async () => {
    answer = () => ({ status: 500 });
    const cases: Array<[string[], string]> = [
      [["publish", "--bogus"], "unknown option '--bogus'"],
      [["publish"], "--release is required"],
      [["new", "--product", "app"], "--version is required"],
      [["new", "--product", "app", "--version", "one"], "--version 'one' is not a version"],
      [["new", "--product", "app", "--version", "1.0.0", "--channel", "nightly"], "--channel must be one of stable, rc, beta, alpha, dev (got 'nightly')"],
      [["new", "--version", "1.0.0"], "--product is required"],
      [["new", "--product", "app", "--version", "1.0.0", "--metadata", "[]"], "--metadata must be a JSON object"],
      [["tag", "--release", "1"], "<tag> is required"],
      [["upload", "--release", "1"], "<path> is required"],
      [["upload", "/nonexistent/file.bin", "--release", "1"], "/nonexistent/file.bin: no such file"],
      [["upload", tmpdir(), "--release", "1"], "is not a file"],
      [["upload", "/etc/hostname", "--release", "1", "--checksum-algorithm", "md5"], "--checksum-algorithm must be one of sha-256, sha-512, sha-1 (got 'md5')"],
      [["upload", "/etc/hostname", "--release", "1", "--signing-key", "/k"], "--signing-key"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.err).toContain(message);
      expect(r.err).toContain(`Usage: release-engines ${args[0]}`);
    }
    const noToken = await runPublishingCommand("publish", ["--host", origin, "--release", "1"], { out: () => {}, err: () => {}, env: {}, stderrIsTTY: false });
    expect(noToken).toBe(2);
    expect(seen).toEqual([]);
  });

  it("says in one line when the server cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let errText = "";
    const r = await runPublishingCommand("publish", ["--host", `http://127.0.0.1:${port}`, "--release", "1", "--token", "t"], {
      out: () => {}, err: (t) => (errText += t), env: {}, stderrIsTTY: false,
    });
    expect(r).toBe(1);
    expect(errText).toBe(`release-engines publish: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)\n`);
  });
});

describe("upload", () => {
  const dir = mkdtempSync(join(tmpdir(), "re-pubcli-up-"));
  const file = join(dir, "app.AppImage.tar.gz");
  const bytes = Buffer.alloc(2.5 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
  writeFileSync(file, bytes);
  writeFileSync(`${file}.sig`, "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXk=\n");
  const sha256 = createHash("sha256").update(bytes).digest("hex");

  function uploadServer(statuses: string[], putStatus = 200) {
    let polls = 0;
    answer = (s) => {
      if (s.method === "GET" && s.path.startsWith("/v1/accounts/acme/releases/")) return { status: 200, body: release() };
      if (s.method === "POST") return { status: 307, headers: { Location: `/upload/${ARTIFACT_ID}?expires=1&sig=abc` }, body: { data: { id: ARTIFACT_ID, type: "artifacts", attributes: { status: "WAITING" } } } };
      if (s.method === "PUT") return { status: putStatus, ...(putStatus >= 400 ? { body: { errors: [{ title: "Access denied", detail: "the upload URL has expired", code: "SIGNATURE_EXPIRED" }] } } : {}) };
      if (s.method === "GET" && s.path === `/v1/accounts/acme/artifacts/${ARTIFACT_ID}`) {
        const status = statuses[Math.min(polls++, statuses.length - 1)];
        return { status: 200, body: { data: { id: ARTIFACT_ID, type: "artifacts", attributes: { filename: "app.AppImage.tar.gz", filesize: bytes.length, platform: "linux", arch: "x86_64", signature: "sig", status, metadata: status === "FAILED" ? { failureReason: "checksum mismatch" } : {} } } } };
      }
      return { status: 404 };
    };
  }

  it("POSTs the artifact with size, sha-256, filetype and the .sig, PUTs the bytes to the Location without the token, and waits for UPLOADED", async () => {
    uploadServer(["PROCESSING", "UPLOADED"]);
    const r = await run(["upload", file, "--account", "acme", "--release", "1.2.0", "--platform", "linux", "--arch", "x86_64"]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`uploaded: artifact ${ARTIFACT_ID} (app.AppImage.tar.gz, 2.5 MiB, linux/x86_64, signed)`]);
    expect(r.err).toMatch(/uploading app\.AppImage\.tar\.gz: 2\.5 MiB sent in/);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /v1/accounts/acme/releases/1.2.0", "POST /v1/accounts/acme/artifacts", `PUT /upload/${ARTIFACT_ID}?expires=1&sig=abc`,
      `GET /v1/accounts/acme/artifacts/${ARTIFACT_ID}`, `GET /v1/accounts/acme/artifacts/${ARTIFACT_ID}`,
    ]);
    expect(json(seen[1] as Seen)).toEqual({
      data: {
        type: "artifacts",
        attributes: { filename: "app.AppImage.tar.gz", filesize: bytes.length, filetype: "tar.gz", platform: "linux", arch: "x86_64", signature: "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXk=", checksum: sha256 },
        relationships: { release: { data: { type: "releases", id: RELEASE_ID } } },
      },
    });
    const put = seen[2] as Seen;
    expect(put.headers["content-length"]).toBe(String(bytes.length));
    expect(put.headers["content-type"]).toBe("application/gzip");
    expect(put.headers["transfer-encoding"]).toBeUndefined();
    expect(put.headers.authorization).toBeUndefined();
    expect(createHash("sha256").update(put.body).digest("hex")).toBe(sha256);
    expect((seen[3] as Seen).headers.prefer).toBe("no-download");
  });

  it("takes --filename, --filetype, --signature and keygen-cli's checksum flags over what it would infer", async () => {
    uploadServer(["UPLOADED"]);
    const r = await run(["upload", file, "--account", "acme", "--release", "1.2.0", "--filename", "renamed.bin", "--filetype", ".BIN", "--signature", "given",
      "--checksum-algorithm", "sha-512", "--checksum-encoding", "base64raw", "--metadata", '{"a":1}']);
    expect(r.code).toBe(0);
    expect((json(seen[1] as Seen) as { data: { attributes: unknown } }).data.attributes).toEqual({
      filename: "renamed.bin", filesize: bytes.length, filetype: "bin", signature: "given", checksum: createHash("sha512").update(bytes).digest("base64").replace(/=+$/, ""), metadata: { a: 1 },
    });
    seen = [];
    await run(["upload", file, "--account", "acme", "--release", "1.2.0", "--checksum", "abc", "--no-signature", "--filetype", "<auto>"]);
    expect((json(seen[1] as Seen) as { data: { attributes: Record<string, unknown> } }).data.attributes).toEqual({ filename: "app.AppImage.tar.gz", filesize: bytes.length, filetype: "tar.gz", checksum: "abc" });
  });

  it("exits 1 when the storage refuses the PUT, or the artifact ends FAILED", async () => {
    uploadServer(["UPLOADED"], 403);
    const refused = await run(["upload", file, "--account", "acme", "--release", "1.2.0"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("403 Access denied: the upload URL has expired (SIGNATURE_EXPIRED)");
    expect(refused.out).toEqual([]);
    uploadServer(["FAILED"]);
    const failed = await run(["upload", file, "--account", "acme", "--release", "1.2.0"]);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(`artifact ${ARTIFACT_ID} (app.AppImage.tar.gz) is FAILED after the upload: checksum mismatch`);
  });

  it("retries over an artifact an interrupted upload left WAITING: deletes it and creates it again; an UPLOADED one stays refused", async () => {
    for (const [leftStatus, expected] of [["WAITING", 0], ["UPLOADED", 1]] as const) {
      seen = [];
      let posts = 0;
      const inner = (() => {
        uploadServer(["UPLOADED"]);
        return answer;
      })();
      answer = (s) => {
        if (s.method === "POST" && posts++ === 0) return { status: 422, body: { errors: [{ title: "Unprocessable resource", detail: "has already been taken", code: "FILENAME_TAKEN", source: { pointer: "/data/attributes/filename" } }] } };
        if (s.method === "GET" && s.path.startsWith("/v1/accounts/acme/artifacts?")) return { status: 200, body: { data: [{ id: "old-1", type: "artifacts", attributes: { filename: "app.AppImage.tar.gz", status: leftStatus } }] } };
        if (s.method === "DELETE") return { status: 204 };
        return inner(s);
      };
      const r = await run(["upload", file, "--account", "acme", "--release", "1.2.0"]);
      expect([leftStatus, r.code]).toEqual([leftStatus, expected]);
      if (expected === 0) {
        expect(r.err).toContain("replacing artifact old-1 (app.AppImage.tar.gz), left WAITING by an earlier upload");
        expect(seen.map((s) => s.method + " " + s.path.split("?")[0])).toEqual([
          "GET /v1/accounts/acme/releases/1.2.0", "POST /v1/accounts/acme/artifacts", "GET /v1/accounts/acme/artifacts", "DELETE /v1/accounts/acme/artifacts/old-1",
          "POST /v1/accounts/acme/artifacts", `PUT /upload/${ARTIFACT_ID}`, `GET /v1/accounts/acme/artifacts/${ARTIFACT_ID}`,
        ]);
      } else {
        expect(r.err).toContain("422 Unprocessable resource: has already been taken (FILENAME_TAKEN) at /data/attributes/filename");
        expect(seen.some((s) => s.method === "DELETE" || s.method === "PUT")).toBe(false);
      }
    }
  });
});
