/**
 * loadDatasetFile's digest: the SHA-256 of the file's bytes (and of the artifact files it read), so
 * the memory store's revisions from it are equal across processes for one file and move when the
 * file or an artifact file changes.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDatasetFile } from "../../src/node/dataset-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A dataset file with one artifact naming `blob.bin` when `withFile`, in a folder of its own. */
function datasetFile(withFile: boolean, name = "Acme"): string {
  const dir = mkdtempSync(join(tmpdir(), "re-dataset-file-"));
  dirs.push(dir);
  const file = join(dir, "dataset.json");
  writeFileSync(join(dir, "blob.bin"), "first bytes");
  writeFileSync(file, JSON.stringify({
    accounts: [{
      slug: "acme", name, secretKey: "acme-secret-0123456789",
      products: [{ code: "cli", name: "CLI" }],
      packages: [{ product: "cli", key: "tools", name: "Tools", engine: "pypi" }],
      releases: [{ product: "cli", package: "tools", version: "1.0.0" }],
      artifacts: [{ release: "1.0.0", filename: "tools-1.0.0.tar.gz", ...(withFile ? { file: "blob.bin" } : {}) }],
    }],
  }));
  return file;
}

describe("loadDatasetFile's digest", () => {
  it("is the SHA-256 of the file's bytes when no artifact file is read, and follows a change to the file", async () => {
    const file = datasetFile(false);
    const loaded = await loadDatasetFile(file);
    expect(loaded.digest).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    expect((await loadDatasetFile(file)).digest).toBe(loaded.digest);
    expect((await loadDatasetFile(datasetFile(false, "Acme Inc"))).digest).not.toBe(loaded.digest);
  });

  it("covers the artifact files read: the same files give the same digest, other bytes in one another", async () => {
    const file = datasetFile(true);
    const before = await loadDatasetFile(file);
    expect(before.dataset.artifacts[0]?.filesize).toBe("first bytes".length);
    expect(before.digest).not.toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    expect((await loadDatasetFile(file)).digest).toBe(before.digest);
    writeFileSync(join(before.root, "blob.bin"), "other bytes");
    expect((await loadDatasetFile(file)).digest).not.toBe(before.digest);
  });
});
