import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createSqliteStore, importDataset } from "../../src/sqlite.js";
import { runStoreConformance } from "../../src/testing.js";

const dir = mkdtempSync(join(tmpdir(), "re-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreConformance({
  name: "sqlite",
  async create(dataset) {
    const store = createSqliteStore({ filename: join(dir, `conformance-${n++}.sqlite`) });
    await importDataset(store, dataset);
    return store;
  },
  cleanup: (store) => (store as ReturnType<typeof createSqliteStore>).close(),
});
