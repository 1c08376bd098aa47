import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createSqliteStore, importDataset } from "../../src/sqlite.js";
import { runStoreConformance, runWriteConformance } from "../../src/testing.js";

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

// The publishing suite; the peer is a second connection on the same file (another server's).
const files = new Map<object, string>();
runWriteConformance({
  name: "sqlite",
  async create(dataset) {
    const filename = join(dir, `write-${n++}.sqlite`);
    const store = createSqliteStore({ filename });
    await importDataset(store, dataset);
    files.set(store, filename);
    return store;
  },
  peer(store) {
    const peer = createSqliteStore({ filename: files.get(store) as string });
    peers.push(peer);
    return peer;
  },
  async cleanup(store) {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await (store as ReturnType<typeof createSqliteStore>).close();
  },
});
const peers: Array<ReturnType<typeof createSqliteStore>> = [];
