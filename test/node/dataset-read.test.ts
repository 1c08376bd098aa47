/**
 * node/dataset-read: a dataset file read whole into shared memory, and its SHA-256 from a worker
 * thread equal to the one worked out here.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readDatasetBytes, sha256Beside } from "../../src/node/dataset-read.js";

const dir = mkdtempSync(join(tmpdir(), "re-dataset-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readDatasetBytes", () => {
  it("reads a file whole into a SharedArrayBuffer, an empty one too", async () => {
    const bytes = randomBytes(3 * 2 ** 20 + 17);
    writeFileSync(join(dir, "a.json"), bytes);
    const read = await readDatasetBytes(join(dir, "a.json"));
    expect(read.bytes?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(read.bytes?.equals(bytes)).toBe(true);
    writeFileSync(join(dir, "empty.json"), "");
    expect((await readDatasetBytes(join(dir, "empty.json"))).bytes?.length).toBe(0);
  });

  it("reads on past the size a file's stat gave (a file that grew, or one of /proc)", async () => {
    if (!existsSync("/proc/self/cmdline")) return;
    const read = await readDatasetBytes("/proc/self/cmdline");
    expect(read.bytes?.length).toBeGreaterThan(0);
    expect(read.bytes?.equals(readFileSync("/proc/self/cmdline"))).toBe(true);
  });

  it("answers why a file cannot be read instead of rejecting", async () => {
    expect((await readDatasetBytes(join(dir, "missing.json"))).error?.code).toBe("ENOENT");
    expect((await readDatasetBytes(dir)).error?.code).toBe("EISDIR");
  });
});

describe("sha256Beside", () => {
  it("gives the SHA-256 of shared bytes from a worker, and of other bytes here, as createHash does", async () => {
    const bytes = randomBytes(33 * 2 ** 20 + 5);
    const expected = createHash("sha256").update(bytes).digest("hex");
    const shared = Buffer.from(new SharedArrayBuffer(bytes.length + 8)).subarray(3, 3 + bytes.length);
    bytes.copy(shared);
    expect(await sha256Beside(shared, 2)).toBe(expected);
    expect(await sha256Beside(shared, 1)).toBe(expected);
    expect(await sha256Beside(shared.subarray(0, 100), 2)).toBe(createHash("sha256").update(bytes.subarray(0, 100)).digest("hex"));
    expect(await sha256Beside(bytes, 2)).toBe(expected);
  });
});
