/**
 * Properties over random datasets (generated as dataset files and loaded through `loadDataset`, so every
 * record is valid) and random principals (authenticated from the dataset's real tokens and keys).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authenticate } from "../../src/auth/authenticate.js";
import { authorize } from "../../src/access/authorize.js";
import { grantOf, licensesOf, scopeOf, type Principal } from "../../src/access/principal.js";
import { isSdkError } from "../../src/core/errors.js";
import { loadDataset, type Dataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import {
  AUTHENTICATION_STRATEGIES, DISTRIBUTION_STRATEGIES, ENGINE_KEYS, EXPIRATION_STRATEGIES, type Release,
} from "../../src/model/records.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { withinWindow, withYanked } from "../../src/access/scope.js";
import type { Store } from "../../src/store/types.js";

const NOW = new Date("2026-02-01T00:00:00.000Z");
const CODES = ["A", "B", "C"] as const;
const dayOf = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

const arbCodes = fc.subarray([...CODES]);
const arbDay = fc.integer({ min: 0, max: 60 });

/** A random account: products, packages, releases, artifacts, policies, users, licenses and a token for every bearer. */
const arbWorld = fc.record({
  products: fc.array(fc.constantFrom(...DISTRIBUTION_STRATEGIES), { minLength: 1, maxLength: 3 }),
  engines: fc.array(fc.option(fc.constantFrom(...ENGINE_KEYS.slice(0, 3)), { nil: null }), { minLength: 3, maxLength: 3 }),
  releases: fc.array(fc.record({
    product: fc.nat(), packaged: fc.boolean(), status: fc.constantFrom("DRAFT", "PUBLISHED", "PUBLISHED", "YANKED"),
    entitlements: arbCodes, created: arbDay, backdated: fc.option(arbDay, { nil: null }),
    artifacts: fc.array(fc.constantFrom("UPLOADED", "UPLOADED", "WAITING", "PROCESSING", "FAILED", "YANKED"), { maxLength: 2 }),
  }), { maxLength: 7 }),
  policies: fc.array(fc.record({
    product: fc.nat(), expiration: fc.constantFrom(...EXPIRATION_STRATEGIES), authentication: fc.constantFrom(...AUTHENTICATION_STRATEGIES),
    entitlements: arbCodes,
  }), { minLength: 1, maxLength: 3 }),
  users: fc.array(fc.record({ admin: fc.boolean(), banned: fc.boolean() }), { maxLength: 3 }),
  licenses: fc.array(fc.record({
    policy: fc.nat(), expiry: fc.option(arbDay, { nil: null }), suspended: fc.boolean(), owner: fc.option(fc.nat(), { nil: null }),
    users: fc.array(fc.nat(), { maxLength: 2 }), entitlements: arbCodes,
  }), { maxLength: 4 }),
  tokenExpiry: fc.array(fc.option(arbDay, { nil: null }), { minLength: 12, maxLength: 12 }),
});
type WorldSpec = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;

interface Built {
  file: DatasetFile;
  /** Every raw credential of the dataset, as an Authorization header. */
  credentials: string[];
}

function build(spec: WorldSpec): Built {
  const np = spec.products.length;
  const nu = spec.users.length;
  const tokens: Array<{ bearer: { type: "user" | "product" | "license"; id: string }; token: string; expiry: string | null }> = [];
  const credentials: string[] = [];
  const addToken = (type: "user" | "product" | "license", id: string) => {
    const prefix = type === "license" ? "activ" : type === "product" ? "prod" : "user";
    const token = `${prefix}-${hex(tokens.length + 1, type === "license" ? 32 : 64)}v3`;
    const e = spec.tokenExpiry[tokens.length % spec.tokenExpiry.length] ?? null;
    tokens.push({ bearer: { type, id }, token, expiry: e === null ? null : dayOf(e) });
    credentials.push(`Bearer ${token}`);
  };
  spec.products.forEach((_s, i) => addToken("product", `p${i}`));
  spec.users.forEach((_u, i) => addToken("user", `u${i}@x.test`));
  spec.licenses.forEach((_l, i) => {
    addToken("license", `KEY-${i}-${hex(i * 7919 + 13, 8)}`);
    credentials.push(`License KEY-${i}-${hex(i * 7919 + 13, 8)}`);
  });
  const releases = spec.releases.map((r, i) => {
    const product = r.product % np;
    const pkg = r.packaged && spec.engines[product] !== undefined ? `pkg-${product}` : null;
    return {
      product: `p${product}`, package: pkg, version: `1.${i}.0`, status: r.status, entitlements: r.entitlements,
      created: dayOf(r.created), backdated: r.backdated === null ? null : dayOf(r.backdated),
      id: `00000000-0000-4000-8000-${hex(i + 1, 12)}`,
    };
  });
  const artifacts = spec.releases.flatMap((r, i) => r.artifacts.map((status, j) => ({
    release: `00000000-0000-4000-8000-${hex(i + 1, 12)}`, filename: `r${i}-a${j}.bin`, status, filesize: 1, checksum: "00".repeat(32),
  })));
  const file: DatasetFile = {
    accounts: [{
      slug: "prop", name: "Prop", secretKey: "property-secret-key-0123456789",
      products: spec.products.map((s, i) => ({ code: `p${i}`, name: `P${i}`, distributionStrategy: s, created: dayOf(i) })),
      packages: spec.products.map((_s, i) => ({ product: `p${i}`, key: `pkg-${i}`, name: `Pkg ${i}`, engine: spec.engines[i] ?? null, created: dayOf(i) })),
      entitlements: CODES.map((code) => ({ code })),
      releases,
      artifacts,
      policies: spec.policies.map((p, i) => ({
        product: `p${p.product % np}`, name: `pol-${i}`, expirationStrategy: p.expiration, authenticationStrategy: p.authentication, entitlements: p.entitlements,
      })),
      users: spec.users.map((u, i) => ({ email: `u${i}@x.test`, role: u.admin ? "admin" as const : "user" as const, banned: u.banned })),
      licenses: spec.licenses.map((l, i) => ({
        policy: `pol-${l.policy % spec.policies.length}`, key: `KEY-${i}-${hex(i * 7919 + 13, 8)}`,
        expiry: l.expiry === null ? null : dayOf(l.expiry), suspended: l.suspended,
        owner: l.owner === null || nu === 0 ? null : `u${l.owner % nu}@x.test`,
        users: nu === 0 ? [] : l.users.map((u) => `u${u % nu}@x.test`), entitlements: l.entitlements,
      })),
      tokens,
    }],
  };
  return { file, credentials };
}

interface Loaded {
  dataset: Dataset;
  store: Store;
  credentials: string[];
}

async function load(spec: WorldSpec): Promise<Loaded> {
  const { file, credentials } = build(spec);
  const dataset = await loadDataset(file);
  return { dataset, store: createMemoryStore(dataset), credentials };
}

/** The principal a header authenticates as, or null when authentication refuses it. */
async function principalOf(w: Loaded, header: string | undefined): Promise<Principal | null> {
  try {
    return await authenticate({ store: w.store, now: NOW }, w.dataset.accounts[0]!, { authorization: header ?? null, query: new URLSearchParams() });
  } catch (error) {
    if (isSdkError(error) && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

const arbCase = fc.tuple(arbWorld, fc.nat());

async function pickPrincipal(spec: WorldSpec, pick: number): Promise<{ w: Loaded; principal: Principal } | null> {
  const w = await load(spec);
  const options = [undefined, ...w.credentials];
  const principal = await principalOf(w, options[pick % options.length]);
  return principal === null ? null : { w, principal };
}

function recordsOf(w: Loaded) {
  const productOf = (id: string) => w.dataset.products.find((p) => p.id === id)!;
  return { productOf, account: w.dataset.accounts[0]!.id };
}

describe("properties", () => {
  it("a resource is listed by the memory store's list queries iff authorize allows showing it, and show finds what lists show", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async ([spec, pick]) => {
        const picked = await pickPrincipal(spec, pick);
        if (picked === null) return;
        const { w, principal } = picked;
        const { productOf, account } = recordsOf(w);
        const scope = scopeOf(principal, NOW);
        const lookup = scopeOf(principal, NOW, true);
        // Packages and engines.
        for (const engine of ENGINE_KEYS) {
          const listed = (await w.store.listPackages(account, engine, scope)).map((p) => p.id).sort();
          const allowed = w.dataset.packages.filter((p) => p.engine === engine &&
            authorize(principal, "read", { type: "package", package: p, product: productOf(p.productId) }, NOW).allowed).map((p) => p.id).sort();
          expect(listed).toEqual(allowed);
        }
        const engines = (await w.store.listEngines(account, scope, { order: "asc", limit: 100 })).map((e) => e.key).sort();
        const expectedEngines = [...new Set(w.dataset.packages.filter((p) => p.engine !== null &&
          authorize(principal, "read", { type: "package", package: p, product: productOf(p.productId) }, NOW).allowed).map((p) => p.engine as string))].sort();
        expect(engines).toEqual(expectedEngines);
        // Releases and artifacts: `read` matches the list scope, `download` the scope with YANKED
        // releases as PUBLISHED (SPEC 19), for every query that takes a scope.
        const asPublished = withYanked(scope);
        const byPackage = new Map<string, string[]>();
        const byPackageAsPublished = new Map<string, string[]>();
        for (const pkg of w.dataset.packages) {
          byPackage.set(pkg.id, (await w.store.listPackageArtifacts(account, pkg.id, scope)).map((x) => x.artifact.id).sort());
          byPackageAsPublished.set(pkg.id, (await w.store.listPackageArtifacts(account, pkg.id, asPublished)).map((x) => x.artifact.id).sort());
        }
        for (const release of w.dataset.releases) {
          const product = productOf(release.productId);
          const releaseAllowed = authorize(principal, "read", { type: "release", release, product }, NOW).allowed;
          const found = await w.store.getReleaseByVersion(account, release.productId, release.packageId, release.version, scope);
          expect(found?.id ?? null).toBe(releaseAllowed ? release.id : null);
          if (releaseAllowed) expect((await w.store.findRelease(account, release.id, lookup))?.id).toBe(release.id);
          const downloadAllowed = authorize(principal, "download", { type: "release", release, product }, NOW).allowed;
          const foundAsPublished = await w.store.getReleaseByVersion(account, release.productId, release.packageId, release.version, asPublished);
          expect(foundAsPublished?.id ?? null).toBe(downloadAllowed ? release.id : null);
          if (release.status !== "YANKED") expect(downloadAllowed).toBe(releaseAllowed);
          const artifacts = w.dataset.artifacts.filter((a) => a.releaseId === release.id);
          for (const [action, s, packageLists] of [["read", scope, byPackage], ["download", asPublished, byPackageAsPublished]] as const) {
            const listed = (await w.store.listReleaseArtifacts(account, release.id, s)).map((a) => a.id).sort();
            const allowed = artifacts.filter((artifact) => authorize(principal, action, { type: "artifact", artifact, release, product }, NOW).allowed);
            expect(listed).toEqual(allowed.map((a) => a.id).sort());
            for (const artifact of artifacts) {
              const ok = allowed.includes(artifact);
              expect((await w.store.findArtifact(account, artifact.id, s))?.artifact.id ?? null).toBe(ok ? artifact.id : null);
              if (ok) expect((await w.store.findArtifact(account, artifact.id, action === "read" ? lookup : withYanked(lookup)))?.artifact.id).toBe(artifact.id);
              if (release.packageId !== null) expect(packageLists.get(release.packageId)?.includes(artifact.id)).toBe(ok);
              checked++;
            }
          }
          checked++;
        }
      }),
      { numRuns: 500 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it("anonymous callers never see anything of a LICENSED or CLOSED product", async () => {
    await fc.assert(
      fc.asyncProperty(arbWorld, async (spec) => {
        const w = await load(spec);
        const { productOf, account } = recordsOf(w);
        const hidden = (productId: string) => productOf(productId).distributionStrategy !== "OPEN";
        const scope = scopeOf((await principalOf(w, undefined))!, NOW);
        for (const s of [scope, scopeOf((await principalOf(w, undefined))!, NOW, true)]) {
          for (const engine of ENGINE_KEYS) for (const p of await w.store.listPackages(account, engine, s)) expect(hidden(p.productId)).toBe(false);
          for (const pkg of w.dataset.packages) for (const x of await w.store.listPackageArtifacts(account, pkg.id, s)) expect(hidden(x.release.productId)).toBe(false);
          for (const a of w.dataset.artifacts) {
            const found = await w.store.findArtifact(account, a.id, s);
            if (found) expect(hidden(found.release.productId)).toBe(false);
          }
          for (const r of w.dataset.releases) {
            const found = await w.store.findRelease(account, r.id, s);
            if (found) expect(hidden(found.productId) || found.entitlements.length > 0 || found.status !== "PUBLISHED").toBe(false);
          }
        }
        const engines = await w.store.listEngines(account, scope, { order: "asc", limit: 100 });
        for (const e of engines) {
          expect(w.dataset.packages.some((p) => p.engine === e.key && productOf(p.productId).distributionStrategy === "OPEN")).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a license never sees a release outside its expiry window or missing an entitlement (public OPEN releases aside)", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ([spec, pick]) => {
        const picked = await pickPrincipal(spec, pick);
        if (picked === null || (picked.principal.kind !== "license" && picked.principal.kind !== "user")) return;
        const { w, principal } = picked;
        const { productOf, account } = recordsOf(w);
        const scope = scopeOf(principal, NOW);
        const isPublic = (r: Release) => productOf(r.productId).distributionStrategy === "OPEN" && r.entitlements.length === 0;
        // Some usable license must admit every release the caller sees.
        const admits = (r: Release) => licensesOf(principal).some((lc) => {
          const grant = grantOf(lc, NOW);
          return grant !== null && lc.license.productId === r.productId && productOf(r.productId).distributionStrategy !== "CLOSED" &&
            r.entitlements.every((c) => grant.entitlements.includes(c)) && withinWindow(r, grant.cutoff);
        });
        for (const release of w.dataset.releases) {
          const seen = (await w.store.getReleaseByVersion(account, release.productId, release.packageId, release.version, scope)) !== null;
          if (seen && !isPublic(release)) expect(admits(release)).toBe(true);
          if (seen) expect(release.status).toBe("PUBLISHED");
          for (const a of await w.store.listReleaseArtifacts(account, release.id, scope)) {
            expect(a.status).toBe("UPLOADED");
            if (!isPublic(release)) expect(admits(release)).toBe(true);
          }
        }
      }),
      { numRuns: 700 },
    );
  });

  it("random and mangled tokens and keys never authenticate (unless the mangling lands on another real credential)", async () => {
    const world = await load(fc.sample(arbWorld.filter((s) => s.licenses.length >= 2 && s.users.length >= 1), { numRuns: 1, seed: 7 })[0]!);
    const raw = world.credentials.map((h) => h.replace(/^(Bearer|License) /, ""));
    const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
    const arbChar = fc.constantFrom(...ALNUM.split(""));
    const arbMangled = fc.oneof(
      fc.string({ unit: arbChar, minLength: 1, maxLength: 80 }),
      fc.tuple(fc.constantFrom(...raw), fc.nat(), arbChar, fc.constantFrom("flip", "drop", "insert", "truncate", "upper", "append")).map(([s, i, c, op]) => {
        const at = i % s.length;
        switch (op) {
          case "flip": return s.slice(0, at) + (s[at] === c ? (c === "a" ? "b" : "a") : c) + s.slice(at + 1);
          case "drop": return s.slice(0, at) + s.slice(at + 1);
          case "insert": return s.slice(0, at) + c + s.slice(at);
          case "truncate": return s.slice(0, at);
          case "upper": return s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase();
          default: return s + c;
        }
      }),
    );
    const arbForm = fc.constantFrom(
      (v: string) => ({ header: `Bearer ${v}`, query: "" }),
      (v: string) => ({ header: `License ${v}`, query: "" }),
      (v: string) => ({ header: `Basic ${btoa(`license:${v}`)}`, query: "" }),
      (v: string) => ({ header: `Basic ${btoa(`${v}:`)}`, query: "" }),
      (v: string) => ({ header: null, query: `auth=${encodeURIComponent(v)}` }),
      (v: string) => ({ header: null, query: `token=license:${encodeURIComponent(v)}` }),
    );
    await fc.assert(
      fc.asyncProperty(arbMangled, arbForm, async (value, form) => {
        const { header, query } = form(value);
        let principal: Principal | null;
        try {
          principal = await authenticate({ store: world.store, now: NOW }, world.dataset.accounts[0]!, { authorization: header, query: new URLSearchParams(query) });
        } catch (error) {
          expect(isSdkError(error) && [401, 403].includes(error.status)).toBe(true);
          principal = null;
        }
        if (principal !== null && principal.kind !== "anonymous") expect(raw).toContain(value);
        if (value.trim() === "" || value === "license" || value === "token") return;
        if (!raw.includes(value)) expect(principal).toBeNull();
      }),
      { numRuns: 1500 },
    );
  });

  it("no Authorization header, however strange, makes the handler answer 500", async () => {
    const w = await load(fc.sample(arbWorld, { numRuns: 1, seed: 11 })[0]!);
    const handler = createFetchHandler({ store: w.store, now: () => NOW });
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
    const arbHeader = fc.oneof(
      printable,
      fc.tuple(fc.constantFrom("Bearer", "Token", "Basic", "License", "bearer", "BASIC", "Foo"), printable).map(([s, v]) => `${s} ${v}`),
      fc.tuple(fc.constantFrom("license:", "token:", ""), printable).map(([p, v]) => `Basic ${btoa(p + v)}`),
    );
    await fc.assert(
      fc.asyncProperty(arbHeader, printable, async (header, auth) => {
        const res = await handler(new Request(`http://localhost/v1/accounts/prop/engines?auth=${encodeURIComponent(auth)}`, { headers: { Authorization: header } }));
        expect([200, 400, 401, 403]).toContain(res.status);
        if (res.status === 401) expect(res.headers.get("WWW-Authenticate")).toMatch(/^[A-Z][a-z0-9!#$%&'*+.^_`|~-]* realm="keygen"$/);
      }),
      { numRuns: 600 },
    );
  });
});
