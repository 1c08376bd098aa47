/**
 * Vitest `globalSetup` for `RE_TEST_STORE=postgres`: one throwaway PostgreSQL cluster for the whole
 * run, with a database migrated once to serve as the template of every test store's own database
 * (see `test/helpers/store.ts`); the cluster is stopped and deleted at the end.
 */
import type { TestProject } from "vitest/node";
import { createPostgresStore } from "../../src/postgres.js";
import { startPgCluster } from "../sql/pg-cluster.js";

/** Name of the migrated, empty template database. */
const TEMPLATE = "re_template";

/** Start the cluster, migrate the template, hand both to the tests, and return the teardown. */
export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPgCluster({ maxConnections: 200 });
  try {
    const store = createPostgresStore({ connectionString: await cluster.createDatabase(TEMPLATE), maxConnections: 1 });
    await store.migrate();
    await store.close();
  } catch (error) {
    cluster.destroy();
    throw error;
  }
  project.provide("reTestPg", { url: cluster.url(), template: TEMPLATE });
  return () => cluster.destroy();
}
