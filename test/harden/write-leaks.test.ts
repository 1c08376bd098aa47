/**
 * Existence leaks on the write routes (issue 19): for every caller who may not see a record, every
 * write route (and the reads beside them) answers a hidden record exactly as a missing one (status,
 * headers and body, the echoed identifier, request id and Content-Length aside), a record named in a
 * body (the release of a new artifact, the product or package of a new release, the package a release
 * moves to) included, and nothing in the store changes. Then the PyPI page cache under interleaved
 * admin writes and reads by every kind of caller: no caller is ever answered another's page or
 * ETag, every read after a write reflects it, and no 304 confirms a page a write has changed (nor an
 * If-Modified-Since alone after a removal: only the ETag validates a page), while a write a caller
 * who sees no drafts cannot see (a draft, an upload into it, a WAITING file) leaves that caller's
 * page, ETag and 304 as they were.
 * Runs on the store RE_TEST_STORE names (memory by default, sqlite and postgres too).
 */
import fc from "fast-check";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { testStoreKind } from "../helpers/store.js";
import { CALLERS, IDS, makeWorld, NOW, type Caller, type World } from "../http/publish-world.js";

const RUNS = testStoreKind() === "memory" ? 400 : 150;
const CACHE_RUNS = testStoreKind() === "memory" ? 50 : 20;
/** Callers who may not see some record (admin, developer, read-only and support users see everything). */
const LIMITED: Caller[] = ["product", "productApp", "licenseKey", "licenseToken", "user", "anonymous"];

/** Every known identifier, by the kind of record it names. */
const KNOWN = {
  packages: [IDS.pkgPypi, IDS.pkgTauri, IDS.pkgClosed, IDS.pkgOpenPypi, "Acme_Tools", "acme-tools", "acme-app", "internal-tools", "acme-sdk"],
  releases: [
    ...Object.entries(IDS).filter(([k]) => k.startsWith("rel")).map(([, v]) => v),
    "1.0.0", "1.1.0", "1.2.0", "2.0.0", "3.0.0", "0.9.0", "0.1.0", "0.2.0", "latest", "stable-tag",
  ],
  artifacts: [
    ...Object.entries(IDS).filter(([k]) => k.startsWith("art")).map(([, v]) => v),
    "tool_linux_amd64", "internal_tools-1.0.0-py3-none-any.whl", "acme_tools-3.0.0-py3-none-any.whl", "acme_tools-2.0.0-py3-none-any.whl", "app.AppImage",
  ],
  products: [IDS.productOpen, IDS.productLicensed, IDS.productClosed, "app", "cli", "internal"],
};
const KNOWN_SET = new Set(Object.values(KNOWN).flat().map((s) => s.toLowerCase()));

type Kind = keyof typeof KNOWN;

/** What a caller can observe of an answer: request id, Content-Length and the echoed identifier blanked. */
async function observe(res: Response, echoed: string) {
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== "content-length"));
  const body = (await res.text()).replace(/"meta":\{"id":"[^"]+"\}/, '"meta":{"id":"…"}').split(echoed).join("§");
  return { status: res.status, headers, body };
}

/** Everything an admin can see, and every revision a cache keys on. */
async function snapshot(w: World) {
  const list = async (path: string) => {
    const res = await w.call("GET", `${path}?limit=100`, "admin");
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: unknown }).data;
  };
  const revisions = [await w.store.getAccountRevision(IDS.account)];
  for (const id of [IDS.pkgPypi, IDS.pkgTauri, IDS.pkgClosed, IDS.pkgOpenPypi]) revisions.push(await w.store.getPackageRevision(IDS.account, id));
  return { packages: await list("/packages"), releases: await list("/releases"), artifacts: await list("/artifacts"), revisions, events: w.events.length, removed: [...w.blobs.removed], uploads: [...w.blobs.uploads] };
}

/** The GET path that tells whether `id` of `kind` is visible (products have none: see {@link hiddenProducts}). */
const readPath: Record<Exclude<Kind, "products">, (id: string) => string> = {
  packages: (id) => `/packages/${id}`,
  releases: (id) => `/releases/${id}`,
  artifacts: (id) => `/artifacts/${id}`,
};

/**
 * Products a caller cannot write and, for product tokens, cannot see: every product but its own for
 * a product token; every product for the rest (none of which writes).
 */
function hiddenProducts(caller: Caller): string[] {
  if (caller === "product") return [IDS.productOpen, IDS.productClosed, "app", "internal"];
  if (caller === "productApp") return [IDS.productLicensed, IDS.productClosed, "cli", "internal"];
  return KNOWN.products;
}

/** A write (or read) on a route, with `x` the identifier under test. */
interface Op {
  name: string;
  kind: Kind;
  method: string;
  path: (x: string) => string;
  body?: (x: string) => unknown;
}

const PKG_DOC = { data: { type: "packages", attributes: { name: "changed" } } };
const REL_DOC = { data: { type: "releases", attributes: { name: "changed" } } };
const CONSTRAINTS = { data: [{ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id: "EXTRA" } } } }] };
const newRelease = (product: string, pkg?: string) => ({
  data: {
    type: "releases",
    attributes: { version: "7.7.7", channel: "stable" },
    relationships: { product: { data: { type: "products", id: product } }, ...(pkg === undefined ? {} : { package: { data: { type: "packages", id: pkg } } }) },
  },
});
const newArtifact = (release: string) => ({ data: { type: "artifacts", attributes: { filename: "leak.zip" }, relationships: { release: { data: { type: "releases", id: release } } } } });

/** The caller's own product (where it writes), for writes that name a hidden record in the body. */
const ownProduct = (caller: Caller) => (caller === "productApp" ? IDS.productOpen : IDS.productLicensed);
/** A release of the caller's own product, to move to a hidden package. */
const ownRelease = (caller: Caller) => (caller === "productApp" ? IDS.relTauri110 : IDS.relPypi100);

const OPS: Array<Op | ((caller: Caller) => Op)> = [
  { name: "GET package", kind: "packages", method: "GET", path: (x) => `/packages/${x}` },
  { name: "PATCH package", kind: "packages", method: "PATCH", path: (x) => `/packages/${x}`, body: () => PKG_DOC },
  { name: "PATCH package, bad body", kind: "packages", method: "PATCH", path: (x) => `/packages/${x}`, body: () => ({ data: { type: "nope" } }) },
  { name: "DELETE package", kind: "packages", method: "DELETE", path: (x) => `/packages/${x}` },
  { name: "GET release", kind: "releases", method: "GET", path: (x) => `/releases/${x}` },
  { name: "PATCH release", kind: "releases", method: "PATCH", path: (x) => `/releases/${x}`, body: () => REL_DOC },
  { name: "PATCH release, bad body", kind: "releases", method: "PATCH", path: (x) => `/releases/${x}`, body: () => "{not json" },
  { name: "DELETE release", kind: "releases", method: "DELETE", path: (x) => `/releases/${x}` },
  { name: "publish release", kind: "releases", method: "POST", path: (x) => `/releases/${x}/actions/publish` },
  { name: "yank release", kind: "releases", method: "POST", path: (x) => `/releases/${x}/actions/yank`, body: () => ({ meta: { reason: "r" } }) },
  { name: "attach constraints", kind: "releases", method: "POST", path: (x) => `/releases/${x}/constraints`, body: () => CONSTRAINTS },
  { name: "detach constraints", kind: "releases", method: "DELETE", path: (x) => `/releases/${x}/constraints`, body: () => CONSTRAINTS },
  { name: "move release to no package", kind: "releases", method: "PUT", path: (x) => `/releases/${x}/package`, body: () => ({ data: null }) },
  { name: "move release to a package", kind: "releases", method: "PUT", path: (x) => `/releases/${x}/package`, body: () => ({ data: { type: "packages", id: IDS.pkgPypi } }) },
  { name: "release narrowed by a package", kind: "packages", method: "PATCH", path: (x) => `/releases/1.0.0?package=${x}`, body: () => REL_DOC },
  { name: "GET artifact", kind: "artifacts", method: "GET", path: (x) => `/artifacts/${x}` },
  { name: "PATCH artifact", kind: "artifacts", method: "PATCH", path: (x) => `/artifacts/${x}`, body: () => ({ data: { type: "artifacts", attributes: { signature: "s" } } }) },
  { name: "DELETE artifact", kind: "artifacts", method: "DELETE", path: (x) => `/artifacts/${x}` },
  { name: "confirm artifact", kind: "artifacts", method: "POST", path: (x) => `/artifacts/${x}/actions/confirm` },
  { name: "POST artifact for a release", kind: "releases", method: "POST", path: () => "/artifacts", body: newArtifact },
  { name: "POST release of a product", kind: "products", method: "POST", path: () => "/releases", body: (x) => newRelease(x) },
  (caller) => ({ name: "POST release with a package", kind: "packages", method: "POST", path: () => "/releases", body: (x) => newRelease(ownProduct(caller), x) }),
  (caller) => ({ name: "move own release to a package", kind: "packages", method: "PUT", path: () => `/releases/${ownRelease(caller)}/package`, body: (x) => ({ data: { type: "packages", id: x } }) }),
];

let world: World;
/** Per caller and kind, the identifiers the caller cannot see (its GET is 404 where an admin's succeeds or redirects). */
const hidden = new Map<Caller, Record<Kind, string[]>>();

beforeAll(async () => {
  world = await makeWorld();
  for (const caller of LIMITED) {
    const sets = { packages: [], releases: [], artifacts: [], products: hiddenProducts(caller) } as Record<Kind, string[]>;
    for (const kind of ["packages", "releases", "artifacts"] as const) {
      for (const id of KNOWN[kind]) {
        const admin = await world.call("GET", readPath[kind](id), "admin");
        const mine = await world.call("GET", readPath[kind](id), caller);
        if (admin.status < 400 && mine.status === 404) sets[kind].push(id);
      }
    }
    hidden.set(caller, sets);
  }
});

/** An identifier no record has, shaped like `like` (a UUID, a version, or a key). */
function ghostLike(like: string): fc.Arbitrary<string> {
  const ghost = /^[0-9a-f]{8}-/.test(like)
    ? fc.uuid({ version: 4 })
    : /^\d+\.\d+\.\d+$/.test(like)
      ? fc.tuple(fc.integer({ min: 10, max: 999 }), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`)
      : fc.stringMatching(/^[a-z][a-z0-9_-]{2,15}$/).map((s) => `ghost-${s}`);
  return ghost.filter((g) => !KNOWN_SET.has(g.toLowerCase()));
}

describe("no existence leaks on the write routes (issue 19)", () => {
  it("every limited caller has hidden records of every kind to probe", () => {
    for (const caller of LIMITED) {
      const sets = hidden.get(caller) as Record<Kind, string[]>;
      expect(sets.products.length, caller).toBeGreaterThan(0);
      // Every one of them fails to see the CLOSED product's package, release and artifact.
      expect(sets.packages, caller).toContain(IDS.pkgClosed);
      expect(sets.releases, caller).toContain(IDS.relClosed);
      expect(sets.artifacts, caller).toContain(IDS.artClosed);
    }
    expect(hidden.get("product")?.releases).toContain(IDS.relTauri120);
    expect(hidden.get("productApp")?.releases).toContain(IDS.relPypi100);
    expect(hidden.get("licenseKey")?.releases).toContain(IDS.relPypiDraft);
    expect(hidden.get("licenseToken")?.releases).toContain(IDS.relPypi200);
  });

  it("a hidden record and a missing one get byte-identical answers on every write route, and nothing changes", async () => {
    const before = await snapshot(world);
    const cases = fc
      .tuple(fc.constantFrom(...LIMITED), fc.constantFrom(...OPS))
      .map(([caller, op]) => ({ caller, op: typeof op === "function" ? op(caller) : op }))
      .chain(({ caller, op }) =>
        fc.constantFrom(...(hidden.get(caller) as Record<Kind, string[]>)[op.kind]).chain((x) => ghostLike(x).map((ghost) => ({ caller, op, x, ghost }))),
      );
    await fc.assert(
      fc.asyncProperty(cases, async ({ caller, op, x, ghost }) => {
        const ask = (id: string) => world.call(op.method, op.path(id), caller, op.body?.(id));
        const a = await observe(await ask(x), x);
        const b = await observe(await ask(ghost), ghost);
        // Refused (401, 403, 404, 400, 422), never done and never a crash.
        expect(a.status, `${op.name} as ${caller}: ${x}`).toBeGreaterThanOrEqual(400);
        expect(a.status, `${op.name} as ${caller}: ${x}`).toBeLessThan(500);
        expect(b, `${op.name} as ${caller}: ${x} vs ${ghost}`).toEqual(a);
        expect(await snapshot(world), `${op.name} as ${caller} on ${x} changed the store`).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("the refusal a hidden record gets is the 404 (or 401, 403, 422) a missing one gets, never a success", async () => {
    // Spot checks that the property above compares refusals, not two equal successes.
    const r = await world.call("PATCH", `/releases/${IDS.relTauri120}`, "product", REL_DOC);
    expect(r.status).toBe(404);
    const a = await world.call("POST", "/artifacts", "product", newArtifact(IDS.relTauri120));
    expect(a.status).toBe(403);
    const p = await world.call("POST", "/releases", "product", newRelease(IDS.productLicensed, IDS.pkgTauri));
    expect(p.status).toBe(422);
    const m = await world.call("PUT", `/releases/${IDS.relPypi100}/package`, "product", { data: { type: "packages", id: IDS.pkgClosed } });
    expect(m.status).toBe(422);
  });
});

/** The PyPI pages under test. */
const PAGES = ["/engines/pypi/simple/acme-tools/", "/engines/pypi/simple/acme-sdk/", "/engines/pypi/simple/"];
const ACCEPTS = ["text/html", "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.v1+html, text/html;q=0.1"];
const PYPI_RELEASES = [IDS.relPypi100, IDS.relPypi110, IDS.relPypi200b1, IDS.relPypi200, IDS.relPypiDraft, IDS.relPypiYanked, IDS.relOpen, IDS.relOpenDraftLatest];
const PYPI_ARTIFACTS = [IDS.artWhl100, IDS.artWhl110, IDS.artWhl110Meta, IDS.artWhl200, IDS.artWhl200Sdist, IDS.artWhlDraft, IDS.artWhlYanked, IDS.artOpen];

/** An admin write that may change a PyPI page. */
type Write =
  | { t: "publish" | "yank" | "delete-release"; release: string }
  | { t: "attach" | "detach"; release: string; entitlement: "PRO" | "EXTRA" }
  | { t: "delete-artifact"; artifact: string }
  | { t: "rename"; pkg: string; name: string }
  // Writes no caller without sight of drafts can see: a draft made, uploaded into and edited; a WAITING artifact.
  | { t: "draft"; pkg: string }
  | { t: "waiting"; release: string };
/** A read of a page by a caller, plain or conditional on what some caller saw earlier. */
type Read = { t: "read"; caller: Caller; page: string; accept: string; gzip: boolean; cond: "none" | "own-etag" | "any-etag" | "own-date"; pick: number };

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ t: fc.constantFrom("publish", "yank", "delete-release"), release: fc.constantFrom(...PYPI_RELEASES) }) as fc.Arbitrary<Write>,
  fc.record({ t: fc.constantFrom("attach", "detach"), release: fc.constantFrom(...PYPI_RELEASES), entitlement: fc.constantFrom("PRO", "EXTRA") }) as fc.Arbitrary<Write>,
  fc.record({ t: fc.constant("delete-artifact"), artifact: fc.constantFrom(...PYPI_ARTIFACTS) }) as fc.Arbitrary<Write>,
  fc.record({ t: fc.constant("rename"), pkg: fc.constantFrom(IDS.pkgPypi, IDS.pkgOpenPypi), name: fc.constantFrom("Acme Tools", "Renamed", "Other name") }) as fc.Arbitrary<Write>,
  // Twice as often as the others, so that many reads follow invisible writes only.
  { weight: 2, arbitrary: fc.record({ t: fc.constant("draft"), pkg: fc.constantFrom(IDS.pkgPypi, IDS.pkgOpenPypi) }) as fc.Arbitrary<Write> },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("waiting"), release: fc.constantFrom(...PYPI_RELEASES) }) as fc.Arbitrary<Write> },
);
/** Writes a caller who sees no drafts cannot see: its page and ETag stay as they were. */
const INVISIBLE: ReadonlySet<Write["t"]> = new Set(["draft", "waiting"]);
/** Callers who see no drafts of either PyPI package's product. */
const NO_DRAFTS: ReadonlySet<Caller> = new Set(["licenseKey", "licenseToken", "user", "anonymous"]);
let made = 0;
const READERS: Caller[] = ["admin", "developer", "readOnly", "product", "productApp", "licenseKey", "licenseToken", "user", "anonymous"];
const readArb: fc.Arbitrary<Read> = fc.record({
  t: fc.constant("read" as const),
  caller: fc.constantFrom(...READERS),
  page: fc.constantFrom(...PAGES),
  accept: fc.constantFrom(...ACCEPTS),
  gzip: fc.boolean(),
  cond: fc.oneof({ weight: 2, arbitrary: fc.constant("none" as const) }, { weight: 4, arbitrary: fc.constant("own-etag" as const) }, { weight: 2, arbitrary: fc.constant("any-etag" as const) }, { weight: 2, arbitrary: fc.constant("own-date" as const) }),
  pick: fc.nat(1000),
});

async function applyWrite(w: World, op: Write): Promise<void> {
  if (op.t === "draft") {
    // A draft created, a file created WAITING, uploaded (what the upload route's receiver does) and the draft edited.
    const product = op.pkg === IDS.pkgPypi ? IDS.productLicensed : IDS.productOpen;
    const n = ++made;
    const rel = await w.call("POST", "/releases", "admin", { data: { type: "releases", attributes: { version: `9.${n}.0`, channel: "stable" }, relationships: { product: { data: { type: "products", id: product } }, package: { data: { type: "packages", id: op.pkg } } } } });
    expect(rel.status, JSON.stringify(op)).toBe(201);
    const release = ((await rel.json()) as { data: { id: string; attributes: { status: string } } }).data;
    expect(release.attributes.status).toBe("DRAFT");
    const art = await w.call("POST", "/artifacts", "admin", { data: { type: "artifacts", attributes: { filename: `acme_tools-9.${n}.0-py3-none-any.whl` }, relationships: { release: { data: { type: "releases", id: release.id } } } } });
    expect(art.status, JSON.stringify(op)).toBe(307);
    const artifact = ((await art.json()) as { data: { id: string } }).data;
    expect(await w.store.completeArtifact(IDS.account, artifact.id, { filesize: 3, sha256: "d".repeat(64), blob: `${artifact.id}.bin` }, new Date(NOW))).toMatchObject({ status: "UPLOADED" });
    expect((await w.call("PATCH", `/releases/${release.id}`, "admin", { data: { type: "releases", attributes: { name: "draft" } } })).status).toBe(200);
    return;
  }
  if (op.t === "waiting") {
    const res = await w.call("POST", "/artifacts", "admin", { data: { type: "artifacts", attributes: { filename: `acme_tools-8.${++made}.0-py3-none-any.whl` }, relationships: { release: { data: { type: "releases", id: op.release } } } } });
    // 307 to the upload URL; a release deleted earlier in the run is refused (422), never a 500.
    expect(res.status, JSON.stringify(op)).toBeLessThan(500);
    await res.arrayBuffer();
    return;
  }
  const constraint = (e: string) => ({ data: [{ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id: e } } } }] });
  const call = (): Promise<Response> => {
    switch (op.t) {
      case "publish": return w.call("POST", `/releases/${op.release}/actions/publish`, "admin");
      case "yank": return w.call("POST", `/releases/${op.release}/actions/yank`, "admin");
      case "delete-release": return w.call("DELETE", `/releases/${op.release}`, "admin");
      case "attach": return w.call("POST", `/releases/${op.release}/constraints`, "admin", constraint(op.entitlement));
      case "detach": return w.call("DELETE", `/releases/${op.release}/constraints`, "admin", constraint(op.entitlement));
      case "delete-artifact": return w.call("DELETE", `/artifacts/${op.artifact}`, "admin");
      case "rename": return w.call("PATCH", `/packages/${op.pkg}`, "admin", { data: { type: "packages", attributes: { name: op.name } } });
    }
  };
  const res = await call();
  // A write on a record already gone, or a constraint already (de)attached, is refused; never a 500.
  expect(res.status, JSON.stringify(op)).toBeLessThan(500);
  await res.arrayBuffer();
}

/** A response as its identity bytes and the headers a cache or client keys on. */
async function seen(res: Response) {
  const h = (k: string) => res.headers.get(k);
  const bytes = Buffer.from(await res.arrayBuffer());
  const body = (h("content-encoding") === "gzip" ? gunzipSync(bytes) : bytes).toString("base64");
  return { status: res.status, etag: h("etag"), lastModified: h("last-modified"), type: h("content-type"), vary: h("vary"), body };
}

/** Writes that can change a page without moving its Last-Modified: a removal, or a release leaving the caller's view. */
const BLIND: ReadonlySet<Write["t"]> = new Set(["delete-release", "delete-artifact", "attach", "detach"]);

describe("the PyPI page cache under interleaved writes and reads (issue 19)", () => {
  it("no caller is answered another's page or ETag, every read reflects the writes before it, and no 304 confirms a changed page", async () => {
    const counts = { reads: 0, notModified: 0, changedAfterWrite: 0, keptAfterInvisible: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 1, arbitrary: writeArb }, { weight: 3, arbitrary: readArb as fc.Arbitrary<Write | Read> }), { minLength: 10, maxLength: 40 }), async (steps) => {
        let clock = NOW.getTime();
        const now = () => new Date(clock);
        const w = await makeWorld({ now });
        /** Every 200 seen: by format and ETag, the page it named (an ETag never names two pages, whoever asked). */
        const byEtag = new Map<string, string>();
        /** Every 200 seen, with the number of writes (and of Last-Modified-blind writes) before it. */
        const history: Array<{ caller: Caller; page: string; accept: string; gzip: boolean; etag: string; lastModified: string | null; body: string; writes: number; blind: number; visible: number }> = [];
        let writes = 0;
        let blind = 0;
        /** Writes a caller without sight of drafts may see. */
        let visible = 0;
        for (const [index, step] of steps.entries()) {
          if (step.t !== "read") {
            clock += 1000;
            await applyWrite(w, step);
            writes++;
            if (BLIND.has(step.t)) blind++;
            if (!INVISIBLE.has(step.t)) visible++;
            // The newest page a caller without sight of drafts holds that no visible write has changed: still current, still 304.
            const held = history.filter((h) => NO_DRAFTS.has(h.caller) && h.visible === visible).at(-1);
            if (INVISIBLE.has(step.t) && held !== undefined) {
              counts.keptAfterInvisible++;
              const plain: Record<string, string> = { accept: held.accept, "accept-encoding": held.gzip ? "gzip" : "identity" };
              const again = await w.call("GET", held.page, held.caller, undefined, { ...plain, "if-none-match": held.etag });
              expect({ status: again.status, etag: again.headers.get("etag") }, `after ${JSON.stringify(step)}: ${JSON.stringify(held.caller)} ${held.page}`).toEqual({ status: 304, etag: held.etag });
              const auth = CALLERS[held.caller];
              if (auth !== null) plain.authorization = auth;
              const fresh = createFetchHandler({ store: w.store, blobs: w.blobs, now });
              const truth = await seen(await fresh(new Request(`http://localhost:8080/v1/accounts/acme${held.page}`, { headers: plain, redirect: "manual" })));
              expect({ etag: truth.etag, body: truth.body }, `after ${JSON.stringify(step)}: what ${held.caller} is shown`).toEqual({ etag: held.etag, body: held.body });
            }
            continue;
          }
          // A client revalidates what it holds: same caller, page and negotiation; "any-etag" tries another's.
          const own = history.filter((h) => h.caller === step.caller && h.page === step.page);
          const pool = step.cond === "any-etag" ? history : own;
          const prior = step.cond === "none" || pool.length === 0 ? undefined : pool[step.pick % pool.length];
          const accept = prior !== undefined && step.cond !== "any-etag" ? prior.accept : step.accept;
          const gzip = prior !== undefined && step.cond !== "any-etag" ? prior.gzip : step.gzip;
          const plain: Record<string, string> = { accept, "accept-encoding": gzip ? "gzip" : "identity" };
          const headers = { ...plain };
          if (prior !== undefined && step.cond !== "own-date") headers["if-none-match"] = prior.etag;
          if (prior !== undefined && step.cond === "own-date" && prior.lastModified !== null) headers["if-modified-since"] = prior.lastModified;
          const got = await seen(await w.call("GET", step.page, step.caller, undefined, headers));
          // The same caller's last page in this negotiation: only writes it could see may have changed it.
          const last = own.filter((h) => h.accept === accept && h.gzip === gzip).at(-1);
          // What a handler that never cached anything answers now, without conditions.
          const fresh = createFetchHandler({ store: w.store, blobs: w.blobs, now });
          const auth = CALLERS[step.caller];
          if (auth !== null) plain.authorization = auth;
          const truth = await seen(await fresh(new Request(`http://localhost:8080/v1/accounts/acme${step.page}`, { headers: plain, redirect: "manual" })));
          const where = `step ${index}: ${JSON.stringify(step)}`;
          counts.reads++;
          if (NO_DRAFTS.has(step.caller) && last !== undefined && last.visible === visible && truth.status === 200) {
            // Drafts and WAITING files since: the page, its ETag and a revalidation of it are as they were.
            expect(truth.etag, `an invisible write moved the ETag: ${where}`).toBe(last.etag);
            expect(truth.body, `an invisible write changed the page: ${where}`).toBe(last.body);
            if (headers["if-none-match"] === last.etag) expect(got.status, where).toBe(304);
          }
          if (got.status === 304) {
            counts.notModified++;
            expect(truth.status, where).toBe(200);
            expect(got.etag, `a 304 carries the current ETag: ${where}`).toBe(truth.etag);
            expect(prior, where).toBeDefined();
            // The page the client holds is the page it would get now.
            expect(prior?.body, `a 304 confirmed a page a write changed: ${where}`).toBe(truth.body);
            continue;
          }
          expect(got, where).toEqual(truth);
          if (got.status !== 200 || got.etag === null) continue;
          if (prior !== undefined && prior.writes < writes && prior.body !== got.body) counts.changedAfterWrite++;
          const identity = `${got.type}|${got.etag}`;
          const before = byEtag.get(identity);
          if (before !== undefined) expect(got.body, `one ETag named two pages: ${where}`).toBe(before);
          byEtag.set(identity, got.body);
          history.push({ caller: step.caller, page: step.page, accept, gzip, etag: got.etag, lastModified: got.lastModified, body: got.body, writes, blind, visible });
        }
      }),
      { numRuns: CACHE_RUNS },
    );
    // The runs exercised revalidation and pages that writes changed.
    expect(counts.notModified).toBeGreaterThan(CACHE_RUNS / 10);
    expect(counts.changedAfterWrite).toBeGreaterThan(CACHE_RUNS / 10);
    expect(counts.keptAfterInvisible).toBeGreaterThan(CACHE_RUNS / 10);
    // Each run builds a world and makes up to 40 requests and writes, on SQL stores too: minutes on a loaded machine.
  }, 180_000);

  /** A world on a settable clock, and a reader of acme-tools' PyPI page (HTML) as a caller, conditional on an ETag. */
  async function pageWorld() {
    let clock = NOW.getTime();
    const w = await makeWorld({ now: () => new Date(clock) });
    const read = async (caller: Caller, etag?: string) => {
      const res = await w.call("GET", "/engines/pypi/simple/acme-tools/", caller, undefined, { accept: "text/html", ...(etag === undefined ? {} : { "if-none-match": etag }) });
      return { status: res.status, etag: res.headers.get("etag") as string, body: await res.text() };
    };
    return { w, read, now: () => new Date(clock), tick: () => { clock += 1000; } };
  }

  it("a publish and a yank change the page and its ETag for the license that sees them; the old ETag is then answered 200", async () => {
    const { w, read, tick } = await pageWorld();
    const before = await read("licenseKey");
    const other = await read("licenseToken");
    expect(before.body).not.toContain("3.0.0");
    expect((await read("licenseKey", before.etag)).status).toBe(304);
    tick();
    expect((await w.call("POST", `/releases/${IDS.relPypiDraft}/actions/publish`, "admin")).status).toBe(200);
    const published = await read("licenseKey", before.etag);
    expect(published.status).toBe(200);
    expect(published.etag).not.toBe(before.etag);
    expect(published.body).toContain("acme_tools-3.0.0-py3-none-any.whl");
    tick();
    expect((await w.call("POST", `/releases/${IDS.relPypi110}/actions/yank`, "admin")).status).toBe(200);
    const yanked = await read("licenseKey", published.etag);
    expect(yanked.status).toBe(200);
    expect(yanked.etag).not.toBe(published.etag);
    expect(yanked.body).toMatch(/acme_tools-1\.1\.0-py3-none-any\.whl[^>]*data-yanked|data-yanked[^>]*>acme_tools-1\.1\.0-py3-none-any\.whl/);
    // The other license's page moved too, and never took the first license's ETag.
    const otherAfter = await read("licenseToken", other.etag);
    expect(otherAfter.status).toBe(200);
    expect(new Set([before.etag, published.etag, yanked.etag]).has(otherAfter.etag)).toBe(false);
  });

  it("a draft, its upload and a WAITING file leave a license's page and ETag as they were; the admin's page shows them at once; the publish moves the license's on the very next request", async () => {
    const { w, read, now, tick } = await pageWorld();
    const license = await read("licenseKey");
    const admin = await read("admin");
    tick();
    const rel = await w.call("POST", "/releases", "admin", { data: { type: "releases", attributes: { version: "4.0.0", channel: "stable" }, relationships: { product: { data: { type: "products", id: IDS.productLicensed } }, package: { data: { type: "packages", id: IDS.pkgPypi } } } } });
    expect(rel.status).toBe(201);
    const releaseId = ((await rel.json()) as { data: { id: string } }).data.id;
    const art = await w.call("POST", "/artifacts", "admin", { data: { type: "artifacts", attributes: { filename: "acme_tools-4.0.0-py3-none-any.whl" }, relationships: { release: { data: { type: "releases", id: releaseId } } } } });
    expect(art.status).toBe(307);
    const artifactId = ((await art.json()) as { data: { id: string } }).data.id;
    expect((await w.call("POST", "/artifacts", "admin", { data: { type: "artifacts", attributes: { filename: "acme_tools-4.0.0.tar.gz" }, relationships: { release: { data: { type: "releases", id: IDS.relPypi100 } } } } })).status).toBe(307);
    await w.store.completeArtifact(IDS.account, artifactId, { filesize: 3, sha256: "e".repeat(64), blob: `${artifactId}.bin` }, now());
    // The license holder's page: the same ETag, revalidated as 304, the same bytes.
    expect(await read("licenseKey", license.etag)).toMatchObject({ status: 304, etag: license.etag });
    expect(await read("licenseKey")).toEqual(license);
    // The admin sees the draft and both files on the next request.
    const adminAfter = await read("admin", admin.etag);
    expect(adminAfter.status).toBe(200);
    expect(adminAfter.etag).not.toBe(admin.etag);
    expect(adminAfter.body).toContain("acme_tools-4.0.0-py3-none-any.whl");
    tick();
    expect((await w.call("POST", `/releases/${releaseId}/actions/publish`, "admin")).status).toBe(200);
    const published = await read("licenseKey", license.etag);
    expect(published.status).toBe(200);
    expect(published.etag).not.toBe(license.etag);
    expect(published.body).toContain("acme_tools-4.0.0-py3-none-any.whl");
    expect(published.body).not.toContain("acme_tools-4.0.0.tar.gz");
  });

  // Known gap (Keygen behaves the same: Rails `fresh_when` with `last_modified` = newest artifact):
  // Last-Modified is the newest date among what the page lists, so removing an artifact or a
  // release, or a constraint that takes a release out of a caller's view, does not move it, and a
  // client that revalidates with If-Modified-Since alone is told its stale page is current. pip
  // sends If-None-Match as well whenever it holds an ETag, and that wins. Flip to `it` once fixed.
  it("an If-Modified-Since revalidation after a removal is answered with the new page, not 304", async () => {
    let clock = NOW.getTime();
    const w = await makeWorld({ now: () => new Date(clock) });
    const page = "/engines/pypi/simple/acme-tools/";
    const first = await w.call("GET", page, "licenseKey", undefined, { accept: "text/html" });
    const lastModified = first.headers.get("last-modified") as string;
    expect(await first.text()).toContain("acme_tools-1.0.0-py3-none-any.whl");
    clock += 5000;
    expect((await w.call("DELETE", `/artifacts/${IDS.artWhl100}`, "admin")).status).toBe(204);
    const again = await w.call("GET", page, "licenseKey", undefined, { accept: "text/html", "if-modified-since": lastModified });
    expect(again.status).toBe(200);
  });
});
