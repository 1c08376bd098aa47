/**
 * Real pip against wheels uploaded through signed upload URLs (issue 13 item 5): the uploaded wheel's
 * METADATA is served as PEP 658 core-metadata (pip fetches and hash-checks it first) and its
 * Requires-Python is advertised, with nothing uploaded by hand.
 */
import * as fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_SCOPE } from "../../src/access/scope.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Account, Package } from "../../src/model/records.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { serveFetchHandler } from "../../src/node/http.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { BLOBS, datasetFile } from "../pypi/fixture.js";
import { buildWheel, runPip, saved } from "./pip-helpers.js";

let dir: string;
let server: Server;
let base: string;
let n = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-pip-upload-"));
  const store = createWritableMemoryStore(await loadDataset(await datasetFile(), { readFile: async (rel) => BLOBS[rel] ?? null }));
  const blobs = createFileBlobStorage({ root: path.join(dir, "blobs") });
  server = await serveFetchHandler(createFetchHandler({ store, blobs }), { port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const account = (await store.getAccount("demo")) as Account;
  const pkg = (await store.listAllPackages(account.id, ADMIN_SCOPE, {}, { order: "desc", limit: 100 })).items.find((p) => p.key === "demo-pkg") as Package;
  // 2.0.0 for any Python; 3.0.0 only for a Python that does not exist yet.
  for (const [version, requiresPython] of [["2.0.0", ">=3.8"], ["3.0.0", ">=3.99"]] as const) {
    const release = await store.createRelease(account.id, {
      productId: pkg.productId, packageId: pkg.id, version, channel: "stable", status: "PUBLISHED", tag: null, name: null,
      description: null, entitlements: [], metadata: {}, backdated: null,
    }, new Date());
    const { filename } = buildWheel(dir, "demo_pkg", version, requiresPython);
    const bytes = fs.readFileSync(path.join(dir, filename));
    const artifact = await store.createArtifact(account.id, {
      releaseId: release.id, filename, filetype: "whl", filesize: bytes.length, platform: null, arch: null, signature: null, checksum: null, metadata: {},
    }, new Date());
    const url = (await blobs.presignUpload?.({ account, artifact, ttl: 60, now: new Date(), origin: base })) as string;
    const res = await fetch(url, { method: "PUT", body: bytes });
    if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  }
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function download(req: string) {
  const out = path.join(dir, `out${++n}`);
  const run = await runPip(dir, ["download", "-vv", "--index-url", `${base}/v1/accounts/demo/engines/pypi/simple/`, "-d", out, req]);
  return { ...run, files: saved(out) };
}

describe("pip and uploaded wheels", { timeout: 60_000 }, () => {
  it("fetches the uploaded wheel's PEP 658 metadata before the wheel, and skips the one whose Requires-Python excludes it", async () => {
    const run = await download("demo-pkg");
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["demo_pkg-2.0.0-py3-none-any.whl"]);
    const seen = [...run.out.matchAll(/"GET (\S+) HTTP\/1\.1" (\d{3})/g)].map((m) => `${(m[1] as string).split("?")[0]} ${m[2]}`);
    const meta = seen.findIndex((r) => /demo_pkg-2\.0\.0-py3-none-any\.whl\.metadata 303$/.test(r));
    const wheel = seen.findIndex((r) => /artifacts\/[^/]+\/demo_pkg-2\.0\.0-py3-none-any\.whl 303$/.test(r));
    expect(meta, seen.join("\n")).toBeGreaterThanOrEqual(0);
    expect(wheel).toBeGreaterThan(meta);
    expect(run.out).toMatch(/Link requires a different Python \([^)]*'>=3\.99'\): \S*demo_pkg-3\.0\.0-py3-none-any\.whl/);
  });

  it("refuses the pinned version whose Requires-Python excludes this Python", async () => {
    const run = await download("demo-pkg==3.0.0");
    expect(run.code).not.toBe(0);
    expect(run.files).toEqual([]);
    expect(run.out).toMatch(/Requires-Python >=3\.99/);
  });
});
