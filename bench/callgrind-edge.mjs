/**
 * @module bench/callgrind-edge — W3's routes counted in instructions, not seconds: `release-engines serve`
 * (memory store) and the bare node:http baseline (and hazel, for the Tauri check) each run under
 * `valgrind --tool=callgrind` with instrumentation off; one keep-alive client asks a route a fixed number
 * of times to warm it up, then `callgrind_control` turns instrumentation on, zeroes, lets a counted
 * run of requests through and dumps; the dump's total (every thread: V8's GC helpers included)
 * divided by the requests is the route's instructions per request. Load on the machine changes how long this takes, not what it counts.
 * With CG_KEEP=DIR the callgrind dumps are copied there (for `callgrind_annotate`); CG_NODE_ARGS adds node flags
 * (`--perf-basic-prof` writes /tmp/perf-PID.map, which names the JIT code addresses of a dump).
 * Usage (after `npm run build`): [CG_DIST=DIR] [CG_BEFORE=DIR] [CG_KEEP=DIR] node bench/callgrind-edge.mjs [ROUTE,... default all] [REQUESTS COUNTED, default 1000] [WARM-UP REQUESTS, default 30000]
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { countedWindow, requestsOn, startUnderCallgrind } from "./lib/callgrind.mjs";
import { headersNodeLeaves, rawGet } from "./lib/serve.mjs";
import { ACCOUNT_PATH as A, BASIC, buildWorld, discoverPaths, LICENSE, PYPI_JSON, PYPI_PATH as pypiPath, WORLD, writeDatasetFile } from "./lib/world.mjs";

const run = promisify(execFile);
/** The build to serve: `CG_DIST=DIR` counts another copy of `dist/` (a build from before a change). */
const CLI = process.env.CG_DIST ? join(process.env.CG_DIST, "cli.js") : fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const BASELINE = fileURLToPath(new URL("./baseline-server.mjs", import.meta.url));
const HAZEL = fileURLToPath(new URL("./hazel-server.mjs", import.meta.url));
/** `CG_BEFORE=DIR`: also count that copy of `dist/` (a build from before a change), beside the same bare server. */
const BEFORE_CLI = process.env.CG_BEFORE ? join(process.env.CG_BEFORE, "cli.js") : null;
const routeArg = process.argv[2] ?? "all";
const counted = Number(process.argv[3] ?? 1_000);
const warmup = Number(process.argv[4] ?? 30_000);
const tmp = mkdtempSync(join(tmpdir(), "re-callgrind-"));


/**
 * Instructions per request on a route after `warmup` requests: two instrumented runs, the lower
 * reported (code V8 compiles late, or a collection landing in a window, only ever adds); they should agree within a few per cent.
 */
async function instructionsPerRequest(server, paths, headers) {
  await requestsOn(server.url, paths, headers, warmup);
  const pid = String(server.child.pid);
  await run("callgrind_control", ["-i", "on", pid]);
  const first = await countedWindow(tmp, server, paths, headers, counted);
  const second = await countedWindow(tmp, server, paths, headers, counted);
  await run("callgrind_control", ["-i", "off", pid]);
  return { first, second, perRequest: Math.min(first, second) };
}

/** A route's headers for another build: a 304 carries that build's own ETag. */
async function headersFor(server, name, r) {
  if (name !== "pypi304") return r.headers;
  const { "if-none-match": _, ...plain } = r.headers;
  return { ...plain, "if-none-match": (await rawGet(`${server.url}${r.paths[0]}`, plain)).headers.etag };
}

const servers = [];
try {
  const file = join(tmp, "dataset.json");
  await writeDatasetFile(file, buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 }));
  const ours = await startUnderCallgrind(tmp, "serve", CLI, ["serve", "--data", file, "--port", "0", "--log-format", "none"]);
  servers.push(ours);
  // `before` is asked the same path-finding requests (below): a server that never saw them counted ~3k fewer a Tauri 204.
  const { with200, upToDate, page } = await discoverPaths(ours.url, rawGet);
  const routes = {
    tauri200: { paths: with200, headers: LICENSE, status: 200 },
    tauri204: { paths: [upToDate], headers: LICENSE, status: 204 },
    raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
    pypi304: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "if-none-match": page.headers.etag }, status: 304 },
    pypiPageGzip: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "accept-encoding": "gzip" }, status: 200 },
  };
  const chosen = Object.entries(routes).filter(([name]) => routeArg === "all" || routeArg.split(",").includes(name));
  const spec = {};
  for (const [name, r] of chosen) {
    const res = await rawGet(`${ours.url}${r.paths[0]}`, r.headers);
    if (res.status !== r.status) throw new Error(`${name} answered ${res.status}, expected ${r.status}`);
    const keep = {};
    for (const h of ["content-type", "location", "content-encoding"]) if (res.headers[h] !== undefined) keep[h] = res.headers[h];
    spec[name] = { status: res.status, headers: keep, allHeaders: headersNodeLeaves(res.headers), bodyBase64: res.body.toString("base64") };
  }
  writeFileSync(join(tmp, "spec.json"), JSON.stringify(spec));
  /** Each route's request headers for `before` (its own ETag on a 304). */
  const beforeHeaders = {};
  const before = BEFORE_CLI === null ? null : await startUnderCallgrind(tmp, "before", BEFORE_CLI, ["serve", "--data", file, "--port", "0", "--log-format", "none"]);
  if (before) {
    servers.push(before);
    await discoverPaths(before.url, rawGet);
    for (const [name, r] of chosen) {
      beforeHeaders[name] = await headersFor(before, name, r);
      await rawGet(`${before.url}${r.paths[0]}`, beforeHeaders[name]);
    }
  }
  const bare = await startUnderCallgrind(tmp, "bare", BASELINE, [join(tmp, "spec.json")]);
  servers.push(bare);
  // The same bare server sending every header ours sent: node:http validates and writes each one, a cost ours cannot skip.
  const bareSame = await startUnderCallgrind(tmp, "bare-same", BASELINE, [join(tmp, "spec.json"), "--same-headers"]);
  servers.push(bareSame);
  const hazel = chosen.some(([name]) => name === "tauri200") ? await startUnderCallgrind(tmp, "hazel", HAZEL, ["2.0.0"]) : null;
  if (hazel) servers.push(hazel);
  for (const [name, r] of chosen) {
    const us = await instructionsPerRequest(ours, r.paths, r.headers);
    const base = await instructionsPerRequest(bare, [`/${name}`], {});
    const same = await instructionsPerRequest(bareSame, [`/${name}`], {});
    const earlier = before === null ? null : await instructionsPerRequest(before, r.paths, beforeHeaders[name]);
    const k = (r) => `${(r.perRequest / 1e3).toFixed(1)}k (runs ${(r.first / 1e3).toFixed(1)}k, ${(r.second / 1e3).toFixed(1)}k)`;
    let line = `${name}: ours ${k(us)} instructions/request, bare ${k(base)}: bare/ours ${(base.perRequest / us.perRequest).toFixed(2)}×; bare with our headers ${k(same)}: ${(same.perRequest / us.perRequest).toFixed(2)}×`;
    if (earlier) line += `; before ${k(earlier)}: bare/before ${(base.perRequest / earlier.perRequest).toFixed(2)}×, ours/before ${(us.perRequest / earlier.perRequest).toFixed(2)}×`;
    if (name === "tauri200" && hazel) {
      const h = await instructionsPerRequest(hazel, ["/update/appimage/1.0.0"], {});
      line += `; hazel ${k(h)}: hazel/ours ${(h.perRequest / us.perRequest).toFixed(2)}×`;
    }
    console.log(line);
  }
} finally {
  for (const s of servers) await s.stop();
  if (process.env.CG_KEEP) for (const f of readdirSync(tmp)) if (f.includes(".callgrind")) cpSync(join(tmp, f), join(process.env.CG_KEEP, f));
  rmSync(tmp, { recursive: true, force: true });
}
