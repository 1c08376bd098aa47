/**
 * @module bench/w6-publish — W6: publishing over HTTP against `release-engines serve` on SQLite and
 * PostgreSQL. (1) A publish as a CI job makes it (POST /releases, POST /artifacts → 307, PUT 1 MiB
 * to the Location, POST /releases/{id}/actions/publish), timed end to end over N publishes. (2) W3's
 * Tauri 200 and PyPI page routes under wrk while one publish per second goes into the package being
 * read, as a ratio to the same route with no writes, measured alternately in the same run (the
 * median of the back-to-back pairs' ratios).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createPostgresStore, importDataset as importPg } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { median, nowNs, quantile } from "./lib/stats.mjs";
import { CLI, rawGet, startServer } from "./lib/serve.mjs";
import { ACCOUNT_PATH as A, BASIC, buildWorld, LICENSE, PYPI_JSON, tauriVersion, WORLD } from "./lib/world.mjs";
import { cpuUs, wrk } from "./lib/wrk.mjs";

const JSONAPI = "application/vnd.api+json";
const ADMIN = { authorization: `Bearer ${WORLD.adminToken}`, accept: JSONAPI };
/** Target of issue 18 (issue 13 asked 0.8×): reads while one publish per second runs, as a share of reads without writes. */
export const W6_READ_TARGET = 0.9;
/** Bytes uploaded by every publish. */
const UPLOAD_BYTES = 1 << 20;

/** One JSON:API request as the admin; returns `{ status, headers, doc }`. */
async function api(origin, method, path, body) {
  const headers = { ...ADMIN };
  if (body !== undefined) headers["content-type"] = JSONAPI;
  const res = await fetch(`${origin}${A}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
  const text = await res.text();
  return { status: res.status, headers: res.headers, doc: text === "" ? null : JSON.parse(text) };
}

function expect(step, res, status) {
  if (res.status !== status) throw new Error(`W6 ${step}: answered ${res.status}, expected ${status}: ${JSON.stringify(res.doc).slice(0, 400)}`);
}

/** What a publish into `target` ("tauri" or "pypi") creates: the release's product, package and the artifact's attributes. */
function publishOf(target, version, bytes) {
  const checksum = createHash("sha256").update(bytes).digest("hex");
  if (target === "tauri") {
    const filename = `App_${version}_amd64.AppImage.tar.gz`;
    const signature = Buffer.from(`untrusted comment: signature from tauri secret key\nbench ${version}\ntrusted comment: ${version}`).toString("base64");
    return { product: WORLD.productApp, pkg: WORLD.pkgTauri, artifact: { filename, filetype: "gz", platform: "linux", arch: "x86_64", filesize: bytes.byteLength, checksum, signature } };
  }
  const filename = `bench_py-${version}-py3-none-any.whl`;
  return { product: WORLD.productPy, pkg: WORLD.pkgPypi, artifact: { filename, filetype: "whl", filesize: bytes.byteLength, checksum } };
}

/** One whole publish over HTTP; resolves to its duration in ns once the release is PUBLISHED. */
export async function publish(origin, target, version, bytes) {
  const t0 = nowNs();
  const { product, pkg, artifact } = publishOf(target, version, bytes);
  const rel = await api(origin, "POST", "/releases", {
    data: {
      type: "releases", attributes: { version, channel: "stable" },
      relationships: { product: { data: { type: "products", id: product } }, package: { data: { type: "packages", id: pkg } } },
    },
  });
  expect(`create release ${version}`, rel, 201);
  const releaseId = rel.doc.data.id;
  const art = await api(origin, "POST", "/artifacts", { data: { type: "artifacts", attributes: artifact, relationships: { release: { data: { type: "releases", id: releaseId } } } } });
  expect(`create artifact ${artifact.filename}`, art, 307);
  const location = art.headers.get("location");
  if (!location) throw new Error("W6: the 307 of POST /artifacts has no Location");
  const put = await fetch(location, { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" } });
  const putText = await put.text();
  if (put.status !== 200) throw new Error(`W6 upload of ${artifact.filename}: answered ${put.status}: ${putText.slice(0, 400)}`);
  const pub = await api(origin, "POST", `/releases/${releaseId}/actions/publish`);
  expect(`publish ${version}`, pub, 200);
  if (pub.doc.data.attributes.status !== "PUBLISHED") throw new Error(`W6: release ${version} is ${pub.doc.data.attributes.status} after publishing`);
  return nowNs() - t0;
}

/** Publish once per second (the next starts a second after the previous one started) until `stop()`; `stop()` resolves to the durations (ns). */
function publishEverySecond(next) {
  let stopped = false;
  const durations = [];
  const loop = (async () => {
    while (!stopped) {
      const t0 = nowNs();
      durations.push(await next());
      const wait = 1000 - (nowNs() - t0) / 1e6;
      if (wait > 0 && !stopped) await new Promise((done) => setTimeout(done, wait));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return durations;
  };
}

/** Make a store of `ds` and start `serve` on it: `{ server, pid }`. */
async function serveStore(name, ds, tmp, pg) {
  const dir = join(tmp, `w6-${name}`);
  mkdirSync(dir, { recursive: true });
  let args;
  if (name === "sqlite") {
    const filename = join(dir, "bench.sqlite");
    const store = createSqliteStore({ filename });
    await importSqlite(store, ds);
    await store.close();
    args = ["--db", filename];
  } else {
    const url = await pg.createDatabase("bench_w6");
    const store = createPostgresStore({ connectionString: url });
    await importPg(store, ds);
    await store.close();
    args = ["--database-url", url];
  }
  return startServer(CLI, ["serve", ...args, "--blobs", join(dir, "blobs"), "--port", "0", "--log-format", "none"]);
}

/**
 * Run W6 on SQLite and (when `pg` is given) PostgreSQL: `publishes` timed publishes, then each read
 * route `reps` times for `seconds` without and with one publish per second, alternating.
 */
export async function runW6({ tauri, pypiFiles, publishes, seconds, reps, connections, tmp, pg, log }) {
  const ds = buildWorld({ tauri, pypiFiles, admin: true });
  const bytes = randomBytes(UPLOAD_BYTES);
  const stores = {};
  for (const name of pg ? ["sqlite", "postgres"] : ["sqlite"]) {
    const server = await serveStore(name, ds, tmp, pg);
    try {
      let n = 0;
      const nextVersion = () => `100.${Math.floor(n / 1000)}.${n++ % 1000}`;

      // (1) Publishes on an otherwise idle server, alternating between the Tauri and the PyPI package.
      const durations = [];
      const cpuBefore = cpuUs(server.child.pid);
      for (let k = 0; k < publishes; k++) durations.push(await publish(server.url, k % 2 === 0 ? "tauri" : "pypi", nextVersion(), bytes));
      const serverCpuMs = (cpuUs(server.child.pid) - cpuBefore) / 1e3 / publishes;
      const check = `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${tauriVersion(5).version}`;
      const offered = await rawGet(`${server.url}${check}`, LICENSE);
      const newest = `100.0.${publishes % 2 === 0 ? publishes - 2 : publishes - 1}`;
      if (offered.status !== 200 || JSON.parse(offered.body).version !== newest) throw new Error(`W6 ${name}: a Tauri check was not offered the newest published release ${newest}: ${offered.status} ${offered.headers["release-engines-reason"] ?? ""} ${offered.body}`);
      const publish1 = { n: durations.length, medianMs: median(durations) / 1e6, p95Ms: quantile(durations, 0.95) / 1e6, serverCpuMs, bytes: UPLOAD_BYTES };
      log(`W6 ${name}: publish (create + upload 1 MiB + publish) median ${publish1.medianMs.toFixed(1)} ms, p95 ${publish1.p95Ms.toFixed(1)} ms over ${publish1.n}; serve's CPU ${serverCpuMs.toFixed(1)} ms per publish`);

      // (2) W3's read routes, each alternately without writes and with a publish per second into its package.
      const with200 = [];
      for (let i = 0; i < tauri && with200.length < 32; i += 5) {
        const path = `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(i).version)}`;
        if ((await rawGet(`${server.url}${path}`, LICENSE)).status === 200) with200.push(path);
      }
      if (with200.length === 0) throw new Error("W6: no Tauri path answers 200");
      const routes = {
        tauri200: { paths: with200, headers: LICENSE, target: "tauri" },
        pypiPage: { paths: [`${A}/engines/pypi/simple/${WORLD.pypiKey}/`], headers: { ...BASIC, accept: PYPI_JSON }, target: "pypi" },
      };
      const opts = { seconds, connections, script: join(tmp, "w6.lua") };
      const reads = {};
      for (const [route, r] of Object.entries(routes)) {
        const quiet = [];
        const busy = [];
        const writes = [];
        let bad = 0;
        for (let k = 0; k < reps; k++) {
          for (const withWrites of k % 2 === 0 ? [false, true] : [true, false]) {
            const stop = withWrites ? publishEverySecond(() => publish(server.url, r.target, nextVersion(), bytes)) : null;
            const x = await wrk(server.url, r.paths, r.headers, opts, server.child.pid);
            if (stop) writes.push(...(await stop()));
            (withWrites ? busy : quiet).push(x);
            bad += x.bad;
          }
        }
        if (bad > 0) throw new Error(`W6 ${name} ${route}: ${bad} answers were errors or timeouts`);
        const rps = median(busy.map((x) => x.rps));
        const quietRps = median(quiet.map((x) => x.rps));
        // Each pair ran back to back, so its ratio cancels the slow drift of other load on the machine.
        const pairRatios = busy.map((x, k) => x.rps / quiet[k].rps);
        const ratio = median(pairRatios);
        reads[route] = {
          rps, quietRps, ratio, pairRatios, target: W6_READ_TARGET, publishes: writes.length, publishMedianMs: median(writes) / 1e6,
          p50us: median(busy.map((x) => x.p50us)), quietP50us: median(quiet.map((x) => x.p50us)),
          cpuUsPerRequest: median(busy.map((x) => x.cpuUsPerRequest)), quietCpuUsPerRequest: median(quiet.map((x) => x.cpuUsPerRequest)),
        };
        log(`W6 ${name} ${route}: ${rps.toFixed(0)} req/s with a publish per second vs ${quietRps.toFixed(0)} req/s without; ratio ${ratio.toFixed(2)}× (median of ${reps} back-to-back pairs; target ≥ ${W6_READ_TARGET}×; ${writes.length} publishes, median ${(median(writes) / 1e6).toFixed(0)} ms)`);
      }
      stores[name] = { publish: publish1, reads };
    } finally {
      await server.stop();
    }
  }
  return { tauri, pypiFiles, seconds, reps, connections, threads: 1, uploadBytes: UPLOAD_BYTES, stores };
}
