/**
 * @module bench/lib/world — benchmark datasets built as `Dataset` records directly (no loader), and
 * the same records written as a dataset file for `release-engines serve`.
 *
 * Every id is explicit and every field is what `loadDataset` would produce for the file written by
 * {@link writeDatasetFile}, so a SQL store imported from the records and a server started on the
 * file hold the same data (the smoke run checks this with `loadDataset`).
 */
import { createHash, createHmac } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseVersion } from "../../dist/index.js";

/** The five channels, in the order releases cycle through them. */
export const CHANNELS = ["stable", "rc", "beta", "alpha", "dev"];

/** The four platform builds every Tauri release ships: [platform, arch, filename suffix, filetype]. */
export const TAURI_TARGETS = [
  ["linux", "x86_64", "amd64.AppImage.tar.gz", "gz"],
  ["darwin", "x86_64", "x64.app.tar.gz", "gz"],
  ["darwin", "aarch64", "aarch64.app.tar.gz", "gz"],
  ["windows", "x86_64", "x64_en-US.msi.zip", "zip"],
];

const hex12 = (n) => n.toString(16).padStart(12, "0");
/** A UUID-shaped id (version 4, variant 8) from a 8-hex-digit kind prefix and a counter. */
export const idOf = (kind, n, sub = 0) => `${kind}-${sub.toString(16).padStart(4, "0")}-4000-8000-${hex12(n)}`;

const BASE_TIME = Date.UTC(2020, 0, 1);
const at = (minutes) => new Date(BASE_TIME + minutes * 60_000).toISOString();
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** Fixed ids and keys of the benchmark account. */
export const WORLD = Object.freeze({
  account: idOf("acc00000", 1),
  slug: "bench",
  secretKey: "bench-secret-key-0123456789",
  productApp: idOf("b0000000", 1),
  productPy: idOf("b0000000", 2),
  pkgTauri: idOf("c0000000", 1),
  pkgPypi: idOf("c0000000", 2),
  pkgRaw: idOf("c0000000", 3),
  engineTauri: idOf("e0000000", 1),
  enginePypi: idOf("e0000000", 2),
  engineRaw: idOf("e0000000", 3),
  entPro: idOf("d0000000", 1),
  entEnterprise: idOf("d0000000", 2),
  policyApp: idOf("f0000000", 1),
  policyPy: idOf("f0000000", 2),
  licenseApp: idOf("f1000000", 1),
  licensePy: idOf("f1000000", 2),
  appKey: "BENCH-APP-0001",
  pyKey: "BENCH-PY-0001",
  tauriKey: "bench-app",
  pypiKey: "bench-py",
  rawKey: "bench-cli",
  rawFiles: ["cli-linux-amd64", "cli-darwin-arm64"],
  userAdmin: idOf("f2000000", 1),
  tokenAdmin: idOf("f3000000", 1),
  adminToken: `admin-${"b".repeat(64)}v3`,
});

/** The world's account path. */
export const ACCOUNT_PATH = `/v1/accounts/${WORLD.slug}`;
/** The app license key's Authorization header. */
export const LICENSE = { authorization: `License ${WORLD.appKey}` };
/** The PyPI license key as pip sends it (Basic, user `license`). */
export const BASIC = { authorization: `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}` };
/** PEP 691's JSON media type. */
export const PYPI_JSON = "application/vnd.pypi.simple.v1+json";

/** Version of the i-th Tauri release: channels cycle, five releases per `major.minor.patch`. */
export function tauriVersion(i) {
  const channel = CHANNELS[i % 5];
  const core = Math.floor(i / 5);
  const text = `${1 + Math.floor(core / 400)}.${Math.floor(core / 20) % 20}.${core % 20}`;
  return { channel, version: channel === "stable" ? text : `${text}-${channel}.1` };
}

function release(id, productId, packageId, version, channel, status, entitlements, minutes, description) {
  const parsed = parseVersion(version);
  if (parsed === null || parsed.version !== version) throw new Error(`bad bench version ${version}`);
  const created = at(minutes);
  return {
    id, accountId: WORLD.account, productId, packageId, version, versionKey: parsed.key, channel, status, tag: null, name: null,
    description, entitlements, metadata: {}, created, updated: created, backdated: null, yanked: status === "YANKED" ? created : null,
  };
}

function artifact(id, releaseId, filename, filetype, platform, arch, filesize, signature, metadata, minutes) {
  const created = at(minutes);
  return {
    id, accountId: WORLD.account, releaseId, filename, filetype, platform, arch, filesize, checksum: sha256(id), signature,
    status: "UPLOADED", metadata, created, updated: created, blob: null,
  };
}

/**
 * A benchmark dataset: `tauri` releases of one Tauri package (four platform artifacts each, five
 * channels; 1 in 10 needs an entitlement the license lacks, 1 in 10 needs one it has, 1 in 50 is a
 * draft, 1 in 100 yanked, 1 in 20 has an unsigned Windows build), a PyPI package of `pypiFiles`
 * files (four per release) and a raw package of `raw` releases with two fixed file names. `admin`
 * adds an admin user whose token is `WORLD.adminToken` (records only: {@link writeDatasetFile} writes no tokens).
 */
export function buildWorld({ tauri = 0, pypiFiles = 0, raw = 0, admin = false } = {}) {
  const W = WORLD;
  const acct = W.account;
  const ds = {
    accounts: [{ id: acct, slug: W.slug, name: "Bench Inc", secretKey: W.secretKey, created: at(0) }],
    products: [
      { id: W.productApp, accountId: acct, code: "app", name: "App", distributionStrategy: "LICENSED", created: at(0) },
      { id: W.productPy, accountId: acct, code: "py", name: "Py", distributionStrategy: "LICENSED", created: at(0) },
    ],
    packages: [], engines: [], releases: [], artifacts: [],
    entitlements: [
      { id: W.entPro, accountId: acct, code: "PRO", name: "Pro" },
      { id: W.entEnterprise, accountId: acct, code: "ENTERPRISE", name: "Enterprise" },
    ],
    policies: [
      { id: W.policyApp, accountId: acct, productId: W.productApp, name: "App Pro", expirationStrategy: "RESTRICT_ACCESS", authenticationStrategy: "LICENSE", entitlements: ["PRO"] },
      { id: W.policyPy, accountId: acct, productId: W.productPy, name: "Py Std", expirationStrategy: "RESTRICT_ACCESS", authenticationStrategy: "LICENSE", entitlements: [] },
    ],
    users: [],
    licenses: [
      { id: W.licenseApp, accountId: acct, policyId: W.policyApp, productId: W.productApp, key: W.appKey, expiry: "2099-01-01T00:00:00.000Z", suspended: false, ownerId: null, userIds: [], entitlements: [] },
      { id: W.licensePy, accountId: acct, policyId: W.policyPy, productId: W.productPy, key: W.pyKey, expiry: null, suspended: false, ownerId: null, userIds: [], entitlements: [] },
    ],
    tokens: [],
  };
  if (admin) {
    ds.users.push({ id: W.userAdmin, accountId: acct, email: "admin@bench.test", role: "admin", banned: false });
    const digest = createHmac("sha256", W.secretKey).update(W.adminToken).digest("hex");
    ds.tokens.push({ id: W.tokenAdmin, accountId: acct, bearerType: "user", bearerId: W.userAdmin, digest, expiry: null });
  }
  const addPackage = (id, engineId, productId, key, name, engine) => {
    ds.packages.push({ id, accountId: acct, productId, key, name, engine, metadata: {}, created: at(1), updated: at(1) });
    ds.engines.push({ id: engineId, accountId: acct, key: engine, name: { tauri: "Tauri", pypi: "PyPI", raw: "Raw" }[engine], created: at(1), updated: at(1) });
  };
  if (tauri > 0) {
    addPackage(W.pkgTauri, W.engineTauri, W.productApp, W.tauriKey, "Bench App", "tauri");
    for (let i = 0; i < tauri; i++) {
      const { version, channel } = tauriVersion(i);
      const status = i % 100 === 13 ? "YANKED" : i % 50 === 7 ? "DRAFT" : "PUBLISHED";
      const entitlements = i % 10 === 0 ? ["ENTERPRISE"] : i % 10 === 1 ? ["PRO"] : [];
      const rid = idOf("a1000000", i);
      ds.releases.push(release(rid, W.productApp, W.pkgTauri, version, channel, status, entitlements, 10 + i, `Notes for ${version}`));
      for (let t = 0; t < TAURI_TARGETS.length; t++) {
        const [platform, arch, suffix, filetype] = TAURI_TARGETS[t];
        const aid = idOf("a2000000", i, t);
        const unsigned = t === 3 && i % 20 === 3;
        const signature = unsigned ? null : Buffer.from(`untrusted comment: signature from tauri secret key\n${aid}\ntrusted comment: ${version}`).toString("base64");
        ds.artifacts.push(artifact(aid, rid, `App_${version}_${suffix}`, filetype, platform, arch, 10_000_000 + i, signature, {}, 10 + i));
      }
    }
  }
  if (pypiFiles > 0) {
    addPackage(W.pkgPypi, W.enginePypi, W.productPy, W.pypiKey, "Bench Py", "pypi");
    const wheels = ["py3-none-manylinux_2_17_x86_64.whl", "py3-none-macosx_11_0_arm64.whl", "py3-none-win_amd64.whl"];
    for (let i = 0; i * 4 < pypiFiles; i++) {
      const version = `${1 + Math.floor(i / 100)}.${Math.floor(i / 10) % 10}.${i % 10}`;
      const rid = idOf("a3000000", i);
      ds.releases.push(release(rid, W.productPy, W.pkgPypi, version, "stable", "PUBLISHED", [], 10 + i, null));
      const names = [`bench_py-${version}.tar.gz`, ...wheels.map((w) => `bench_py-${version}-${w}`)];
      for (let f = 0; f < 4 && i * 4 + f < pypiFiles; f++) {
        const name = names[f];
        ds.artifacts.push(artifact(idOf("a4000000", i, f), rid, name, f === 0 ? "gz" : "whl", null, null, 50_000 + i, null, { requiresPython: ">=3.8" }, 10 + i));
      }
    }
  }
  if (raw > 0) {
    addPackage(W.pkgRaw, W.engineRaw, W.productApp, W.rawKey, "Bench CLI", "raw");
    for (let i = 0; i < raw; i++) {
      const version = `0.${i}.0`;
      const rid = idOf("a5000000", i);
      ds.releases.push(release(rid, W.productApp, W.pkgRaw, version, "stable", "PUBLISHED", [], 10 + i, null));
      W.rawFiles.forEach((name, f) => ds.artifacts.push(artifact(idOf("a6000000", i, f), rid, name, null, null, null, 20_000 + i, null, {}, 10 + i)));
    }
  }
  return ds;
}

/** The dataset-file entries of one account's records (what `loadDataset` turns back into them). */
function* fileChunks(ds) {
  const acc = ds.accounts[0];
  const strip = (o, ...keys) => {
    const out = { ...o };
    for (const k of keys) delete out[k];
    return out;
  };
  yield `{"accounts":[{"id":${JSON.stringify(acc.id)},"slug":${JSON.stringify(acc.slug)},"name":${JSON.stringify(acc.name)},"secretKey":${JSON.stringify(acc.secretKey)},"created":${JSON.stringify(acc.created)}`;
  const section = function* (name, items, map) {
    yield `,${JSON.stringify(name)}:[`;
    for (let i = 0; i < items.length; i += 1000) {
      yield (i === 0 ? "" : ",") + items.slice(i, i + 1000).map((x) => JSON.stringify(map(x))).join(",");
    }
    yield "]";
  };
  yield* section("products", ds.products, (p) => strip(p, "accountId"));
  yield* section("packages", ds.packages, (p) => ({ ...strip(p, "accountId", "productId", "updated"), product: p.productId }));
  yield* section("engines", ds.engines, (e) => strip(e, "accountId", "updated"));
  yield* section("entitlements", ds.entitlements, (e) => strip(e, "accountId"));
  yield* section("releases", ds.releases, (r) => ({
    ...strip(r, "accountId", "productId", "packageId", "versionKey", "updated", "backdated", "yanked"), product: r.productId, package: r.packageId,
  }));
  yield* section("artifacts", ds.artifacts, (a) => ({ ...strip(a, "accountId", "releaseId", "updated", "blob"), release: a.releaseId }));
  yield* section("policies", ds.policies, (p) => ({ ...strip(p, "accountId", "productId"), product: p.productId }));
  yield* section("licenses", ds.licenses, (l) => ({ id: l.id, policy: l.policyId, key: l.key, expiry: l.expiry }));
  yield "}]}\n";
}

/** Write the records as a dataset file (streamed: 100,000 releases make a file of ~200 MB). */
export async function writeDatasetFile(path, ds) {
  if (ds.accounts.length !== 1 || ds.users.length + ds.tokens.length > 0) throw new Error("writeDatasetFile writes one account without users or tokens");
  const out = createWriteStream(path);
  for (const chunk of fileChunks(ds)) if (!out.write(chunk)) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

/** The dataset file of the records as one string (small datasets only). */
export function datasetFileText(ds) {
  return [...fileChunks(ds)].join("");
}

/** The world's Tauri check for release `i` (stable channel, linux x86_64). */
export const tauriCheckPath = (i) => `${ACCOUNT_PATH}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(i).version)}`;

/** The world's PyPI project page. */
export const PYPI_PATH = `${ACCOUNT_PATH}/engines/pypi/simple/${WORLD.pypiKey}/`;

/**
 * W3's paths found on a running server (`get` is bench/lib/serve's rawGet) with `releases` Tauri releases: up to 32
 * Tauri checks answered 200, one stable check answered 204, and the PyPI page's JSON answer (for its ETag).
 * Each asks the same requests, so two servers asked it carry the same type feedback into a measurement.
 */
export async function discoverPaths(url, get, releases = 1_000) {
  const with200 = [];
  let upToDate = null;
  for (let i = 0; i < releases; i += 5) {
    const res = await get(`${url}${tauriCheckPath(i)}`, LICENSE);
    if (res.status === 200 && with200.length < 32) with200.push(tauriCheckPath(i));
    if (res.status === 204 && tauriVersion(i).channel === "stable") upToDate = tauriCheckPath(i);
  }
  return { with200, upToDate, page: await get(`${url}${PYPI_PATH}`, { ...BASIC, accept: PYPI_JSON }) };
}
