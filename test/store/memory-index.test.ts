/**
 * Property: the memory store's compact indexes (precedence ranks, merged channel lists, the version
 * hash table, packed visibility facts) answer exactly what a brute-force reading of the store
 * contract and scope.ts answers, for random datasets, scopes and queries; and the index helpers
 * agree with plain searches.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStrict } from "../../src/core/version.js";
import type { Dataset } from "../../src/dataset/load.js";
import { CHANNEL_MATRIX, parseConstraint } from "../../src/engines/upgrade.js";
import type { Artifact, Product, Release } from "../../src/model/records.js";
import { ReleaseFacts } from "../../src/store/memory-facts.js";
import { KeyRanks, firstBelow } from "../../src/store/memory-index.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { isArtifactVisible, isReleaseVisible, type Grant, type Scope } from "../../src/access/scope.js";
import type { UpgradeQuery } from "../../src/store/types.js";

const uuid = (kind: number, n: number) => `50000000-0000-4000-8${kind}00-${String(n).padStart(12, "0")}`;
const ACCOUNT = uuid(0, 1);
const OTHER_ACCOUNT = uuid(0, 2);
const PRODUCTS = [uuid(1, 1), uuid(1, 2)];
const PACKAGES = [uuid(2, 1), uuid(2, 2), null];
const CHANNELS = ["stable", "rc", "beta", "alpha", "dev"] as const;
const VERSIONS = ["0.9.0", "1.0.0", "1.0.0+b1", "1.0.0+7", "1.0.1", "1.1.0-beta.1", "1.1.0-beta.2", "1.1.0-rc.1", "1.1.0", "1.2.0-alpha.1", "1.2.0-dev.1", "2.0.0-beta", "2.0.0", "2.0.0+b.2", "2.1.0-rc.1+b1", "10.0.0"];
// Canonical instants, other ISO forms, and a canonical-shaped instant that is no real date.
const DATES = [
  "2024-01-05T00:00:00.000Z", "2024-01-10T00:00:00.000Z", "2024-01-10T00:00:00.000Z", "2024-02-01T12:00:00.000Z",
  "2024-01-07T00:00:00Z", "2024-01-07", "2024-02-30T00:00:00.000Z", "2024-01-31T23:59:59.999+01:00",
];
const CUTOFFS = [null, "2024-01-10T00:00:00.000Z", "2024-01-06T00:00:00.000Z", "2024-01-09T00:00:00Z", "2024-02-30T00:00:00.000Z", "2024-03-01T00:00:00.000Z", "not a date"];
const PLATFORMS = [["linux", "x86_64"], ["darwin", "aarch64"], ["linux", null], [null, null]] as const;

const releaseArb = fc.record({
  product: fc.nat(1), pkg: fc.nat(2), version: fc.nat(VERSIONS.length - 1), channel: fc.nat(4), otherAccount: fc.constantFrom(false, false, false, false, false, false, false, true),
  status: fc.constantFrom("PUBLISHED", "PUBLISHED", "PUBLISHED", "DRAFT", "YANKED"), entitlements: fc.constantFrom([], [], ["A"], ["A", "B"], ["B"]),
  created: fc.nat(DATES.length - 1), backdated: fc.option(fc.nat(DATES.length - 1), { freq: 3 }),
  artifacts: fc.array(fc.record({
    target: fc.nat(PLATFORMS.length - 1), signature: fc.constantFrom("sig", "sig", "", null), filetype: fc.constantFrom("gz", "gz", "sig", null),
    status: fc.constantFrom("UPLOADED", "UPLOADED", "WAITING"), created: fc.nat(DATES.length - 1),
  }), { maxLength: 3 }),
});
const grantArb: fc.Arbitrary<Grant> = fc.record({
  productId: fc.constantFrom(...PRODUCTS), entitlements: fc.constantFrom([], ["A"], ["A", "B"]), cutoff: fc.constantFrom(...CUTOFFS),
  window: fc.constantFrom(undefined, "effective", "either"),
}).map((g) => {
  const out: Grant = { productId: g.productId, entitlements: [...g.entitlements], cutoff: g.cutoff };
  if (g.window !== undefined) out.window = g.window as Grant["window"];
  return out;
});
const scopeArb: fc.Arbitrary<Scope> = fc.record({
  all: fc.constantFrom(false, false, false, true), products: fc.constantFrom([], [], [PRODUCTS[0] as string]), grants: fc.array(grantArb, { maxLength: 2 }),
  ownOnly: fc.constantFrom(undefined, undefined, true),
}).map((s) => {
  const out: Scope = { all: s.all, products: s.products, grants: s.grants, licensedProducts: [] };
  if (s.ownOnly !== undefined) out.ownOnly = s.ownOnly;
  return out;
});
const CHANNEL_SETS = [...Object.values(CHANNEL_MATRIX), ["beta"], ["rc", "stable"], ["alpha", "stable"], [], ["edge"], ["stable", "stable"]];
const CONSTRAINTS = [null, null, "1", "1.0", "1.1", "2", "1-beta", "1-beta.2", "2+b1", "1.0+7", "0"];
const queryArb = fc.record({
  product: fc.nat(1), pkg: fc.nat(2), after: fc.nat(VERSIONS.length - 1), channels: fc.nat(CHANNEL_SETS.length - 1),
  constraint: fc.nat(CONSTRAINTS.length - 1), target: fc.option(fc.nat(1), { freq: 2 }), otherAccount: fc.constantFrom(false, false, false, false, true), scope: scopeArb,
});

type GenRelease = typeof releaseArb extends fc.Arbitrary<infer T> ? T : never;

function datasetOf(gen: GenRelease[], strategies: Product["distributionStrategy"][]): Dataset {
  const releases: Release[] = [];
  const artifacts: Artifact[] = [];
  gen.forEach((g, i) => {
    const version = VERSIONS[g.version] as string;
    const id = uuid(3, i);
    releases.push({
      id, accountId: g.otherAccount ? OTHER_ACCOUNT : ACCOUNT, productId: PRODUCTS[g.product] as string, packageId: PACKAGES[g.pkg] as string | null,
      version, versionKey: (parseStrict(version) as NonNullable<ReturnType<typeof parseStrict>>).key, channel: CHANNELS[g.channel] as Release["channel"],
      status: g.status as Release["status"], tag: null, name: null, description: null, entitlements: [...g.entitlements], metadata: {},
      created: DATES[g.created] as string, updated: DATES[g.created] as string, backdated: g.backdated === null ? null : (DATES[g.backdated] as string), yanked: null,
    });
    g.artifacts.forEach((a, k) => {
      const [platform, arch] = PLATFORMS[a.target] as readonly [string | null, string | null];
      artifacts.push({
        id: uuid(4, i * 10 + k), accountId: ACCOUNT, releaseId: id, filename: `f-${i}-${k}`, filetype: a.filetype, platform, arch, filesize: 1,
        checksum: null, signature: a.signature, status: a.status as Artifact["status"], metadata: {}, created: DATES[a.created] as string,
        updated: DATES[a.created] as string, blob: null,
      });
    });
  });
  const products: Product[] = PRODUCTS.map((id, i) => ({ id, accountId: ACCOUNT, code: `p${i}`, name: `P${i}`, distributionStrategy: strategies[i] as Product["distributionStrategy"], created: DATES[0] as string }));
  return { accounts: [], products, packages: [], engines: [], releases, artifacts, entitlements: [], policies: [], users: [], licenses: [], tokens: [] };
}

function compareReleasesDesc(a: Release, b: Release): number {
  if (a.versionKey !== b.versionKey) return a.versionKey < b.versionKey ? 1 : -1;
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isSignedUpdate = (a: Artifact) =>
  a.platform !== null && a.arch !== null && a.signature !== null && a.signature !== "" && a.filetype !== null && a.filetype !== "sig";

/** The store contract's findUpgrade, read literally over every release. */
function referenceUpgrade(ds: Dataset, q: UpgradeQuery): Release | null {
  const product = ds.products.find((p) => p.id === q.productId) as Product;
  const found = ds.releases.filter((r) => {
    if (r.accountId !== q.accountId || r.productId !== q.productId || r.packageId !== q.packageId) return false;
    if (!q.channels.includes(r.channel) || r.status !== "PUBLISHED" || r.versionKey <= q.afterKey) return false;
    const range = q.range;
    if (range !== undefined) {
      if (r.versionKey < range.minKey || r.versionKey >= range.maxKey) return false;
      const v = parseStrict(r.version);
      if (range.preWord !== undefined && (v?.preWord ?? null) !== range.preWord) return false;
      if (range.preNum !== undefined && (v?.preNum ?? null) !== range.preNum) return false;
      if (range.buildWord !== undefined && (v?.buildWord ?? null) !== range.buildWord) return false;
      if (range.buildNum !== undefined && (v?.buildNum ?? null) !== range.buildNum) return false;
    }
    if (!isReleaseVisible(q.scope, r, product)) return false;
    const target = q.artifact;
    return target === undefined ||
      ds.artifacts.some((a) => a.releaseId === r.id && a.platform === target.platform && a.arch === target.arch && isSignedUpdate(a) && isArtifactVisible(q.scope, a, r, product));
  });
  found.sort(compareReleasesDesc);
  return found[0] ?? null;
}

describe("memory store indexes against the store contract read literally", () => {
  it("findUpgrade, getReleaseByVersion and listReleaseArtifacts answer what a scan answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(releaseArb, { minLength: 1, maxLength: 40 }),
        fc.tuple(fc.constantFrom("OPEN", "LICENSED", "CLOSED"), fc.constantFrom("OPEN", "LICENSED", "CLOSED")),
        fc.array(queryArb, { minLength: 8, maxLength: 8 }),
        async (gen, strategies, queries) => {
          const ds = datasetOf(gen, strategies as Product["distributionStrategy"][]);
          const store = createMemoryStore(ds);
          for (const g of queries) {
            const productId = PRODUCTS[g.product] as string;
            const packageId = PACKAGES[g.pkg] as string | null;
            const accountId = g.otherAccount ? OTHER_ACCOUNT : ACCOUNT;
            const version = VERSIONS[g.after] as string;
            // getReleaseByVersion: the last release of the slot with the version, if the scope sees it.
            const same = ds.releases.filter((r) => r.productId === productId && r.packageId === packageId && r.version === version);
            const last = same[same.length - 1];
            const product = ds.products.find((p) => p.id === productId) as Product;
            const expected = last !== undefined && last.accountId === accountId && isReleaseVisible(g.scope, last, product) ? last : null;
            expect(await store.getReleaseByVersion(accountId, productId, packageId, version, g.scope)).toBe(expected);

            const q: UpgradeQuery = {
              accountId, productId, packageId, afterKey: (parseStrict(version) as NonNullable<ReturnType<typeof parseStrict>>).key,
              channels: CHANNEL_SETS[g.channels] as UpgradeQuery["channels"], scope: g.scope,
            };
            const constraint = CONSTRAINTS[g.constraint];
            if (constraint !== null && constraint !== undefined) q.range = parseConstraint(constraint);
            if (g.target !== null) {
              const [platform, arch] = PLATFORMS[g.target] as readonly [string, string];
              q.artifact = { platform, arch };
            }
            const got = await store.findUpgrade(q);
            expect(got?.id ?? null).toBe(referenceUpgrade(ds, q)?.id ?? null);

            // listReleaseArtifacts of the answer (or of any release): newest first, visible only.
            const release = got ?? ds.releases[g.after % ds.releases.length] as Release;
            const filter = g.target === null ? {} : { platform: (PLATFORMS[g.target] as readonly [string, string])[0] };
            const rp = ds.products.find((p) => p.id === release.productId) as Product;
            const want = ds.artifacts
              .filter((a) => a.releaseId === release.id && (filter.platform === undefined || a.platform === filter.platform) && isArtifactVisible(g.scope, a, release, rp))
              .sort((a, b) => (a.created !== b.created ? (a.created < b.created ? 1 : -1) : a.id < b.id ? 1 : -1));
            const list = await store.listReleaseArtifacts(release.accountId, release.id, g.scope, filter);
            expect(list.map((a) => a.id)).toEqual(want.map((a) => a.id));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("memory store index helpers", () => {
  it("ReleaseFacts.visible equals isReleaseVisible, whatever the dates", () => {
    fc.assert(
      fc.property(fc.array(releaseArb, { minLength: 1, maxLength: 10 }), fc.constantFrom("OPEN", "LICENSED", "CLOSED"), fc.array(scopeArb, { minLength: 4, maxLength: 4 }), (gen, strategy, scopes) => {
        const ds = datasetOf(gen, [strategy as Product["distributionStrategy"], "OPEN"]);
        const facts = new ReleaseFacts(ds.releases);
        for (const scope of scopes) {
          ds.releases.forEach((r, at) => {
            const product = ds.products.find((p) => p.id === r.productId) as Product;
            expect(facts.visible(scope, at, r.productId, product)).toBe(isReleaseVisible(scope, r, product));
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it("KeyRanks.search finds the first key at or above a bound, as a scan does", () => {
    // Keys share long prefixes (equal packed heads), and some carry characters above U+00FF.
    const keyArb = fc.array(fc.constantFrom("0", "1", "~", "!", "a", "ÿ", "Ā", "0110100"), { maxLength: 5 }).map((p) => p.join(""));
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 120 }), fc.array(keyArb, { minLength: 1, maxLength: 20 }), (keys, probes) => {
        keys.sort();
        const ranks = new KeyRanks(keys);
        for (const probe of [...probes, ...keys.slice(0, 5)]) {
          const atOrAbove = keys.findIndex((k) => k >= probe);
          const above = keys.findIndex((k) => k > probe);
          expect(ranks.search(probe, false)).toBe(atOrAbove < 0 ? keys.length : atOrAbove);
          expect(ranks.search(probe, true)).toBe(above < 0 ? keys.length : above);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("firstBelow finds the first pair ranked below a bound, however ranks are spread", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(60), { maxLength: 300 }), fc.integer({ min: -2, max: 64 }), fc.array(fc.nat(1), { maxLength: 300 }), (raw, maxRank, flags) => {
        const ranks = raw.sort((a, b) => b - a);
        const list = Int32Array.from(ranks.flatMap((r, i) => [r * 2 + (flags[i] ?? 0), i]));
        const at = ranks.findIndex((r) => r < maxRank);
        expect(firstBelow(list, maxRank)).toBe((at < 0 ? ranks.length : at) * 2);
      }),
      { numRuns: 2000 },
    );
  });
});
