/**
 * wrapStore: every call gets its own deadline (one shared timer), failures become a generic StoreError,
 * SDK errors pass through, and a call that settles in time is never touched.
 */
import { describe, expect, it } from "vitest";
import { NotFoundError, StoreError } from "../../src/core/errors.js";
import type { Store } from "../../src/store/types.js";
import { keptReadOf, wrapStore } from "../../src/store/wrap.js";
import { markKeptAnswers, NOT_KEPT, storeOfSyncReads } from "../../src/store/sync-reads.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";

type Fake = Record<string, (...args: unknown[]) => unknown>;
const wrap = (methods: Fake, timeoutMs: number) => wrapStore(methods as unknown as Store, { timeoutMs }) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const settle = (p: Promise<unknown>) => p.then((value) => ({ ok: true as const, value, at: Date.now() }), (error: unknown) => ({ ok: false as const, error, at: Date.now() }));

describe("wrapStore", () => {
  it("passes values and arguments through, and SDK errors unchanged", async () => {
    const notFound = new NotFoundError("nope");
    const store = wrap({ echo: async (a, b) => [a, b], sync: (a) => a, sdk: async () => { throw notFound; } }, 1000);
    expect(await store.echo!(1, "x")).toEqual([1, "x"]);
    expect(await store.sync!(7)).toBe(7);
    await expect(store.sdk!()).rejects.toBe(notFound);
  });

  it("turns throws and rejections (Error or not) into a generic 503 StoreError that keeps the cause", async () => {
    const boom = new Error("db password hunter2");
    for (const timeoutMs of [0, 1000]) {
      const store = wrap({ sync: () => { throw boom; }, rejects: () => Promise.reject(boom), other: () => Promise.reject({ status: 404 }) }, timeoutMs);
      for (const name of ["sync", "rejects", "other"]) {
        const error = (await settle(store[name]!())) as { ok: false; error: StoreError };
        expect(error.ok).toBe(false);
        expect(error.error).toBeInstanceOf(StoreError);
        expect(error.error.status).toBe(503);
        expect(error.error.detail).toBe("The service is temporarily unavailable");
        expect(error.error.cause).toEqual(name === "other" ? { status: 404 } : boom);
      }
    }
  });

  it("gives each call its own deadline: a later call is not failed with an earlier one", async () => {
    const store = wrap({ hang: () => new Promise(() => {}) }, 80);
    const t0 = Date.now();
    const first = settle(store.hang!());
    await sleep(40);
    const t1 = Date.now();
    const second = settle(store.hang!());
    const a = await first;
    expect(a.ok).toBe(false);
    expect(a.at - t0).toBeGreaterThanOrEqual(75);
    // The second runs its own 80 ms from its own start, however late the first's expiry came
    // (timers only ever fire late, so on a loaded machine this bound still holds).
    const b = await second;
    expect(b.ok).toBe(false);
    expect(b.at - t1).toBeGreaterThanOrEqual(75);
    const error = (b as { error: StoreError }).error;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.status).toBe(503);
    expect(String((error.cause as Error).message)).toBe("store call hang timed out after 80 ms");
  });

  it("never fails a call that settles in time, however many come and go, and still expires a hang among them", async () => {
    let release: (() => void) | null = null;
    const store = wrap({
      fast: async (n) => n,
      slow: () => new Promise((r) => { release = () => r("late"); }),
      hang: () => new Promise(() => {}),
    }, 250);
    const hung = settle(store.hang!());
    const started = Date.now();
    const slow = settle(store.slow!());
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => store.fast!(i)));
    expect(results).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    await sleep(20);
    expect(Date.now() - started).toBeLessThan(240); // the machine kept up: `slow` answers within its deadline
    (release as unknown as () => void)();
    expect(await slow).toMatchObject({ ok: true, value: "late" });
    const h = await hung;
    expect(h.ok).toBe(false);
    expect((h as { error: unknown }).error).toBeInstanceOf(StoreError);
  });

  it("ignores an answer that comes after its deadline", async () => {
    let resolveLate: ((v: unknown) => void) | null = null;
    let rejectLate: ((e: unknown) => void) | null = null;
    const store = wrap({ a: () => new Promise((r) => { resolveLate = r; }), b: () => new Promise((_, j) => { rejectLate = j; }) }, 30);
    const a = settle(store.a!());
    const b = settle(store.b!());
    expect((await a).ok).toBe(false);
    expect((await b).ok).toBe(false);
    (resolveLate as unknown as (v: unknown) => void)("too late");
    (rejectLate as unknown as (e: unknown) => void)(new Error("too late"));
    await sleep(5);
  });

  it("without a timeout, a hanging call stays pending", async () => {
    const store = wrap({ hang: () => new Promise(() => {}) }, 0);
    const outcome = await Promise.race([store.hang!().then(() => "settled", () => "rejected"), sleep(100).then(() => "pending")]);
    expect(outcome).toBe("pending");
  });

  it("calls an in-process store's plain functions: values, SDK errors and 503s as before, a replaced method still called", async () => {
    const boom = new Error("index corrupt");
    const notFound = new NotFoundError("nope");
    const inProcess = storeOfSyncReads({ getAccount: (id: string) => ({ id }), getProduct: () => { throw boom; }, getPolicy: () => { throw notFound; } } as never) as unknown as Fake;
    const replaced = { ...inProcess, getUser: async () => "replaced" };
    const store = wrap(replaced, 1000);
    expect(await store.getAccount!("a")).toEqual({ id: "a" });
    const error = (await settle(store.getProduct!())) as { ok: false; error: StoreError };
    expect(error.error).toBeInstanceOf(StoreError);
    expect(error.error.status).toBe(503);
    expect(error.error.cause).toBe(boom);
    await expect(store.getPolicy!()).rejects.toBe(notFound);
    expect(await store.getUser!()).toBe("replaced");
    // The memory store is one: its calls answer like its own methods do.
    const memory = createMemoryStore((await loadDatasetFile("examples/demo/dataset.json")).dataset);
    const wrapped = wrapStore(memory, { timeoutMs: 1000 });
    const account = await memory.getAccount("demo");
    expect(account).not.toBeNull();
    expect(await wrapped.getAccount("demo")).toBe(account);
    await expect(wrapped.getLicense(account!.id, "not-a-license")).resolves.toBeNull();
  });

  it("hands out an in-process read as a plain function that throws what the method rejects with; none for other methods", async () => {
    const boom = new Error("index corrupt");
    const notFound = new NotFoundError("nope");
    const inProcess = storeOfSyncReads({ getAccount: (id: string) => ({ id }), getProduct: () => { throw boom; }, getPolicy: () => { throw notFound; } } as never);
    const store = wrapStore({ ...inProcess, getUser: async () => null } as never);
    expect(keptReadOf(store, "getAccount")!("a")).toEqual({ id: "a" });
    let thrown: unknown;
    try {
      (keptReadOf(store, "getProduct") as () => unknown)();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).status).toBe(503);
    expect((thrown as StoreError).cause).toBe(boom);
    expect(() => (keptReadOf(store, "getPolicy") as () => unknown)()).toThrow(notFound);
    expect(keptReadOf(store, "getUser")).toBeUndefined();
    expect(keptReadOf(inProcess, "getAccount")).toBeUndefined();
  });

  it("answers a kept answer as the very promise kept, with no deadline; a miss calls the method; a lookup that throws is a 503", async () => {
    const boom = new Error("cache corrupt");
    let calls = 0;
    const kept = new Map<string, { promise: Promise<unknown>; value: unknown }>();
    const getRelease = async (id: string) => (calls++, { id, asked: true });
    markKeptAnswers(getRelease as never, (id) => kept.get(id as string));
    const getProduct = async () => "asked";
    markKeptAnswers(getProduct as never, () => { throw boom; });
    const store = wrapStore({ getRelease, getProduct, getUser: async () => null } as never, { timeoutMs: 30 });
    const read = keptReadOf(store, "getRelease") as unknown as (id: string) => unknown;
    expect(read("r1")).toBe(NOT_KEPT);
    expect(await store.getRelease("a", "r1")).toEqual({ id: "a", asked: true });
    expect(calls).toBe(1);
    const value = { id: "r1", kept: true };
    const answer = { promise: Promise.resolve(value), value };
    kept.set("r1", answer);
    expect(read("r1")).toBe(answer.value);
    expect(store.getRelease("r1", "x")).toBe(answer.promise);
    expect(calls).toBe(1);
    // A kept answer has no deadline to miss: it is there, however long the caller waits.
    await sleep(50);
    expect(await store.getRelease("r1", "x")).toBe(answer.value);
    let thrown: unknown;
    try {
      (keptReadOf(store, "getProduct") as unknown as () => unknown)();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).cause).toBe(boom);
    const rejected = (await settle(store.getProduct("a", "p"))) as { ok: false; error: StoreError };
    expect(rejected.error).toBeInstanceOf(StoreError);
    expect(rejected.error.cause).toBe(boom);
    expect(keptReadOf(store, "getUser")).toBeUndefined();
  });

  it("hands out an in-process store's reads as kept reads too: they always answer", async () => {
    const memory = createMemoryStore((await loadDatasetFile("examples/demo/dataset.json")).dataset);
    const store = wrapStore(memory);
    const account = keptReadOf(store, "getAccount")!("demo");
    expect(account).toBe(await memory.getAccount("demo"));
    expect(keptReadOf(store, "getAccount")!("nobody")).toBeNull();
  });
});
