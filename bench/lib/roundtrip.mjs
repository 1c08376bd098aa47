/**
 * @module bench/lib/roundtrip — the smoke run's check that the bench's records are what the
 * loader makes of the dataset file the bench writes (so every store serves the same data).
 */
import { deepStrictEqual } from "node:assert/strict";
import { loadDataset } from "../../dist/index.js";
import { buildWorld, datasetFileText } from "./world.mjs";

/** Throw unless `loadDataset(file of records)` deep-equals the records, for a small world of every kind. */
export async function assertFileRoundTrip(log) {
  const ds = buildWorld({ tauri: 60, pypiFiles: 30, raw: 3 });
  const loaded = await loadDataset(JSON.parse(datasetFileText(ds)));
  for (const key of Object.keys(ds)) deepStrictEqual(loaded[key], ds[key], `bench records and loaded file differ in ${key}`);
  log(`records match the loaded dataset file (${ds.releases.length} releases, ${ds.artifacts.length} artifacts)`);
}
