/**
 * The packages and artifacts routes of SPEC §8 through the fetch handler: create, list with filters,
 * show, update, delete; artifact uploads answered 307 to the storage's upload URL.
 */
import { describe, expect, it } from "vitest";
import { IDS, NOW, artifactDoc, firstError, makeWorld, packageDoc } from "./publish-world.js";

type Doc = { data: { id: string; type: string; attributes: Record<string, unknown>; relationships: Record<string, { data?: unknown }>; links: Record<string, string> } };
type ListDoc = { data: Array<{ id: string; attributes: Record<string, unknown> }> };

describe("packages", () => {
  it("creates (201, Location), PEP 503-normalising pypi keys, and serialises as Keygen", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/packages", "admin", packageDoc({ name: "My Lib", key: "My_Lib.Core", engine: "pypi", metadata: { a: "b" } }));
    expect(res.status).toBe(201);
    const doc = (await res.json()) as Doc;
    expect(res.headers.get("location")).toBe(`http://localhost:8080/v1/accounts/${IDS.account}/packages/${doc.data.id}`);
    expect(doc.data).toMatchObject({
      type: "packages",
      attributes: { name: "My Lib", key: "my-lib-core", engine: "pypi", metadata: { a: "b" }, created: NOW.toISOString(), updated: NOW.toISOString() },
      relationships: { product: { data: { type: "products", id: IDS.productLicensed } }, account: { data: { type: "accounts", id: IDS.account } } },
      links: { related: `/v1/accounts/${IDS.account}/packages/${doc.data.id}` },
    });
    const raw = await w.call("POST", "/packages", "admin", packageDoc({ name: "Bin", key: "Bin_Tool", engine: "raw" }));
    expect(((await raw.json()) as Doc).data.attributes.key).toBe("Bin_Tool");
    expect(w.events.map((e) => e.type)).toEqual(["package.created", "package.created"]);
  });

  it("refuses taken, UUID-like, reserved and blank keys with 422 and pointers, and an unknown engine with 400", async () => {
    const w = await makeWorld();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: "x", key: "acme-app" }, "KEY_TAKEN", "/data/attributes/key"],
      [{ name: "x", key: "00000000-0000-4000-8000-000000000021" }, "KEY_INVALID", "/data/attributes/key"],
      [{ name: "x", key: "actions" }, "KEY_NOT_ALLOWED", "/data/attributes/key"],
      [{ name: "x", key: "" }, "KEY_MISSING", "/data/attributes/key"],
      [{ name: "", key: "ok" }, "NAME_MISSING", "/data/attributes/name"],
    ];
    for (const [attrs, code, pointer] of cases) {
      const res = await w.call("POST", "/packages", "admin", packageDoc(attrs));
      expect(res.status, code).toBe(422);
      expect(await firstError(res)).toMatchObject({ code, source: { pointer } });
    }
    const engine = await w.call("POST", "/packages", "admin", packageDoc({ name: "x", key: "y", engine: "cargo" }));
    expect(engine.status).toBe(400);
    expect(await firstError(engine)).toMatchObject({ detail: "is invalid", source: { pointer: "/data/attributes/engine" } });
    expect(w.events).toEqual([]);
  });

  it("lists with ?product= and ?engine=, shows by id or key, updates and deletes (with releases and bytes)", async () => {
    const w = await makeWorld();
    const pypi = (await (await w.call("GET", "/packages?engine=pypi", "admin")).json()) as ListDoc;
    expect(pypi.data.map((p) => p.id).sort()).toEqual([IDS.pkgPypi, IDS.pkgClosed, IDS.pkgOpenPypi].sort());
    const app = (await (await w.call("GET", "/packages?product=app", "admin")).json()) as ListDoc;
    expect(app.data.map((p) => p.id).sort()).toEqual([IDS.pkgTauri, IDS.pkgOpenPypi].sort());
    const anon = (await (await w.call("GET", "/packages", "anonymous")).json()) as ListDoc;
    expect(anon.data.map((p) => p.id).sort()).toEqual([IDS.pkgTauri, IDS.pkgOpenPypi].sort());
    expect(((await (await w.call("GET", "/packages/acme-app", "anonymous")).json()) as Doc).data.id).toBe(IDS.pkgTauri);
    expect((await w.call("GET", `/packages/${IDS.pkgClosed}`, "anonymous")).status).toBe(404);
    const patched = await w.call("PATCH", `/packages/${IDS.pkgTauri}`, "admin", { data: { type: "packages", attributes: { name: "Renamed", metadata: { x: 1 } } } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Doc).data.attributes).toMatchObject({ name: "Renamed", key: "acme-app", metadata: { x: 1 } });
    const del = await w.call("DELETE", `/packages/${IDS.pkgTauri}`, "admin");
    expect(del.status).toBe(204);
    expect(await w.store.getRelease(IDS.account, IDS.relTauri120)).toBeNull();
    expect(w.blobs.removed).toContain(IDS.artTauri120Darwin);
    expect((await w.call("GET", "/packages/acme-app", "admin")).status).toBe(404);
    expect(w.events.map((e) => e.type)).toEqual(["package.updated", "package.deleted"]);
  });
});

describe("artifacts", () => {
  it("POST answers 307 to the upload URL with the WAITING artifact as body; Prefer: no-redirect answers 200", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/artifacts", "admin", artifactDoc(IDS.relCli110, {
      filename: "tool_darwin_arm64.tar.gz", filetype: ".TAR.GZ", filesize: 1234, platform: " Darwin ", arch: "ARM64",
      signature: "sig", checksum: "abc", metadata: { k: 1 },
    }));
    expect(res.status).toBe(307);
    const doc = (await res.json()) as Doc;
    expect(res.headers.get("location")).toBe(w.blobs.uploads[0]);
    expect(res.headers.get("location")).toMatch(new RegExp(`^http://localhost:8080/v1/uploads/${doc.data.id}\\?`));
    expect(doc.data).toMatchObject({
      type: "artifacts",
      attributes: { filename: "tool_darwin_arm64.tar.gz", filetype: "tar.gz", filesize: 1234, platform: "darwin", arch: "arm64", signature: "sig", checksum: "abc", status: "WAITING", metadata: { k: 1 } },
      relationships: { release: { data: { type: "releases", id: IDS.relCli110 } } },
    });
    const quiet = await w.call("POST", "/artifacts", "admin", artifactDoc(IDS.relCli110, { filename: "other.zip" }), { prefer: "no-redirect" });
    expect(quiet.status).toBe(200);
    expect(quiet.headers.get("location")).toBe(w.blobs.uploads[1]);
    expect(w.events.map((e) => e.type)).toEqual(["artifact.created", "artifact.created"]);
  });

  it("POST answers 201 without Location when the storage takes no uploads", async () => {
    const w = await makeWorld({ blobs: { presign: async () => null } });
    const res = await w.call("POST", "/artifacts", "admin", artifactDoc(IDS.relCli110, { filename: "x.bin" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBeNull();
  });

  it("refuses bad filenames, filetypes, sizes, a taken filename and a missing release, writing nothing", async () => {
    const w = await makeWorld();
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [IDS.relCli110, { filename: "tool_linux_amd64" }, "FILENAME_TAKEN", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "../etc/passwd" }, "FILENAME_INVALID", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "a/../b" }, "FILENAME_INVALID", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "/abs" }, "FILENAME_INVALID", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "nul\u0000.bin" }, "FILENAME_INVALID", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "x".repeat(256) }, "FILENAME_TOO_LONG", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "app.zip", filetype: "exe" }, "FILENAME_EXTENSION_INVALID", "/data/attributes/filename"],
      [IDS.relCli110, { filename: "app.zip", filesize: -1 }, "FILESIZE_INVALID", "/data/attributes/filesize"],
      [IDS.relCli110, { filename: "app.zip", filesize: 5 * 1024 ** 3 + 1 }, "FILESIZE_INVALID", "/data/attributes/filesize"],
      [IDS.relCli110, { filename: "app.zip", signature: "s".repeat(4097) }, "SIGNATURE_TOO_LONG", "/data/attributes/signature"],
      ["00000000-0000-4000-8000-00000000ffff", { filename: "app.zip" }, "RELEASE_NOT_FOUND", "/data/relationships/release"],
    ];
    for (const [release, attrs, code, pointer] of cases) {
      const res = await w.call("POST", "/artifacts", "admin", artifactDoc(release, attrs));
      expect(res.status, code).toBe(422);
      expect(await firstError(res)).toMatchObject({ code, source: { pointer } });
    }
    const notUuid = await w.call("POST", "/artifacts", "admin", artifactDoc("1.1.0", { filename: "a.zip" }));
    expect(notUuid.status).toBe(400);
    expect(await firstError(notUuid)).toMatchObject({ detail: "type mismatch (received string expected UUID string)", source: { pointer: "/data/relationships/release/data/id" } });
    const float = await w.call("POST", "/artifacts", "admin", artifactDoc(IDS.relCli110, { filename: "a.zip", filesize: 1.5 }));
    expect(await firstError(float)).toMatchObject({ detail: "type mismatch (received float expected integer)", source: { pointer: "/data/attributes/filesize" } });
    const list = (await (await w.call("GET", `/artifacts?release=${IDS.relCli110}`, "admin")).json()) as ListDoc;
    expect(list.data.map((a) => a.id)).toEqual([IDS.artCli110]);
    expect(w.blobs.uploads).toEqual([]);
  });

  it("a storage that fails to mint the upload URL leaves no WAITING artifact behind", async () => {
    const w = await makeWorld({ blobs: { presign: async () => null, presignUpload: async () => { throw new Error("s3 down"); } } });
    const res = await w.call("POST", "/artifacts", "admin", artifactDoc(IDS.relCli110, { filename: "x.bin" }));
    expect(res.status).toBe(500);
    const list = (await (await w.call("GET", `/artifacts?release=${IDS.relCli110}&status=WAITING`, "admin")).json()) as ListDoc;
    expect(list.data).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it("lists with filters, changes signature/checksum/metadata, deletes with the bytes; GET /artifacts/{id} still downloads", async () => {
    const w = await makeWorld();
    const linux = (await (await w.call("GET", "/artifacts?platform=LINUX&arch=x86_64&limit=100", "admin")).json()) as ListDoc;
    expect(linux.data.map((a) => a.id).sort()).toEqual([IDS.artTauri110Linux, IDS.artTauri120Linux, IDS.artTauri120LinuxGz, IDS.artTauri130Linux].sort());
    const waiting = (await (await w.call("GET", "/artifacts?status=WAITING", "admin")).json()) as ListDoc;
    expect(waiting.data.map((a) => a.id)).toEqual([IDS.artWhlWaiting]);
    const gz = (await (await w.call("GET", "/artifacts?filetype=.gz&product=app&limit=100", "admin")).json()) as ListDoc;
    expect(gz.data.every((a) => String(a.attributes.filename).endsWith(".gz"))).toBe(true);
    const anon = (await (await w.call("GET", "/artifacts?status=WAITING", "anonymous")).json()) as ListDoc;
    expect(anon.data).toEqual([]);
    const patched = await w.call("PATCH", `/artifacts/${IDS.artCli110}`, "admin", { data: { type: "artifacts", attributes: { signature: "new-sig", checksum: null, metadata: { m: true } } } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Doc).data.attributes).toMatchObject({ signature: "new-sig", checksum: null, metadata: { m: true } });
    const filename = await w.call("PATCH", `/artifacts/${IDS.artCli110}`, "admin", { data: { type: "artifacts", attributes: { filename: "x" } } });
    expect(filename.status).toBe(400);
    const download = await w.call("GET", `/artifacts/${IDS.artCli110}`, "admin");
    expect(download.status).toBe(303);
    // keygen-cli deletes by filename with ?release=
    const del = await w.call("DELETE", `/artifacts/tool_linux_amd64?release=${IDS.relCli110}`, "admin");
    expect(del.status).toBe(204);
    expect(await w.store.getArtifact(IDS.account, IDS.artCli110)).toBeNull();
    expect(await w.store.getArtifact(IDS.account, IDS.artCli100)).not.toBeNull();
    expect(w.blobs.removed).toEqual([IDS.artCli110]);
    expect((await w.call("DELETE", `/artifacts/${IDS.artCli110}`, "admin")).status).toBe(404);
    expect((await w.call("DELETE", `/artifacts/${IDS.artCli100}/tool_linux_amd64`, "admin")).status).toBe(404);
    expect(w.events.map((e) => e.type)).toEqual(["artifact.updated", "artifact.downloaded", "artifact.deleted"]);
  });
});
