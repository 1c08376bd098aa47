import { afterAll, beforeAll } from "vitest";
import { createPostgresStore, importDataset, type SqlStore } from "../../src/postgres.js";
import { runStoreConformance, runWriteConformance } from "../../src/testing.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(() => cluster?.destroy());
let n = 0;

runStoreConformance({
  name: "postgres",
  async create(dataset) {
    const store = createPostgresStore({ connectionString: await cluster.createDatabase(`conformance_${n++}`) });
    await importDataset(store, dataset);
    return store;
  },
  cleanup: (store) => (store as SqlStore).close(),
});

// The publishing suite; the peer is a second pool on the same database (another server's).
const urls = new Map<object, string>();
const peers: SqlStore[] = [];
runWriteConformance({
  name: "postgres",
  async create(dataset) {
    const url = await cluster.createDatabase(`write_${n++}`);
    const store = createPostgresStore({ connectionString: url });
    await importDataset(store, dataset);
    urls.set(store, url);
    return store;
  },
  peer(store) {
    const peer = createPostgresStore({ connectionString: urls.get(store) as string });
    peers.push(peer);
    return peer;
  },
  async cleanup(store) {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await (store as SqlStore).close();
  },
});
