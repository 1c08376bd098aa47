/**
 * Issue 19 item 5: a raw link's answer time does not tell a hidden product from a missing one.
 * Both paths must make the same store calls (checked exactly, on every store kind the run uses),
 * and on SQLite, where each call is a query, the median times of many interleaved requests must
 * agree within a bound well below the one query the hidden path used to add.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReleaseVisible, mayFindReleasesOf, type Scope } from "../../src/access/scope.js";
import type { Product, Release } from "../../src/model/records.js";
import { createRequestHandler } from "../../src/http/fetch.js";
import type { RequestLike } from "../../src/http/fetch.js";
import { createSqliteStore, importDataset } from "../../src/sqlite.js";
import type { Store } from "../../src/store/types.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { conformanceDataset, TOKENS } from "../../src/testing/fixture.js";

const NOW = new Date("2026-03-01T12:00:30Z");
const raw = (product: string) => `http://localhost/v1/accounts/acme/engines/raw/${product}/1.0.0/tool_linux_amd64`;

/** A store that records the name of every call made through it. */
function recording(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}

const dirs: string[] = [];
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A SQLite store of the conformance dataset in a temporary folder (`cache: false`: every store call is a query). */
async function sqliteStore(cache = true) {
  const dir = mkdtempSync(join(tmpdir(), "re-timing-"));
  dirs.push(dir);
  const store = createSqliteStore({ filename: join(dir, "store.sqlite"), cache });
  opened.push(store);
  await importDataset(store, await conformanceDataset());
  return store;
}

describe("mayFindReleasesOf, the gate that stops a hidden product early", () => {
  it("never refuses a product of which the scope sees a release (a necessary condition of isReleaseVisible)", () => {
    const P = "00000000-0000-4000-8000-00000000aaaa";
    const Q = "00000000-0000-4000-8000-00000000bbbb";
    const products = fc.constantFrom(P, Q);
    const codes = fc.subarray(["PRO", "EXTRA"]);
    const scope: fc.Arbitrary<Scope> = fc.record({
      all: fc.boolean(),
      products: fc.subarray([P, Q]),
      grants: fc.array(fc.record({ productId: products, entitlements: codes, cutoff: fc.constantFrom(null, "2026-01-05T00:00:00.000Z"), window: fc.constantFrom("effective" as const, "either" as const) }), { maxLength: 3 }),
      licensedProducts: fc.subarray([P, Q]),
      ownOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(scope, fc.constantFrom("OPEN" as const, "LICENSED" as const, "CLOSED" as const), fc.constantFrom("DRAFT" as const, "PUBLISHED" as const, "YANKED" as const), codes, fc.constantFrom("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"), (sc, strategy, status, entitlements, created) => {
        const product = { id: P, accountId: Q, code: "p", name: "P", distributionStrategy: strategy, created } as Product;
        const release = { id: Q, accountId: Q, productId: P, packageId: null, version: "1.0.0", versionKey: "", channel: "stable", status, tag: null, name: null, description: null, entitlements, metadata: {}, created, updated: created, backdated: null, yanked: null } as Release;
        if (isReleaseVisible(sc, release, product)) expect(mayFindReleasesOf(sc, product)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe.each([
  ["memory", async () => createMemoryStore(await conformanceDataset())],
  ["sqlite", () => sqliteStore()],
] as const)("hidden and missing products: the same store work on %s (issue 19 item 5)", (_kind, create) => {
  it("every caller who may not see a product makes exactly the calls a missing product makes", async () => {
    const { store, calls } = recording(await create());
    const handle = createRequestHandler({ store, now: () => NOW });
    const callsFor = async (product: string, authorization?: string) => {
      calls.length = 0;
      const headers = new Headers(authorization === undefined ? {} : { authorization });
      const result = await handle(new Request(raw(product), { headers }));
      expect(result.status, `${product} ${authorization}`).toBe(404);
      return [...calls];
    };
    const callers: Array<[string | undefined, string[]]> = [
      [undefined, ["cli", "internal"]],
      ["License PRO-KEY", ["internal"]],
      [`Bearer ${TOKENS.product}`, ["internal", "app"]],
      [`Bearer ${TOKENS.user}`, ["internal"]],
    ];
    for (const [authorization, hidden] of callers) {
      const missing = await callsFor("no-such-product", authorization);
      expect(await callsFor("00000000-0000-4000-8000-0000000000ee", authorization)).toEqual(missing);
      for (const product of hidden) expect(await callsFor(product, authorization), `${product} ${authorization}`).toEqual(missing);
    }
  });
});

describe("hidden and missing products: the same time on SQLite (issue 19 item 5)", () => {
  let handle: (request: RequestLike) => Promise<{ status: number }>;
  beforeAll(async () => {
    // Without the read cache, so each store call is a query: the cached store answers all three paths
    // in process, where the yardstick below (one query) would be no query at all.
    handle = createRequestHandler({ store: await sqliteStore(false), now: () => NOW });
  });

  it("medians of interleaved hidden and missing raw links differ by far less than one release query", async () => {
    // hidden: a LICENSED product an anonymous caller cannot see; missing: no such product; probe: an
    // OPEN product with no such release, whose 404 costs exactly one release query more than a
    // missing product's (the yardstick: what the hidden path used to add, measured in this run).
    const paths = { hidden: raw("cli"), missing: raw("nope"), probe: raw("app") };
    const names = Object.keys(paths) as Array<keyof typeof paths>;
    const statuses = new Set<number>();
    const time = async (url: string) => {
      const request = new Request(url);
      const started = process.hrtime.bigint();
      const result = await handle(request);
      const ns = Number(process.hrtime.bigint() - started);
      statuses.add(result.status);
      return ns;
    };
    for (let i = 0; i < 300; i++) for (const name of names) await time(paths[name]);
    const samples = { hidden: [] as number[], missing: [] as number[], probe: [] as number[] };
    for (let i = 0; i < 2500; i++) {
      // Each round in a random order, so drift, GC and other processes fall on every path alike.
      const order = [...names].sort(() => Math.random() - 0.5);
      for (const name of order) samples[name].push(await time(paths[name]));
    }
    expect([...statuses]).toEqual([404]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const m = { hidden: median(samples.hidden), missing: median(samples.missing), probe: median(samples.probe) };
    const query = m.probe - m.missing;
    const gap = Math.abs(m.hidden - m.missing);
    const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
    const report = `hidden ${us(m.hidden)}, missing ${us(m.missing)}, probe ${us(m.probe)}: gap ${us(gap)}, one query ${us(query)}`;
    // The yardstick must be real for the bound to mean anything.
    expect(query, report).toBeGreaterThan(0.1 * m.missing);
    console.log(report);
    expect(gap, report).toBeLessThan(0.5 * query);
  });
});
