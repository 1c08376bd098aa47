/**
 * The embedded file-system blob storage: bytes come only from inside its root folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account, Artifact } from "../../src/model/records.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import type { Store } from "../../src/store/types.js";

const account: Account = { id: "00000000-0000-4000-8000-00000000aaaa", slug: "fs", name: "FS", secretKey: "fs-secret-0123456789abcdef", created: "2026-01-01T00:00:00.000Z" };
const artifact = (blob: string | null): Artifact => ({
  id: "00000000-0000-4000-8000-00000000bbbb", accountId: account.id, releaseId: "00000000-0000-4000-8000-00000000cccc",
  filename: "f.whl", filetype: "whl", platform: null, arch: null, filesize: null, checksum: null, signature: null,
  status: "UPLOADED", metadata: {}, created: account.created, updated: account.created, blob,
});

let dir: string;
let root: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-blobs-"));
  root = path.join(dir, "root");
  fs.mkdirSync(path.join(root, "sub"), { recursive: true });
  fs.writeFileSync(path.join(root, "sub", "ok.whl"), "inside");
  fs.writeFileSync(path.join(dir, "secret.txt"), "outside");
  fs.symlinkSync(path.join(dir, "secret.txt"), path.join(root, "link.txt"));
  fs.symlinkSync(dir, path.join(root, "up"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Presign and serve one artifact whose blob key is `blob`. */
async function fetchBlob(blob: string, storageRoot = root): Promise<{ status: number; text: string }> {
  const storage = createFileBlobStorage({ root: storageRoot });
  const a = artifact(blob);
  const store = { getAccount: async () => account, getArtifact: async () => ({ artifact: a, release: {} }) } as unknown as Store;
  const now = new Date();
  const url = new URL((await storage.presign({ account, artifact: a, ttl: 900, now, origin: "http://x" })) as string);
  try {
    const res = await storage.serve?.({ path: url.pathname.replace("/v1/blobs/", ""), query: url.searchParams, headers: new Headers(), method: "GET", store, now });
    const body = res?.body as ReadableStream<Uint8Array>;
    return { status: res?.status ?? 0, text: await new Response(body).text() };
  } catch (error) {
    return { status: (error as { status: number }).status, text: "" };
  }
}

describe("file blob storage", () => {
  it("serves a file inside the root with its size", async () => {
    expect(await fetchBlob("sub/ok.whl")).toEqual({ status: 200, text: "inside" });
  });

  it("never reads outside the root: .., absolute paths, symlinks out", async () => {
    for (const key of ["../secret.txt", "sub/../../secret.txt", path.join(dir, "secret.txt"), "link.txt", "up/secret.txt", "sub", "missing.whl"]) {
      expect(await fetchBlob(key)).toEqual({ status: 404, text: "" });
    }
  });

  it("answers 404, not a crash, when the root folder does not exist", async () => {
    expect(await fetchBlob("sub/ok.whl", path.join(dir, "nope"))).toEqual({ status: 404, text: "" });
  });
});
