/**
 * @module bench/w7-npm — W7: the npm packument of a 200-version package under wrk, served by
 * `release-engines serve` (memory store; anonymous on an OPEN product, and with a license key on a
 * LICENSED one) and by verdaccio 6.8 (node_modules/.bin/verdaccio, its own storage holding the same
 * 200 versions), measured alternately in the same run. Both are asked as npm asks: full JSON, gzip.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib/stats.mjs";
import { CLI, rawGet, startServer } from "./lib/serve.mjs";
import { pinned, SERVER_CORE } from "./lib/pin.mjs";
import { wrk } from "./lib/wrk.mjs";

const VERDACCIO = fileURLToPath(new URL("../node_modules/.bin/verdaccio", import.meta.url));
const HEADERS = { accept: "application/json", "accept-encoding": "gzip" };
const KEY = "W7-LICENSE-KEY";

/** The 200 versions both servers hold: package.json fields and dist digests of random bytes. */
function versionsOf(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const version = `1.${Math.floor(i / 10)}.${i % 10}`;
    const bytes = randomBytes(64);
    out.push({
      version,
      manifest: { name: "@acme/sdk", version, description: "Acme SDK", license: "UNLICENSED", main: "index.js", dependencies: { "@acme/core": "^1.0.0", lodash: "^4.17.21" }, engines: { node: ">=18" } },
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      shasum: createHash("sha1").update(bytes).digest("hex"),
      created: new Date(Date.UTC(2026, 0, 1) + i * 3600_000).toISOString(),
    });
  }
  return out;
}

function dataset(versions, strategy) {
  return {
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "w7-secret-key-0123456789abcdef",
      products: [{ code: "sdk", name: "SDK", distributionStrategy: strategy }],
      packages: [{ product: "sdk", key: "@acme/sdk", name: "Acme SDK", engine: "npm" }],
      releases: versions.map((v) => ({ product: "sdk", package: "@acme/sdk", version: v.version, status: "PUBLISHED", created: v.created })),
      artifacts: versions.map((v) => ({
        release: `@acme/sdk@${v.version}`, filename: `acme-sdk-${v.version}.tgz`, filetype: "tgz", filesize: 64, status: "UPLOADED",
        metadata: { npm: { integrity: v.integrity, shasum: v.shasum, manifest: v.manifest } },
      })),
      policies: [{ product: "sdk", name: "Std", authenticationStrategy: "LICENSE", expirationStrategy: "RESTRICT_ACCESS" }],
      licenses: [{ policy: "Std", key: KEY }],
    }],
  };
}

/** verdaccio's storage of the same package: its package.json as `npm publish` would have left it. */
function verdaccioStorage(dir, versions) {
  const pkgDir = join(dir, "storage", "@acme", "sdk");
  mkdirSync(pkgDir, { recursive: true });
  const doc = {
    name: "@acme/sdk", versions: {}, time: { created: versions[0].created, modified: versions.at(-1).created },
    "dist-tags": { latest: versions.at(-1).version }, _uplinks: {}, _distfiles: {}, _attachments: {}, _rev: "1-0000000000000000", users: {},
  };
  for (const v of versions) {
    doc.versions[v.version] = { ...v.manifest, _id: `@acme/sdk@${v.version}`, dist: { integrity: v.integrity, shasum: v.shasum, tarball: `http://localhost/@acme/sdk/-/sdk-${v.version}.tgz` } };
    doc.time[v.version] = v.created;
  }
  writeFileSync(join(pkgDir, "package.json"), JSON.stringify(doc));
  const config = join(dir, "config.yaml");
  writeFileSync(config, [
    `storage: ${join(dir, "storage")}`, "auth:", "  htpasswd:", `    file: ${join(dir, "htpasswd")}`, "uplinks: {}",
    "packages:", "  '@*/*':", "    access: $all", "    publish: $authenticated", "  '**':", "    access: $all",
    "log: { type: stdout, format: pretty, level: fatal }", "web:", "  enable: false", "",
  ].join("\n"));
  return config;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start verdaccio and wait until it answers. */
async function startVerdaccio(config) {
  const port = await freePort();
  const child = spawn(...pinned(SERVER_CORE, process.execPath, [VERDACCIO, "--config", config, "--listen", `127.0.0.1:${port}`]), { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}: ${err}`);
    try {
      if ((await rawGet(`${url}/-/ping`)).status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
  return { url, child, stop };
}

/** One GET, gunzipped, checked to hold `n` versions. */
async function check(name, url, headers, n) {
  const res = await rawGet(url, headers);
  if (res.status !== 200) throw new Error(`W7 ${name}: ${url} answered ${res.status}`);
  const { gunzipSync } = await import("node:zlib");
  const body = res.headers["content-encoding"] === "gzip" ? gunzipSync(res.body) : res.body;
  const count = Object.keys(JSON.parse(body.toString()).versions).length;
  if (count !== n) throw new Error(`W7 ${name}: the packument lists ${count} versions, expected ${n}`);
  return { bytes: res.body.byteLength, encoding: res.headers["content-encoding"] ?? "identity" };
}

/** Run W7: `versions` versions, each server `reps` times for `seconds`, alternating. */
export async function runW7({ versions: n, seconds, reps, connections, tmp, log }) {
  const versions = versionsOf(n);
  const dir = join(tmp, "w7");
  mkdirSync(dir, { recursive: true });
  const openFile = join(dir, "open.json");
  const licensedFile = join(dir, "licensed.json");
  writeFileSync(openFile, JSON.stringify(dataset(versions, "OPEN")));
  writeFileSync(licensedFile, JSON.stringify(dataset(versions, "LICENSED")));
  const servers = [];
  try {
    const open = await startServer(CLI, ["serve", "--data", openFile, "--port", "0", "--log-format", "none"]);
    servers.push(open);
    const licensed = await startServer(CLI, ["serve", "--data", licensedFile, "--port", "0", "--log-format", "none"]);
    servers.push(licensed);
    const verdaccio = await startVerdaccio(verdaccioStorage(dir, versions));
    servers.push(verdaccio);
    const ours = "/v1/accounts/acme/engines/npm/@acme%2fsdk";
    const routes = {
      npmPackument: { origin: open.url, path: ours, headers: HEADERS, pid: open.child.pid },
      npmPackumentLicensed: { origin: licensed.url, path: ours, headers: { ...HEADERS, authorization: `Bearer ${KEY}` }, pid: licensed.child.pid },
      verdaccio: { origin: verdaccio.url, path: "/@acme%2fsdk", headers: HEADERS, pid: verdaccio.child.pid },
    };
    for (const [name, r] of Object.entries(routes)) Object.assign(r, await check(name, `${r.origin}${r.path}`, r.headers, n));
    const script = join(dir, "w7.lua");
    const runs = Object.fromEntries(Object.keys(routes).map((k) => [k, []]));
    for (let k = 0; k < reps; k++) {
      for (const [name, r] of Object.entries(routes)) runs[name].push(await wrk(r.origin, [r.path], r.headers, { seconds, connections, script }, r.pid));
    }
    const results = {};
    const peer = median(runs.verdaccio.map((x) => x.rps));
    for (const [name, r] of Object.entries(routes)) {
      const list = runs[name];
      const bad = list.reduce((s, x) => s + x.bad, 0);
      if (bad > 0) throw new Error(`W7 ${name}: ${bad} answers were errors or timeouts`);
      const rps = median(list.map((x) => x.rps));
      results[name] = { bytes: r.bytes, encoding: r.encoding, rps, ratioToVerdaccio: rps / peer, p50us: median(list.map((x) => x.p50us)), cpuUsPerRequest: median(list.map((x) => x.cpuUsPerRequest)) };
      log(`W7 ${name}: ${rps.toFixed(0)} req/s (${(rps / peer).toFixed(2)}× verdaccio), ${r.bytes} B ${r.encoding}`);
    }
    return { versions: n, seconds, reps, connections, verdaccio: "6.8.0", routes: results };
  } finally {
    for (const s of servers) await s.stop();
  }
}
