import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedSqliteFile } from "../../src/node/seed.js";
import { createSqliteStore } from "../../src/sqlite.js";

const DEMO = "examples/demo/dataset.json";

describe("seedSqliteFile (npm start's embedded default)", () => {
  it("makes the database and copies the dataset's files on first start, then leaves both alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "re-seed-"));
    const db = join(dir, "data", "demo.sqlite");
    const first = await seedSqliteFile(db, DEMO, join(dir, "data"));
    expect(first).toEqual({ created: true, files: 10 });
    expect(readdirSync(join(dir, "data", "blobs")).length).toBeGreaterThan(0);
    const store = createSqliteStore({ filename: db });
    expect((await store.getAccount("demo"))?.slug).toBe("demo");
    expect((await store.getPackage((await store.getAccount("demo"))!.id, "demo-sdk"))?.engine).toBe("pypi");
    await store.close();
    const mtime = statSync(db).mtimeMs;
    expect(await seedSqliteFile(db, DEMO, join(dir, "data"))).toEqual({ created: false, files: 0 });
    expect(statSync(db).mtimeMs).toBe(mtime);
  });

  it("leaves no database behind when the dataset is bad", async () => {
    const dir = mkdtempSync(join(tmpdir(), "re-seed-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ accounts: [{ slug: "x" }] }));
    await expect(seedSqliteFile(join(dir, "x.sqlite"), join(dir, "bad.json"), dir)).rejects.toMatchObject({ code: "DATASET_INVALID" });
    expect(existsSync(join(dir, "x.sqlite"))).toBe(false);
    expect(existsSync(join(dir, "x.sqlite.seeding"))).toBe(false);
  });
});
