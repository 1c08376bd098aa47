import { afterAll, beforeAll } from "vitest";
import { createPostgresStore, importDataset, type SqlStore } from "../../src/postgres.js";
import { runStoreConformance } from "../../src/testing.js";
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
