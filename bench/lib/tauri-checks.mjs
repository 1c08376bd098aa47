/**
 * @module bench/lib/tauri-checks — W1's random update checks, the caller, the two layers timed per
 * check (the store work of a check, and the whole engine call), and the naive baseline.
 */
import {
  createMemoryStore, isArtifactVisible, isReleaseVisible, isTauriEligible, parseConstraint, parseVersion, pickTauriArtifact,
  resolveTauriUpdate, resolveUpgrade, scopeOf, upgradeChannels,
} from "../../dist/index.js";
import { prng } from "./stats.mjs";
import { tauriVersion, WORLD } from "./world.mjs";

export { createMemoryStore };

/** Platforms update checks come from: the four built ones, and (one check in ten) one nothing is built for. */
const PLATFORMS = [
  ["linux", "x86_64"], ["linux", "x86_64"], ["darwin", "x86_64"], ["darwin", "x86_64"], ["darwin", "aarch64"],
  ["darwin", "aarch64"], ["windows", "x86_64"], ["windows", "x86_64"], ["windows", "x86_64"], ["linux", "aarch64"],
];

/** The instant every check is made at. */
export const NOW = new Date("2026-06-01T00:00:00Z");
/** The origin absolute URLs are made on. */
export const ORIGIN = "http://bench.local";

/** The license principal of W1 (entitlement PRO, windowed until 2099) and its two scopes, for a dataset. */
export function appCaller(ds) {
  const license = ds.licenses.find((l) => l.id === WORLD.licenseApp);
  const policy = ds.policies.find((p) => p.id === license.policyId);
  const principal = { kind: "license", license: { license, policy, owner: null }, via: "key", token: null };
  return { principal, scope: scopeOf(principal, NOW), lookupScope: scopeOf(principal, NOW, true) };
}

/** An engine context over a store for the caller. */
export function engineContext(store, ds, caller) {
  return { store, now: NOW, account: ds.accounts[0], principal: caller.principal, scope: caller.scope, lookupScope: caller.lookupScope, origin: ORIGIN };
}

/**
 * `count` random update checks over `n` releases: a random current version (any release, so some are
 * drafts or need an entitlement the caller lacks), a random channel (or the current one), a random
 * constraint (none, `MAJOR`, `MAJOR.MINOR` of the current release or of a later major) and a random
 * platform (one in ten is a platform nothing is built for).
 */
export function makeChecks(n, count, seed = 42) {
  const rnd = prng(seed);
  const checks = [];
  for (let k = 0; k < count; k++) {
    const { version } = tauriVersion(rnd.int(n));
    const parsed = parseVersion(version);
    const check = { version };
    const c = rnd.int(6);
    if (c > 0) check.channel = ["stable", "rc", "beta", "alpha", "dev"][c - 1];
    const k2 = rnd.int(4);
    if (k2 === 1) check.constraint = `${parsed.major}`;
    else if (k2 === 2) check.constraint = `${parsed.major}.${parsed.minor}`;
    else if (k2 === 3) check.constraint = `${parsed.major + rnd.int(3)}`;
    const [platform, arch] = rnd.pick(PLATFORMS);
    check.platform = platform;
    check.arch = arch;
    const q = new URLSearchParams({ platform, arch, version });
    if (check.channel) q.set("channel", check.channel);
    if (check.constraint) q.set("constraint", check.constraint);
    check.query = q;
    check.range = check.constraint === undefined ? undefined : parseConstraint(check.constraint);
    checks.push(check);
  }
  return checks;
}

/**
 * The store work of one check, as the engine does it: find the current release, ask the store for
 * the newest upgrade with a signed artifact for the platform, list that release's artifacts and
 * pick one. Returns the artifact id, or null for "no update".
 */
export async function storeResolution(ctx, check) {
  const current = await ctx.store.getReleaseByVersion(ctx.account.id, WORLD.productApp, WORLD.pkgTauri, check.version, ctx.lookupScope);
  if (current === null) return null;
  const request = { current, packageId: WORLD.pkgTauri, artifact: { platform: check.platform, arch: check.arch } };
  if (check.channel !== undefined) request.channel = check.channel;
  if (check.range !== undefined) request.range = check.range;
  const upgrade = await resolveUpgrade({ store: ctx.store, accountId: ctx.account.id, scope: ctx.scope }, request);
  if (upgrade === null) return null;
  const artifacts = await ctx.store.listReleaseArtifacts(ctx.account.id, upgrade.id, ctx.scope, { platform: check.platform, arch: check.arch });
  return pickTauriArtifact(artifacts, check.platform, check.arch)?.id ?? null;
}

/** One whole engine call (`resolveTauriUpdate`): status and body, for comparing stores. */
export async function engineCall(ctx, check) {
  const result = await resolveTauriUpdate(ctx, { package: WORLD.tauriKey, query: check.query });
  return `${result.status} ${result.body ?? result.headers["Release-Engines-Reason"]}`;
}

function compareDesc(a, b) {
  if (a.versionKey !== b.versionKey) return a.versionKey < b.versionKey ? 1 : -1;
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The naive baseline: load every release and artifact of the package (here: copy them out of the
 * package's arrays and group artifacts by release), then filter and sort in JavaScript.
 */
export function naiveResolution(pkgReleases, pkgArtifacts, product, caller, check) {
  const releases = pkgReleases.slice();
  const byRelease = new Map();
  for (const a of pkgArtifacts.slice()) {
    const list = byRelease.get(a.releaseId);
    if (list) list.push(a);
    else byRelease.set(a.releaseId, [a]);
  }
  const current = releases.find((r) => r.version === check.version && isReleaseVisible(caller.lookupScope, r, product));
  if (current === undefined) return null;
  const channels = upgradeChannels(check.channel ?? current.channel);
  const range = check.range;
  const candidates = releases.filter((r) => {
    if (!channels.includes(r.channel) || r.status !== "PUBLISHED" || r.versionKey <= current.versionKey) return false;
    if (range !== undefined) {
      if (r.versionKey < range.minKey || r.versionKey >= range.maxKey) return false;
      if (range.preWord !== undefined || range.preNum !== undefined || range.buildWord !== undefined || range.buildNum !== undefined) {
        const v = parseVersion(r.version);
        if (range.preWord !== undefined && v.preWord !== range.preWord) return false;
        if (range.preNum !== undefined && v.preNum !== range.preNum) return false;
        if (range.buildWord !== undefined && v.buildWord !== range.buildWord) return false;
        if (range.buildNum !== undefined && v.buildNum !== range.buildNum) return false;
      }
    }
    if (!isReleaseVisible(caller.scope, r, product)) return false;
    return (byRelease.get(r.id) ?? []).some((a) => isTauriEligible(a) && a.platform === check.platform && a.arch === check.arch && isArtifactVisible(caller.scope, a, r, product));
  });
  candidates.sort(compareDesc);
  const best = candidates[0];
  if (best === undefined) return null;
  const visible = (byRelease.get(best.id) ?? []).filter((a) => isArtifactVisible(caller.scope, a, best, product));
  return pickTauriArtifact(visible, check.platform, check.arch)?.id ?? null;
}
