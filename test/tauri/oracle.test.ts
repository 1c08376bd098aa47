/**
 * Property: for random release sets and random requests, the Tauri engine and the upgrade endpoint
 * answer exactly what a brute-force oracle over the whole dataset answers; an offered version is
 * never ≤ the current one and always within the requested channel and constraint.
 *
 * The oracle shares no code with the SDK: it reads the dataset file, compares with `semver`, and
 * applies Keygen's visibility and constraint rules as written in keygen-engines.md §5–6.
 */
import fc from "fast-check";
import semver from "semver";
import { describe, expect, it } from "vitest";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { expectTauriAcceptable, get, memoryHandlerFor } from "./support.js";

const CHANNELS = ["stable", "rc", "beta", "alpha", "dev"] as const;
const MATRIX: Record<string, string[]> = { stable: ["stable"], rc: ["stable", "rc"], beta: ["stable", "rc", "beta"], alpha: ["stable", "rc", "beta", "alpha"], dev: ["dev"] };
const PRES = [null, "alpha.1", "alpha.2", "beta", "beta.1", "beta.2", "beta.11", "rc.1", "dev.1"] as const;
const BUILDS = [null, null, null, "b1", "7", "b.2"] as const;
const EXTS = ["AppImage", "AppImage.tar.gz", "app.tar.gz", "exe", "nsis.zip", "msi", "msi.zip", "AppImage.tar.gz.sig"] as const;
const PLATFORMS = [["linux", "x86_64"], ["darwin", "aarch64"], ["windows", "x86_64"]] as const;
const LICENSES = { "LIC-NONE": [], "LIC-PRO": ["PRO"], "LIC-ALL": ["PRO", "EXTRA"], "LIC-WIN": ["PRO"] } as Record<string, string[]>;
const WINDOW_EXPIRY = "2024-01-15T00:00:00.000Z";
const ADMIN_TOKEN = "admin-cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccv3";

const uuid = (kind: number, n: number) => `40000000-0000-4000-8${kind}00-${String(n).padStart(12, "0")}`;
const day = (d: number) => new Date(Date.UTC(2024, 0, d)).toISOString();

interface GenArtifact { platform: number; ext: number; signed: boolean; uploaded: boolean; created: number }
interface GenRelease { pkg: number; major: number; minor: number; patch: number; pre: number; build: number; status: string; ents: string[]; created: number; backdated: number | null; artifacts: GenArtifact[] }
interface Rel { id: string; pkg: number; version: string; channel: string; status: string; ents: string[]; created: string; backdated: string | null; artifacts: Art[] }
interface Art { id: string; filename: string; filetype: string; platform: string; arch: string; signature: string | null; uploaded: boolean; created: string }

const artifactArb: fc.Arbitrary<GenArtifact> = fc.record({
  platform: fc.constantFrom(0, 0, 0, 1, 1, 2), ext: fc.nat(EXTS.length - 1), signed: fc.constantFrom(true, true, true, false), uploaded: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), created: fc.integer({ min: 1, max: 28 }),
});
const releaseArb: fc.Arbitrary<GenRelease> = fc.record({
  pkg: fc.nat(1), major: fc.nat(2), minor: fc.nat(2), patch: fc.nat(1),
  pre: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.nat(PRES.length - 1) }), build: fc.nat(BUILDS.length - 1),
  status: fc.constantFrom("PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "DRAFT", "YANKED"),
  ents: fc.constantFrom([], [], [], ["PRO"], ["PRO", "EXTRA"]),
  created: fc.integer({ min: 1, max: 28 }), backdated: fc.option(fc.integer({ min: 1, max: 28 }), { freq: 5 }),
  artifacts: fc.array(artifactArb, { maxLength: 4 }),
});
const versionOf = (r: GenRelease) => `${r.major}.${r.minor}.${r.patch}${PRES[r.pre] ? `-${PRES[r.pre]}` : ""}${BUILDS[r.build] ? `+${BUILDS[r.build]}` : ""}`;
const releasesArb = fc.uniqueArray(releaseArb, { minLength: 3, maxLength: 16, selector: (r) => `${r.pkg}|${versionOf(r)}` });

const CONSTRAINTS = ["0", "1", "2", "1.0", "1.1", "1.2", "0.1.0", "1.0.1", "1-beta", "1-beta.2", "2-rc.1", "0-alpha", "1+b1", "2.1+7", "1.x", ">=1.0"];
const requestArb = fc.record({
  kind: fc.constantFrom("tauri", "tauri", "tauri", "endpoint"),
  otherPkg: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  platform: fc.constantFrom(0, 0, 0, 1, 1, 2),
  version: fc.oneof({ weight: 4, arbitrary: fc.nat(15) }, { weight: 4, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.constantFrom("9.9.9", "v1.0.0", "1.0") }),
  channel: fc.option(fc.constantFrom(...CHANNELS, "alpha", "beta", "edge"), { freq: 2 }),
  constraint: fc.option(fc.constantFrom(...CONSTRAINTS), { freq: 3 }),
  who: fc.constantFrom("anonymous", "anonymous", "admin", "admin", ...Object.keys(LICENSES)),
});
type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

/** The package a Tauri request names: the target release's, or (rarely) the other one. */
function pkgOf(rels: Rel[], req: Req): number {
  const own = typeof req.version === "number" ? (rels[req.version % rels.length] as Rel).pkg : 0;
  return req.otherPkg ? 1 - own : own;
}

function build(unsorted: GenRelease[]): { rels: Rel[]; file: DatasetFile } {
  // Lowest precedence first, so the small indices requests favour name old releases (which have upgrades).
  const gen = unsorted.slice().sort((a, b) => semver.compare(versionOf(a), versionOf(b)));
  const rels: Rel[] = gen.map((g, i) => {
    const version = versionOf(g);
    const pre = PRES[g.pre];
    return {
      id: uuid(1, i), pkg: g.pkg, version, channel: pre ? (pre.split(".")[0] as string) : "stable", status: g.status, ents: g.ents,
      created: day(g.created), backdated: g.backdated === null ? null : day(g.backdated),
      artifacts: g.artifacts.map((a, j) => {
        const [platform, arch] = PLATFORMS[a.platform] as readonly [string, string];
        const ext = EXTS[a.ext] as string;
        const id = uuid(2, i * 10 + j);
        return { id, filename: `f${j}.${ext}`, filetype: ext.split(".").pop() as string, platform, arch, signature: a.signed ? btoa(`sig ${id}`) : null, uploaded: a.uploaded, created: day(a.created) };
      }),
    };
  });
  const file: DatasetFile = {
    accounts: [{
      id: uuid(0, 1), slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789",
      products: [{ code: "open", name: "Open", distributionStrategy: "OPEN" }, { code: "lic", name: "Licensed", distributionStrategy: "LICENSED" }],
      packages: [{ product: "open", key: "pkg0", name: "P0", engine: "tauri" }, { product: "lic", key: "pkg1", name: "P1", engine: "tauri" }],
      entitlements: [{ code: "PRO" }, { code: "EXTRA" }],
      releases: rels.map((r) => ({
        id: r.id, product: r.pkg === 0 ? "open" : "lic", package: `pkg${r.pkg}`, version: r.version, status: r.status as "PUBLISHED",
        entitlements: r.ents, created: r.created, backdated: r.backdated, description: r.version.includes("1") ? `notes ${r.version}` : null,
      })),
      artifacts: rels.flatMap((r) => r.artifacts.map((a) => ({
        id: a.id, release: r.id, filename: a.filename, platform: a.platform, arch: a.arch, signature: a.signature,
        status: a.uploaded ? ("UPLOADED" as const) : ("WAITING" as const), created: a.created, filesize: 1, checksum: "b".repeat(64),
      }))),
      policies: [
        { id: uuid(3, 1), product: "lic", name: "Std", authenticationStrategy: "LICENSE", expirationStrategy: "RESTRICT_ACCESS" },
      ],
      users: [{ id: uuid(4, 1), email: "admin@acme.test", role: "admin" }],
      licenses: Object.entries(LICENSES).map(([key, ents]) => ({ policy: uuid(3, 1), key, entitlements: ents, expiry: key === "LIC-WIN" ? WINDOW_EXPIRY : null })),
      tokens: [{ bearer: { type: "user", id: uuid(4, 1) }, token: ADMIN_TOKEN }],
    }],
  };
  return { rels, file };
}

// ---- The oracle ------------------------------------------------------------------------------

function releaseVisible(who: string, r: Rel): boolean {
  if (who === "admin") return true;
  if (r.status !== "PUBLISHED") return false;
  if (r.pkg === 0) return r.ents.length === 0; // OPEN product; our licenses are for the other product
  const held = LICENSES[who];
  if (held === undefined) return false;
  if (!r.ents.every((e) => held.includes(e))) return false;
  return who !== "LIC-WIN" || (r.backdated ?? r.created) <= WINDOW_EXPIRY;
}
/** Lookups find a release a windowed license may not read when it was created *or* backdated inside the window (Keygen's scope); reading it is then a 403. */
function releaseFindable(who: string, r: Rel): boolean {
  if (who !== "LIC-WIN") return releaseVisible(who, r);
  const open = { ...r, backdated: null };
  return releaseVisible(who, open) || (r.backdated !== null && releaseVisible(who, { ...r, created: r.backdated, backdated: null }));
}
const artifactVisible = (who: string, r: Rel, a: Art) => who === "admin" || (a.uploaded && releaseVisible(who, r));
const eligible = (who: string, r: Rel, a: Art, platform: string, arch: string) =>
  a.platform === platform && a.arch === arch && a.signature !== null && a.filetype !== "sig" && artifactVisible(who, r, a);

function splitWordNum(tag: string): { word: string | null; num: number | null } {
  const ids = tag.split(/[.-]/).filter(Boolean);
  const last = ids[ids.length - 1];
  const num = last !== undefined && /^\d+$/.test(last) ? Number(ids.pop()) : null;
  return { word: ids.length ? ids.join(".") : null, num };
}
function parseSemverTag(v: semver.SemVer, part: "prerelease" | "build") {
  const list = part === "prerelease" ? v.prerelease : v.build;
  return list.length ? splitWordNum(list.join(".")) : { word: null, num: null };
}
function satisfies(constraint: string, version: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([\w.-]+))?(?:\+([\w.-]+))?$/.exec(constraint) as RegExpExecArray;
  const v = semver.parse(version) as semver.SemVer;
  if (v.major !== Number(m[1])) return false;
  if (m[3] !== undefined) { if (v.minor !== Number(m[2]) || v.patch < Number(m[3])) return false; }
  else if (m[2] !== undefined && v.minor < Number(m[2])) return false;
  for (const [group, part] of [[m[4], "prerelease"], [m[5], "build"]] as const) {
    if (group === undefined) continue;
    const want = splitWordNum(group);
    const have = parseSemverTag(v, part);
    if (want.word !== null && have.word !== want.word) return false;
    if (want.num !== null && have.num !== want.num) return false;
  }
  return true;
}
const validConstraint = (c: string) => /^\d+(\.\d+)?(\.\d+)?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(c);

/** Tauri chooses among releases the caller may read; the upgrade endpoint among those it may find (`findable`). */
function bestUpgrade(rels: Rel[], who: string, current: Rel, req: Req, platform?: [string, string], findable = false): Rel | null {
  const allowed = MATRIX[req.channel ?? current.channel] ?? [];
  const inScope = findable ? releaseFindable : releaseVisible;
  const cands = rels.filter((r) =>
    r.pkg === current.pkg && r.status === "PUBLISHED" && inScope(who, r) && allowed.includes(r.channel) &&
    semver.compare(r.version, current.version) > 0 && (req.constraint === null || satisfies(req.constraint, r.version)) &&
    (platform === undefined || r.artifacts.some((a) => eligible(who, r, a, platform[0], platform[1]))));
  cands.sort((a, b) => semver.compare(b.version, a.version) || (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? -1 : 1));
  return cands[0] ?? null;
}
function bestArtifact(who: string, r: Rel, platform: string, arch: string): Art {
  const rank = (f: string) => [/\.(zip|gz)$/i.test(f) ? 0 : 1, /\.nsis\.zip$/i.test(f) ? 0 : 1, /\.exe$/i.test(f) ? 0 : 1];
  const list = r.artifacts.filter((a) => eligible(who, r, a, platform, arch));
  list.sort((a, b) => {
    const ra = rank(a.filename), rb = rank(b.filename);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
    return a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? 1 : -1;
  });
  return list[0] as Art;
}

type Expected = { status: number; reason?: string; version?: string; artifactId?: string; signature?: string; releaseId?: string };

function oracle(rels: Rel[], req: Req): Expected {
  if (req.constraint !== null && !validConstraint(req.constraint)) return { status: 400 };
  const [platform, arch] = PLATFORMS[req.platform] as readonly [string, string];
  const version = typeof req.version === "number" ? rels[req.version % rels.length]?.version as string : req.version;
  if (req.kind === "tauri") {
    if (pkgOf(rels, req) === 1 && req.who === "anonymous") return { status: 404 };
    const current = rels.find((r) => r.pkg === pkgOf(rels, req) && r.version === version && releaseFindable(req.who, r));
    if (current === undefined) return { status: 204, reason: "unknown-current-version" };
    if (!releaseVisible(req.who, current)) return { status: 403 };
    if (MATRIX[req.channel ?? current.channel] === undefined) return { status: 204, reason: "unknown-channel" };
    const up = bestUpgrade(rels, req.who, current, req, [platform, arch]);
    if (up === null) {
      const any = bestUpgrade(rels, req.who, current, req);
      if (any === null) return { status: 204, reason: "up-to-date" };
      // The newest visible upgrade has a signed file for the platform that is not uploaded yet.
      const pending = any.artifacts.some((a) => !a.uploaded && a.platform === platform && a.arch === arch && a.signature !== null && a.filetype !== "sig");
      return { status: 204, reason: pending ? "no-uploaded-artifact-for-platform" : "no-signed-artifact-for-platform" };
    }
    const art = bestArtifact(req.who, up, platform, arch);
    return { status: 200, version: up.version, artifactId: art.id, signature: art.signature as string };
  }
  const current = typeof req.version === "number" ? rels[req.version % rels.length] : undefined;
  if (current === undefined || !releaseFindable(req.who, current)) return { status: 404 };
  if (!releaseVisible(req.who, current)) return { status: 403 };
  // Keygen's upgrade action picks in the expiry-aware scope, then authorizes the pick: a release
  // created inside the window but backdated past it is the policy's 403 (keygen-api releases/actions/upgrades_controller.rb).
  const up = bestUpgrade(rels, req.who, current, req, undefined, true);
  if (up === null) return { status: 404 };
  if (!releaseVisible(req.who, up)) return { status: 403 };
  return { status: 200, version: up.version, releaseId: up.id };
}

// ---- The property ----------------------------------------------------------------------------

function headersFor(who: string): Record<string, string> {
  if (who === "admin") return { Authorization: `Bearer ${ADMIN_TOKEN}` };
  if (who === "anonymous") return {};
  return { Authorization: `License ${who}` };
}

async function answer(handler: (r: Request) => Promise<Response>, rels: Rel[], req: Req): Promise<Expected> {
  const q = new URLSearchParams();
  if (req.channel !== null) q.set("channel", req.channel);
  if (req.constraint !== null) q.set("constraint", req.constraint);
  let res: Response;
  if (req.kind === "tauri") {
    const [platform, arch] = PLATFORMS[req.platform] as readonly [string, string];
    const version = typeof req.version === "number" ? rels[req.version % rels.length]?.version as string : req.version;
    q.set("platform", platform);
    q.set("arch", arch);
    q.set("version", version);
    res = await get(handler, `/v1/accounts/acme/engines/tauri/pkg${pkgOf(rels, req)}?${q}`, headersFor(req.who));
  } else {
    const id = typeof req.version === "number" ? rels[req.version % rels.length]?.id as string : req.version;
    res = await get(handler, `/v1/accounts/acme/releases/${id}/upgrade?${q}`, headersFor(req.who));
  }
  // Every 200 and 204 of the Tauri route must be one the updater accepts.
  if (req.kind === "tauri" && (res.status === 200 || res.status === 204)) await expectTauriAcceptable(res.clone());
  const text = await res.text();
  if (res.status === 204) {
    expect(text).toBe("");
    return { status: 204, reason: res.headers.get("release-engines-reason") as string };
  }
  if (res.status !== 200) return { status: res.status };
  const body = JSON.parse(text);
  if (req.kind === "endpoint") return { status: 200, version: body.data.attributes.version, releaseId: body.data.id };
  const artifactId = /\/artifacts\/([^/]+)\//.exec(body.url)?.[1];
  return { status: 200, version: body.version, artifactId, signature: body.signature };
}

describe("the resolver against a brute-force oracle", () => {
  it("answers what the oracle answers, never ≤ current, always within channel and constraint", async () => {
    await fc.assert(
      fc.asyncProperty(releasesArb, fc.array(requestArb, { minLength: 6, maxLength: 6 }), async (gen, requests) => {
        const { rels, file } = build(gen);
        const handler = await memoryHandlerFor(file);
        for (const req of requests) {
          const expected = oracle(rels, req);
          const got = await answer(handler, rels, req);
          expect(got).toEqual(expected);
          if (got.status === 200) {
            const current = req.kind === "tauri"
              ? rels.find((r) => r.pkg === pkgOf(rels, req) && r.version === rels[(req.version as number) % rels.length]?.version) as Rel
              : rels[(req.version as number) % rels.length] as Rel;
            const offered = got.version as string;
            expect(semver.compare(offered, current.version)).toBe(1);
            const offeredChannel = semver.prerelease(offered)?.[0]?.toString().replace(/\d+$/, "") ?? "stable";
            expect(MATRIX[req.channel ?? current.channel]).toContain(offeredChannel);
            if (req.constraint !== null) expect(satisfies(req.constraint, offered)).toBe(true);
          }
        }
      }),
      { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  });
});
