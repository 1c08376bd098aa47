/**
 * The contract method lists and the read forwarding derived from them: every read method reaches
 * the store current at the call, so a store that swaps snapshots cannot leave one behind.
 */
import { describe, expect, it } from "vitest";
import { forwardReads, STORE_METHODS } from "../../src/store/methods.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { Store } from "../../src/store/types.js";
import { loadDatasetFile } from "../../src/node.js";

/** A store whose every method answers its own name, its tag and the arguments it got. */
function echoStore(tag: string): Store {
  const out: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
  for (const name of STORE_METHODS) out[name] = async (...a) => [tag, name, a];
  return out as unknown as Store;
}

describe("forwardReads", () => {
  it("forwards each read method, with its arguments, to the store current at the call", async () => {
    let current = echoStore("first");
    const reads = forwardReads(() => current) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(reads).sort()).toEqual([...STORE_METHODS].sort());
    for (const name of STORE_METHODS) expect(await reads[name]?.("acct", 2)).toEqual(["first", name, ["acct", 2]]);
    current = echoStore("second");
    for (const name of STORE_METHODS) expect(await reads[name]?.("x")).toEqual(["second", name, ["x"]]);
  });

  it("is how the writable memory store reads: a write is seen by every read method at once", async () => {
    const { dataset } = await loadDatasetFile(new URL("../../examples/demo/dataset.json", import.meta.url).pathname);
    const store = createWritableMemoryStore(dataset);
    for (const name of STORE_METHODS) expect(typeof store[name], name).toBe("function");
    const account = (await store.getAccount("demo")) as { id: string };
    const pkg = (await store.getPackage(account.id, "demo-sdk")) as { id: string };
    const before = await store.getPackageRevision(account.id, pkg.id);
    await store.updatePackage(account.id, pkg.id, { name: "Renamed" }, new Date("2026-01-01T00:00:00Z"));
    expect((await store.getPackage(account.id, "demo-sdk"))?.name).toBe("Renamed");
    expect(await store.getPackageRevision(account.id, pkg.id)).not.toBe(before);
  });
});
