/**
 * Real pip against a handler with the HTML-only option (Keygen's behaviour) and no upstream,
 * served in-process over node:http.
 */
import * as fs from "node:fs";
import type { Server } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { serveFetchHandler } from "../../src/node/http.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { runPip, saved, writeE2eDataset } from "./pip-helpers.js";

let dir: string;
let server: Server;
let index: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-pip-html-"));
  const { dataset, root } = await loadDatasetFile(writeE2eDataset(dir));
  const handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }), pypi: { htmlOnly: true, upstream: null } });
  server = await serveFetchHandler(handler, { port: 0, host: "127.0.0.1" });
  const address = server.address();
  index = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/v1/accounts/demo/engines/pypi/simple/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("pip, HTML-only option", { timeout: 60_000 }, () => {
  it("reads the HTML page (PEP 658 included) and downloads the right file", async () => {
    const out = path.join(dir, "o1");
    const run = await runPip(dir, ["download", "-vv", "--index-url", index, "-d", out, "open-pkg"]);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("as application/vnd.pypi.simple.v1+html");
    expect(run.out).toMatch(/Obtaining dependency information for open-pkg from \S+open_pkg-0\.2\.0-py3-none-any\.whl\.metadata/);
    expect(saved(out)).toEqual(["open_pkg-0.2.0-py3-none-any.whl"]);
  });

  it("uses a license key from the index URL and finds nothing for an unknown project (404, no upstream)", async () => {
    const u = new URL(index);
    u.username = "license";
    u.password = "BASIC-KEY";
    const out = path.join(dir, "o2");
    const run = await runPip(dir, ["download", "--index-url", u.toString(), "-d", out, "lic-pkg"]);
    expect(run.code, run.out).toBe(0);
    expect(saved(out)).toEqual(["lic_pkg-1.0.0-py3-none-any.whl"]);
    // A pinned yanked version installs from the HTML page too (data-yanked, SPEC 19).
    const pinned = await runPip(dir, ["download", "--index-url", u.toString(), "-d", path.join(dir, "o4"), "lic-pkg==1.2.0"]);
    expect(pinned.code, pinned.out).toBe(0);
    expect(pinned.out).toContain("Reason for being yanked: bad wheel");
    expect(saved(path.join(dir, "o4"))).toEqual(["lic_pkg-1.2.0-py3-none-any.whl"]);
    const missing = await runPip(dir, ["download", "-vv", "--index-url", index, "-d", path.join(dir, "o3"), "no-such-pkg"]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/simple\/no-such-pkg\/ HTTP\/1\.1" 404/);
  });
});
