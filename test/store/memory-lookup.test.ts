/**
 * The memory store's package lookup by id or key: when one package's key is another's id, the older
 * of the two answers (as a sort by creation would pick), and the engine asked narrows both.
 */
import { describe, expect, it } from "vitest";
import { loadDatasetFile } from "../../src/node.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Dataset } from "../../src/dataset/dataset.js";

const DEMO = new URL("../../examples/demo/dataset.json", import.meta.url).pathname;

/** The demo dataset plus a package whose key is the id of the demo's first package, created at `created`. */
async function withTwin(created: string, engine: string): Promise<{ store: ReturnType<typeof createMemoryStore>; accountId: string; firstId: string; firstEngine: string; twinId: string }> {
  const { dataset } = await loadDatasetFile(DEMO);
  const first = dataset.packages[0]!;
  const twin = { ...first, id: "0b0b0b0b-0000-4000-8000-000000000001", key: first.id, engine, created, updated: created } as (typeof dataset.packages)[number];
  const store = createMemoryStore({ ...dataset, packages: [...dataset.packages, twin] } as Dataset);
  return { store, accountId: first.accountId ?? "", firstId: first.id, firstEngine: first.engine ?? "", twinId: twin.id };
}

describe("memory store getPackage by id or key", () => {
  it("answers the older of the package with that id and the one with that key", async () => {
    const later = await withTwin("2099-01-01T00:00:00Z", "pypi");
    expect((await later.store.getPackage(later.accountId, later.firstId))?.id).toBe(later.firstId);
    const earlier = await withTwin("2000-01-01T00:00:00Z", "pypi");
    expect((await earlier.store.getPackage(earlier.accountId, earlier.firstId))?.id).toBe(earlier.twinId);
  });

  it("narrows both to the engine asked", async () => {
    const t = await withTwin("2000-01-01T00:00:00Z", "raw");
    expect(t.firstEngine).not.toBe("raw");
    expect((await t.store.getPackage(t.accountId, t.firstId))?.id).toBe(t.twinId);
    expect((await t.store.getPackage(t.accountId, t.firstId, t.firstEngine as "pypi"))?.id).toBe(t.firstId);
    expect((await t.store.getPackage(t.accountId, t.firstId, "raw"))?.id).toBe(t.twinId);
    expect(await t.store.getPackage(t.accountId, t.firstId, "npm")).toBeNull();
  });
});
