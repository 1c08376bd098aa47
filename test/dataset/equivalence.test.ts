/**
 * The fast loader (shape check instead of zod for well-formed files, indexed lookups, lazy paths)
 * against the loader as it was (test/dataset/legacy-load.ts): same records, or the same problems
 * in the same order, for fuzzed datasets full of collisions and malformed fields (a file failing the
 * schema gets the same schema problems first, then its reference problems, which the old loader left out).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DatasetError } from "../../src/core/errors.js";
import { loadDataset } from "../../src/dataset/load.js";
import { DatasetFileSchema } from "../../src/dataset/schema.js";
import { ARTIFACT_KEYS, hasDatasetFrame, hasDatasetShape, isArtifactShape, isReleaseShape, isZodUuid, RELEASE_KEYS } from "../../src/dataset/shape.js";
import { FORMAT_SCHEMAS } from "../../src/dataset/schema.js";
import { legacyLoadDataset } from "./legacy-load.js";

const UUIDS = ["0b1e1c3e-6b1e-4c55-9a34-3b0f5e0d2a11", "1b1e1c3e-6b1e-4c55-9a34-3b0f5e0d2a12", "2B1E1C3E-6B1E-4C55-9A34-3B0F5E0D2A13"];
const DATES = ["2024-01-02T03:04:05.000Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00.000Z", "2024-01-02T03:04:05.1+02:00", "2024-13-01T00:00:00.000Z", "yesterday"];

/** A value from a small pool (so records collide), now and then of the wrong type. */
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const odd = fc.constantFrom<unknown>(null, 7, -1, 1.5, "", true, [], {}, "x".repeat(300));

/**
 * Dataset files: `noisy` ones hold a wrong-typed value now and then (zod must report it); clean ones
 * only collide (duplicate codes, versions, file names, ids) and reference records that may not exist.
 * Now and then an unknown key is added somewhere.
 */
function datasetFiles(noisy: boolean, small = false) {
  const sometimesOdd = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> =>
    noisy ? (fc.oneof({ arbitrary: arb, weight: 12 }, { arbitrary: odd, weight: 1 }) as fc.Arbitrary<T>) : arb;
  /** Valid values, and in noisy files invalid ones too. */
  const some = <T>(valid: T[], invalid: T[]) => pick(...valid, ...(noisy ? invalid : []));
  const dates = some(DATES.slice(0, 4), DATES.slice(4));
  // Mostly absent (derived), so that files without a duplicate id are common.
  const id = fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 }, { arbitrary: sometimesOdd(some(UUIDS, ["not-a-uuid"])), weight: 1 });
  const date = maybe(sometimesOdd(dates));
  const meta = maybe(sometimesOdd(pick<unknown>({}, { a: 1 }, { b: [1, 2], c: { d: null } })));
  const codes = maybe(sometimesOdd(fc.array(some(["PRO", "ENT", "NONE"], [""]), { maxLength: 3 })));

  const product = fc.record({
    id, code: maybe(sometimesOdd(pick<string | null>("app", "APP", "py", null, UUIDS[0] as string))), name: sometimesOdd(pick("App", "Py")),
    distributionStrategy: maybe(sometimesOdd(some(["OPEN", "LICENSED", "CLOSED"], ["open"]))), created: date,
  }, { requiredKeys: ["name"] });
  const pkg = fc.record({
    id, product: sometimesOdd(pick("app", "py", "nope", UUIDS[0] as string)), key: sometimesOdd(pick("Tool_X", "tool-x", "app", UUIDS[1] as string)),
    name: sometimesOdd(pick("Tool")), engine: maybe(sometimesOdd(some<string | null>(["pypi", "tauri", "raw", null], ["cargo"]))), metadata: meta, created: date,
  }, { requiredKeys: ["product", "key", "name"] });
  const engine = fc.record({ id, key: sometimesOdd(pick("pypi", "tauri", "npm")), name: maybe(pick<string | null>("X", null)), created: date }, { requiredKeys: ["key"] });
  const entitlement = fc.record({ id, code: sometimesOdd(pick("PRO", "ENT", "PRO")), name: maybe(pick("Pro")) }, { requiredKeys: ["code"] });
  const release = fc.record({
    id, product: sometimesOdd(pick("app", "py", "APP")), package: maybe(sometimesOdd(pick<string | null>("tool-x", "app", "Tool_X", null, "none"))),
    version: sometimesOdd(pick("1.0.0", "01.0", "1.0.0-beta.1", "1.0.0-foo.1", "2.0.0-rc.1+b.2", "bad version", "1.1.0", "1.2.0", "3.0.0")),
    channel: maybe(sometimesOdd(some(["stable", "beta", "rc"], ["nightly"]))), status: maybe(sometimesOdd(pick("DRAFT", "PUBLISHED", "YANKED"))),
    tag: maybe(sometimesOdd(pick<string | null>("latest", "v1", null, UUIDS[2] as string))), name: maybe(pick<string | null>("N", null)),
    description: maybe(pick<string | null>("D", null)), entitlements: codes, metadata: meta, created: date, backdated: maybe(fc.oneof(fc.constant(null), dates)),
    yanked: maybe(fc.oneof(fc.constant(null), dates)),
  }, { requiredKeys: ["product", "version"] });
  const artifact = fc.record({
    id, release: sometimesOdd(pick("1.0.0", "2.0.0-rc.1", "tool-x@1.0.0", "app@1.0.0", "nope@1.0.0", UUIDS[0] as string, UUIDS[1] as string)),
    filename: sometimesOdd(pick("a.tar.gz", "A.WHL", "a.tar.gz", "../a", "x/../y", "a\\b", "/abs", "noext", "a..b.zip", "b.whl", "c.whl", "d.zip")),
    filetype: maybe(sometimesOdd(pick<string | null>(".ZIP", "gz", null))), platform: maybe(pick<string | null>(" Linux ", "", null)),
    arch: maybe(pick<string | null>("X86_64", null)), filesize: maybe(sometimesOdd(some<number | null>([0, 12, null], [2 ** 53]))),
    checksum: maybe(pick<string | null>("abc", null)), signature: maybe(pick<string | null>("sig", null)),
    status: maybe(sometimesOdd(some(["WAITING", "UPLOADED"], ["GONE"]))), metadata: meta, created: date,
  }, { requiredKeys: ["release", "filename"] });
  const policy = fc.record({
    id, product: sometimesOdd(pick("app", "py", "zzz")), name: sometimesOdd(pick("P1", "P2")),
    expirationStrategy: maybe(pick("REVOKE_ACCESS")), authenticationStrategy: maybe(sometimesOdd(pick("LICENSE", "MIXED"))), entitlements: codes,
  }, { requiredKeys: ["product", "name"] });
  const user = fc.record({ id, email: sometimesOdd(pick("a@x.io", "A@X.io", "b@x.io")), role: maybe(sometimesOdd(some(["admin", "user"], ["root"]))), banned: maybe(sometimesOdd(pick(true, false))) }, { requiredKeys: ["email"] });
  const license = fc.record({
    id, policy: sometimesOdd(pick("P1", "P2", "P3")), key: sometimesOdd(pick("K-1", "K-2", "K-1")), expiry: maybe(fc.oneof(fc.constant(null), dates)),
    suspended: maybe(pick(true, false)), owner: maybe(pick<string | null>("a@x.io", "B@x.io", "zz@x.io", null)),
    users: maybe(fc.array(pick("a@x.io", "A@X.IO", "b@x.io", "c@x.io"), { maxLength: 3 })), entitlements: codes,
  }, { requiredKeys: ["policy", "key"] });
  const token = fc.record({
    id, bearer: sometimesOdd(fc.record({ type: sometimesOdd(some(["user", "product", "license"], ["robot"])), id: pick("a@x.io", "app", "K-1", "K-9") })),
    token: sometimesOdd(some(["tok-aaaaaaaa", "tok-bbbbbbbb", UUIDS[1] as string], ["short"])), expiry: maybe(fc.oneof(fc.constant(null), dates)),
  }, { requiredKeys: ["bearer", "token"] });
  const list = <T>(arb: fc.Arbitrary<T>, maxLength: number) => maybe(fc.array(arb, { maxLength: small ? Math.min(maxLength, 2) : maxLength }));
  const account = fc.record({
    id, slug: sometimesOdd(some(["acme", "acme", "beta"], ["Bad Slug"])), name: pick("Acme"), secretKey: sometimesOdd(some(["acme-secret-0123456789"], ["short"])),
    created: date, products: list(product, 3), packages: list(pkg, 3), engines: list(engine, 2), entitlements: list(entitlement, 3),
    releases: list(release, 6), artifacts: list(artifact, 8), policies: list(policy, 2), users: list(user, 3), licenses: list(license, 3),
    tokens: list(token, 3),
  }, { requiredKeys: ["slug", "name", "secretKey"] });
  return fc.tuple(fc.array(account, { minLength: 1, maxLength: 2 }), fc.boolean(), noisy ? fc.boolean() : fc.constant(false)).map(([accounts, extraTop, extraDeep]) => {
    const file: Record<string, unknown> = { accounts };
    if (extraTop) file.$schema = "x";
    const first = accounts[0] as Record<string, unknown>;
    if (extraDeep && Array.isArray(first.releases) && first.releases.length > 0) (first.releases[0] as Record<string, unknown>).extra = 1;
    return file;
  });
}
/** Noisy, clean, and small clean dataset files (which most often load). */
const datasetFile = fc.oneof(datasetFiles(true), datasetFiles(false), datasetFiles(false, true));

type Outcome = { ok: true; value: unknown } | { ok: false; problems: unknown };
async function outcome(load: (input: unknown) => Promise<unknown>, input: unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await load(input) };
  } catch (error) {
    if (error instanceof DatasetError) return { ok: false, problems: error.problems };
    throw error;
  }
}

describe("fast dataset loader", () => {
  it("answers exactly as the previous loader did, records or problems", async () => {
    let loaded = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(datasetFile, async (input) => {
        const fast = await outcome((x) => loadDataset(x), structuredClone(input));
        const legacy = await outcome((x) => legacyLoadDataset(x), structuredClone(input));
        if (!legacy.ok && !DatasetFileSchema.safeParse(input).success) {
          // One pass: a file failing the schema also gets its reference problems, after the schema's.
          expect(fast.ok).toBe(false);
          const problems = (fast as { problems: unknown[] }).problems;
          expect(problems.slice(0, (legacy.problems as unknown[]).length)).toStrictEqual(legacy.problems);
        } else expect(fast).toStrictEqual(legacy);
        if (fast.ok) loaded++;
        else refused++;
      }),
      { numRuns: 1500 },
    );
    // The generator must exercise both outcomes for the comparison to mean anything.
    expect(loaded).toBeGreaterThan(15);
    expect(refused).toBeGreaterThan(20);
  });

  it("takes the fast path only for input zod accepts and returns unchanged", async () => {
    let fastPaths = 0;
    fc.assert(
      fc.property(datasetFile, (input) => {
        if (!hasDatasetShape(input)) return;
        fastPaths++;
        const parsed = DatasetFileSchema.safeParse(input);
        expect(parsed.success).toBe(true);
        // toEqual: zod builds its copies on Object.prototype, and an optional key given as undefined is
        // the same as an absent one to the loader.
        expect(parsed.data).toEqual(input);
      }),
      { numRuns: 1500 },
    );
    expect(fastPaths).toBeGreaterThan(50);
  });

  it("splits the shape check into the frame and each release and artifact, as the loader runs it", () => {
    let framed = 0;
    fc.assert(
      fc.property(datasetFile, (input) => {
        const frame = hasDatasetFrame(input);
        if (frame) framed++;
        const accounts = frame ? (input as { accounts: Array<{ releases?: unknown[]; artifacts?: unknown[] }> }).accounts : [];
        const elements = accounts.every((a) => (a.releases ?? []).every(isReleaseShape) && (a.artifacts ?? []).every(isArtifactShape));
        expect(frame && elements).toBe(hasDatasetShape(input));
      }),
      { numRuns: 1500 },
    );
    expect(framed).toBeGreaterThan(50);
  });

  it("checks a release's and an artifact's keys as the schema lists them", () => {
    const account = DatasetFileSchema.shape.accounts.element;
    expect([...RELEASE_KEYS].sort()).toStrictEqual(Object.keys(account.shape.releases.unwrap().element.shape).sort());
    expect([...ARTIFACT_KEYS].sort()).toStrictEqual(Object.keys(account.shape.artifacts.unwrap().element.shape).sort());
  });

  it("takes a release or an artifact exactly when zod's schema does, for JSON values at every bound", () => {
    const account = DatasetFileSchema.shape.accounts.element;
    const schemas = { release: account.shape.releases.unwrap().element, artifact: account.shape.artifacts.unwrap().element };
    const text = (n: number) => "x".repeat(n);
    const values = fc.constantFrom<unknown>(
      null, "", "a", text(255), text(256), text(4096), text(4097), 0, 7, -1, 1.5, 2 ** 53, true, [], ["PRO"], [""],
      Array.from({ length: 21 }, () => "A"), {}, { a: 1 }, UUIDS[0], "not-a-uuid", ...DATES, "stable", "rc", "nightly", "DRAFT", "PUBLISHED", "UPLOADED", "WAITING", "BAD",
    );
    // Per key, mostly a value its field takes (so that zod takes many records), now and then any value.
    const dates = [DATES[0], DATES[1], DATES[3]];
    const valid: Record<string, unknown[]> = {
      id: [UUIDS[0]], product: ["a"], package: ["a", null], version: ["1.0.0"], channel: ["stable", "rc"],
      tag: ["a", text(255), null], name: [null, "a", ""], description: [null, "a"], entitlements: [[], ["PRO"]], metadata: [{}, { a: 1 }],
      created: dates, backdated: [null, ...dates], yanked: [null, ...dates], release: ["a"], filename: ["a", text(255)], filetype: [null, "a", ""],
      platform: [null, "a"], arch: [null, "a"], filesize: [0, 7, null], checksum: ["", text(4096), null], signature: ["", null], file: ["a", null],
    };
    const statuses = { release: ["DRAFT", "PUBLISHED"], artifact: ["UPLOADED", "WAITING"] };
    const recordOf = (kind: keyof typeof statuses, keys: readonly string[]) => fc.tuple(
      fc.tuple(...keys.map((key) => fc.option(
        fc.oneof({ weight: 24, arbitrary: fc.constantFrom(...((key === "status" ? statuses[kind] : valid[key]) as unknown[])) }, { weight: 1, arbitrary: values }),
        { freq: 4, nil: undefined },
      ))),
      fc.option(fc.constantFrom("extra", "Version"), { freq: 8 }),
    ).map(([fields, extra]) => {
      const out: Record<string, unknown> = {};
      fields.forEach((value, i) => {
        if (value !== undefined) out[keys[i] as string] = value;
      });
      if (extra !== null) out[extra] = 1;
      return out;
    });
    // A record whose fields are all of the pools but one, which is any value: each bound met alone.
    const oneOff = (kind: keyof typeof statuses, keys: readonly string[]) => fc.tuple(
      fc.tuple(...keys.map((key) => fc.constantFrom(...((key === "status" ? statuses[kind] : valid[key]) as unknown[])))),
      fc.constantFrom(...keys), values,
    ).map(([fields, key, value]) => {
      const out: Record<string, unknown> = {};
      fields.forEach((v, i) => (out[keys[i] as string] = v));
      out[key] = value;
      return out;
    });
    for (const [kind, keys, check] of [["release", [...RELEASE_KEYS], isReleaseShape], ["artifact", [...ARTIFACT_KEYS], isArtifactShape]] as const) {
      let taken = 0;
      fc.assert(fc.property(fc.oneof(recordOf(kind, keys), oneOff(kind, keys)), (r) => {
        const zod = schemas[kind].safeParse(r).success;
        if (zod) taken++;
        expect(check(r)).toBe(zod);
      }), { numRuns: 20_000 });
      expect(taken).toBeGreaterThan(500);
    }
  });

  it("tells a uuid as zod's pattern does", () => {
    const uuid = (text: string) => FORMAT_SCHEMAS.uuid.safeParse(text).success;
    // Near-uuids: each character from hex digits of both cases, '-', and a few others, at about a uuid's length.
    const near = fc.array(fc.constantFrom(..."0189aAbBcfFgG-x ".split("")), { minLength: 34, maxLength: 38 }).map((cs) => cs.join(""));
    const mutated = fc.tuple(fc.constantFrom(...UUIDS, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"), fc.nat(35), fc.constantFrom(..."0189aAbBcCfF-x9".split("")))
      .map(([u, at, c]) => u.slice(0, at) + c + u.slice(at + 1));
    fc.assert(fc.property(fc.oneof(near, mutated, fc.string()), (text) => {
      expect(isZodUuid(text)).toBe(uuid(text));
    }), { numRuns: 20_000 });
    for (const text of [...UUIDS, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"]) expect(isZodUuid(text)).toBe(true);
  });

  it("refuses the fast path for what a plain copy would get wrong", () => {
    const base = () => ({ accounts: [{ slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789", releases: [{ product: "p", version: "1.0.0", metadata: {} as unknown }] }] });
    expect(hasDatasetShape(base())).toBe(true);
    const withProto = base();
    withProto.accounts[0]!.releases[0]!.metadata = JSON.parse('{"__proto__": {"x": 1}}');
    expect(hasDatasetShape(withProto)).toBe(false);
    const withSymbol = base();
    withSymbol.accounts[0]!.releases[0]!.metadata = { [Symbol("s")]: 1 };
    expect(hasDatasetShape(withSymbol)).toBe(false);
    const withClass = base();
    withClass.accounts[0]!.releases[0]!.metadata = new Map();
    expect(hasDatasetShape(withClass)).toBe(false);
    const unknownKey = base() as { accounts: Array<Record<string, unknown>> };
    unknownKey.accounts[0]!.extra = true;
    expect(hasDatasetShape(unknownKey)).toBe(false);
  });

  it("keeps a record's metadata apart from the input object", async () => {
    const metadata = { a: 1 };
    const d = await loadDataset({ accounts: [{ slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789", products: [{ code: "p", name: "P" }], releases: [{ product: "p", version: "1.0.0", metadata }] }] });
    metadata.a = 2;
    expect(d.releases[0]?.metadata).toEqual({ a: 1 });
  });
});

describe("fast dataset loader, many files in one release", () => {
  it("finds a repeated file name among dozens as the previous loader did", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${i < 30 ? i : i - 10}.zip`);
    const input = { accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789", products: [{ code: "p", name: "P" }],
      releases: [{ product: "p", version: "1.0.0" }], artifacts: names.map((filename) => ({ release: "1.0.0", filename })),
    }] };
    const fast = await outcome((x) => loadDataset(x), structuredClone(input));
    expect(fast).toStrictEqual(await outcome((x) => legacyLoadDataset(x), structuredClone(input)));
    expect(fast.ok ? [] : (fast.problems as unknown[]).length).toBe(20); // each repeat: the file name and its derived id
  });
});
