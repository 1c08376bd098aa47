/**
 * @module bench/lib/stores — one in-process profile run on each store kind asked for: a writable
 * memory store, a SQLite file and a PostgreSQL database (a throwaway cluster, when one can start),
 * each holding the same dataset, closed and removed afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWritableMemoryStore } from "../../dist/index.js";
import { createPostgresStore, importDataset as importPg } from "../../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../../dist/sqlite.js";
import { startPostgres } from "./pg.mjs";

/** Call `profile(name, store)` for each of `kinds` ("memory", "sqlite", "postgres") holding `dataset`, in turn. */
export async function onEachStore(dataset, profile, kinds = ["memory", "sqlite", "postgres"]) {
  const dir = mkdtempSync(join(tmpdir(), "re-profile-"));
  const pg = kinds.includes("postgres") ? await startPostgres(() => {}) : { unavailable: "not asked" };
  try {
    if (kinds.includes("memory")) await profile("memory", createWritableMemoryStore(dataset));
    if (kinds.includes("sqlite")) {
      const sqlite = createSqliteStore({ filename: join(dir, "bench.sqlite") });
      await importSqlite(sqlite, dataset);
      await profile("sqlite", sqlite);
      await sqlite.close();
    }
    if (!pg.unavailable) {
      const store = createPostgresStore({ connectionString: await pg.createDatabase("profile") });
      await importPg(store, dataset);
      await profile("postgres", store);
      await store.close();
    }
  } finally {
    if (!pg.unavailable) pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The four store writes of the `k`-th publish CI makes, in order (release DRAFT, artifact WAITING,
 * its upload, the release PUBLISHED), into `productId`/`packageId`; `artifact(version)` gives the
 * file's attributes (filename, filetype, platform, arch, signature).
 */
export function publishWrites(store, accountId, k, { productId, packageId, artifact }) {
  const version = `100.0.${k}`;
  let release;
  let file;
  const at = () => new Date();
  return [
    async () => (release = await store.createRelease(accountId, { productId, packageId, version, channel: "stable", status: "DRAFT", tag: null, name: null, description: null, entitlements: [], metadata: {}, backdated: null }, at())),
    async () => (file = await store.createArtifact(accountId, { releaseId: release.id, filesize: 3, checksum: null, metadata: {}, platform: null, arch: null, signature: null, ...artifact(version) }, at())),
    async () => store.completeArtifact(accountId, file.id, { filesize: 3, sha256: "a".repeat(64), blob: `bench/${file.id}` }, at()),
    async () => store.setReleaseStatus(accountId, release.id, "PUBLISHED", at()),
  ];
}
