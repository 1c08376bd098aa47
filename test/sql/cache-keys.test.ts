/**
 * sql/cache's keys: string arguments nest by position (sql/kept-answers), and no two different
 * argument lists share a key, NUL bytes and non-strings included.
 */
import { describe, expect, it } from "vitest";
import { cacheReads } from "../../src/sql/cache.js";
import type { SqlStore } from "../../src/sql/store.js";

describe("sql/cache keys", () => {
  it("answers each distinct argument list with its own answer, and a repeated one from the cache", async () => {
    let calls = 0;
    const store = { getThing: async (...args: unknown[]) => (calls++, JSON.stringify(args)) } as unknown as SqlStore;
    const { store: cached } = cacheReads(store, { live: () => true, version: async () => "1", subscribe: () => {} });
    const get = (cached as unknown as { getThing: (...args: unknown[]) => Promise<string> }).getThing;
    const lists: unknown[][] = [["a", "b"], ["a\u0000\u0001b"], ["a\u0000", "\u0001b"], ["a", "\u0001b"], ["a\u0001", "b"], ["ab"], [["a", "b"]], ["a", "b", undefined], ["a", 1], ["a", "1"], []];
    for (const args of lists) expect(await get(...args)).toBe(JSON.stringify(args));
    expect(calls).toBe(lists.length);
    for (const args of lists) expect(await get(...args)).toBe(JSON.stringify(args));
    expect(calls).toBe(lists.length);
  });

  it("turns a read that throws at once into a rejection, and does not keep it", async () => {
    let fail = true;
    const store = { getThing: (() => { if (fail) throw new Error("boom"); return Promise.resolve("ok"); }) } as unknown as SqlStore;
    const { store: cached } = cacheReads(store, { live: () => true, version: async () => "1", subscribe: () => {} });
    const get = (cached as unknown as { getThing: (x: string) => Promise<string> }).getThing;
    await expect(get("x")).rejects.toThrow("boom");
    fail = false;
    expect(await get("x")).toBe("ok");
  });
});
