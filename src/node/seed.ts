/**
 * @module node/seed — a SQLite store made from a dataset on first start, with the dataset's files beside it.
 */
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { loadDatasetFile } from "./dataset-file.js";

/** What {@link seedSqliteFile} did. */
export interface SeedResult {
  /** True when the database was made now; false when it already existed and was left alone. */
  created: boolean;
  /** Artifact files copied into the blob folder. */
  files: number;
}

/**
 * Make `dbFile` from the dataset at `datasetFile` when `dbFile` does not exist yet: import the
 * dataset and copy its artifact files into `blobRoot` under their blob keys, so the database and
 * the bytes it names live (and are published to) together. An existing `dbFile` is never touched.
 * The database appears under its name only once complete, so a failed seed leaves nothing behind.
 */
export async function seedSqliteFile(dbFile: string, datasetFile: string, blobRoot: string): Promise<SeedResult> {
  if (await stat(dbFile).then(() => true, () => false)) return { created: false, files: 0 };
  const { dataset, root } = await loadDatasetFile(datasetFile);
  await mkdir(dirname(resolve(dbFile)), { recursive: true });
  let files = 0;
  for (const artifact of dataset.artifacts) {
    if (artifact.blob === null) continue;
    const target = join(blobRoot, artifact.blob);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(root, artifact.blob), target);
    files += 1;
  }
  const partial = `${dbFile}.seeding`;
  await rm(partial, { force: true });
  const { createSqliteStore, importDataset } = await import("../sqlite.js");
  const store = createSqliteStore({ filename: partial });
  try {
    await importDataset(store, dataset);
  } finally {
    await store.close();
  }
  await rename(partial, dbFile);
  return { created: true, files };
}
