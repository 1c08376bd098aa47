/**
 * @module bench/profile-startup — W5's memory start-up taken apart (the profile behind its figure):
 * read, decode, `JSON.parse`, the file's SHA-256 (serve's revisions come from it), `loadDataset` and
 * `createMemoryStore` of W1's dataset, then the package revisions the first update check asks for
 * (worked out on first use) from that digest, and from the records' content as a store without one
 * (a writable memory store) works them out, timed in turn.
 * Usage (after `npm run build`): node --max-old-space-size=8192 bench/profile-startup.mjs [N, default 100000]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, loadDataset } from "../dist/index.js";
import { buildWorld, writeDatasetFile } from "./lib/world.mjs";

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), "re-profile-"));
try {
  const file = join(dir, "dataset.json");
  await writeDatasetFile(file, buildWorld({ tauri: n }));
  const steps = [];
  let t = performance.now();
  const step = (name) => {
    const now = performance.now();
    steps.push(`${name} ${(now - t).toFixed(0)} ms`);
    t = now;
  };
  const bytes = readFileSync(file);
  step(`read ${(bytes.byteLength / 2 ** 20).toFixed(0)} MiB`);
  const text = bytes.toString("utf8");
  step("decode");
  const json = JSON.parse(text);
  step("JSON.parse");
  const digest = createHash("sha256").update(bytes).digest("hex");
  step("file SHA-256");
  const dataset = await loadDataset(json, {});
  step("loadDataset");
  const served = createMemoryStore(dataset, { sourceDigest: digest });
  step("createMemoryStore");
  for (const p of dataset.packages) await served.getPackageRevision(p.accountId, p.id, "listed");
  step("listed package revisions from the digest");
  const store = createMemoryStore(dataset);
  step("createMemoryStore without a digest");
  for (const p of dataset.packages) await store.getPackageRevision(p.accountId, p.id, "listed");
  step("listed package revisions from content");
  for (const p of dataset.packages) await store.getPackageRevision(p.accountId, p.id);
  step("full package revisions from content");
  console.log(`N=${n}: ${steps.join(", ")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
