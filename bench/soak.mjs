#!/usr/bin/env node
/**
 * Load and soak (issue 9, item 4): runs `release-engines serve` on the demo dataset with the memory
 * store and with a SQLite store, and drives it with N keep-alive connections of mixed traffic
 * (Engines, PyPI pages in HTML and JSON, Tauri checks, raw redirects, artifact redirects and blob
 * downloads, conditional requests, refusals) for a while. It fails (exit 1) unless:
 *   - no request failed (every status and normalised body equals the one recorded before the load),
 *   - resident memory of the server is flat: mean RSS of the last 10 % of samples is within
 *     --max-growth-mb of the first 10 % (sampled after a warm-up),
 *   - the answers after the load are the same as before it.
 *
 *   node bench/soak.mjs [--duration 60] [--connections 100] [--stores memory,sqlite]
 *                       [--warmup 5] [--max-growth-mb 32] [--json]
 *
 * `npm run soak:smoke` runs it for a few seconds. Node built-ins only: node:http with a keep-alive
 * agent limited to N sockets is the load generator.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DEMO = join(ROOT, "examples", "demo");
const DATASET = join(DEMO, "dataset.json");

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "100" },
    stores: { type: "string", default: "memory,sqlite" },
    warmup: { type: "string" },
    "max-growth-mb": { type: "string", default: "32" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0]);
  process.exit(0);
}
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP_S = args.warmup !== undefined ? Number(args.warmup) : Math.min(5, Math.max(1, DURATION_S / 10));
const MAX_GROWTH = Number(args["max-growth-mb"]) * 1024 * 1024;
const STORES = args.stores.split(",").map((s) => s.trim()).filter(Boolean);
for (const [name, v] of [["duration", DURATION_S], ["connections", CONNECTIONS], ["warmup", WARMUP_S], ["max-growth-mb", MAX_GROWTH]]) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
}
for (const s of STORES) if (s !== "memory" && s !== "sqlite") throw new Error(`unknown store '${s}' (memory, sqlite)`);

const ADMIN = "Bearer admin-demo0000000000000000000000000000000000000000000000000000000000v3";
const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
const A = "/v1/accounts/demo";

/** The traffic mix: method, path, headers, and whether a 303 is followed to the bytes (a download). */
const MIX = [
  { path: `${A}/engines` },
  { path: `${A}/engines?page[number]=1&page[size]=2`, headers: { authorization: ADMIN } },
  { path: `${A}/engines/pypi` },
  { path: `${A}/engines/pypi/simple/` },
  { path: `${A}/engines/pypi/simple/`, headers: { accept: PIP_ACCEPT, authorization: basic("license", "DEMO-PRO-KEY") } },
  { path: `${A}/engines/pypi/simple/demo-sdk/` },
  { path: `${A}/engines/pypi/simple/demo-sdk/`, headers: { accept: PIP_ACCEPT } },
  { path: `${A}/engines/pypi/simple/demo-sdk/`, headers: { "accept-encoding": "gzip" } },
  { path: `${A}/engines/pypi/simple/demo-pro/`, headers: { accept: PIP_ACCEPT, authorization: basic("license", "DEMO-PRO-KEY") } },
  { path: `${A}/engines/pypi/simple/demo-pro/` },
  { path: `${A}/engines/pypi/simple/Demo_SDK` },
  { path: `${A}/engines/tauri/demo-app?platform=linux&arch=x86_64&version=1.0.0` },
  { path: `${A}/engines/tauri/demo-app?platform=darwin&arch=aarch64&version=1.0.0` },
  { path: `${A}/engines/tauri/demo-app?platform=linux&arch=x86_64&version=1.1.0` },
  { path: `${A}/engines/tauri/demo-app?platform=linux&arch=x86_64` },
  { path: `${A}/engines/raw/cli/latest/demo-tool_linux_amd64`, headers: { authorization: "License DEMO-CLI-KEY" } },
  { path: `${A}/engines/raw/cli/1.0.0/demo-tool_linux_amd64?auth=license:DEMO-CLI-KEY` },
  { path: `${A}/engines/raw/cli/1.0.0/demo-tool_linux_amd64` },
  { path: `${A}/engines/raw/app/@demo-app/1.1.0/DemoApp_1.1.0_amd64.AppImage.tar.gz` },
  { path: `${A}/engines/raw/sdk/@demo-sdk/latest/demo_sdk-1.1.0-py3-none-any.whl`, follow: true },
  { path: `${A}/artifacts/demo_sdk-1.0.0-py3-none-any.whl`, follow: true },
  { path: `${A}/artifacts/demo_pro-2.0.0-py3-none-any.whl`, headers: { authorization: "License DEMO-PRO-KEY" }, follow: true },
  { path: `${A}/artifacts/DemoApp_1.1.0_amd64.AppImage.tar.gz`, follow: true },
  { path: `${A}/artifacts/demo_pro-2.0.0-py3-none-any.whl` },
  { path: `${A}/engines/nope` },
  { path: `${A}/engines?limit=1000` },
  { path: "/v1/accounts/ghost/engines" },
  { method: "HEAD", path: `${A}/engines/pypi/simple/demo-sdk/` },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request over the shared keep-alive agent; resolves with status, headers and body bytes. */
function send(agent, origin, { method = "GET", path, headers = {} }) {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on("error", reject);
    req.end();
  });
}

/** A request's answer reduced to what must not change: status, content type, location and body (signed URL parts and request ids blanked). */
async function answer(agent, origin, item) {
  const res = await send(agent, origin, item);
  const blank = (s) => s.replace(/expires=\d+&kid=[^&"]+&signature=[0-9a-f]{64}/g, "expires=…").replace(/"meta":\{"id":"[^"]+"\}/, "");
  let body = blank(res.body.toString("latin1"));
  let location = res.headers.location ? blank(new URL(res.headers.location, origin).pathname + new URL(res.headers.location, origin).search) : null;
  if (item.follow && res.status === 303) {
    const blob = await send(agent, origin, { path: new URL(res.headers.location, origin).pathname + new URL(res.headers.location, origin).search, headers: item.headers });
    // The artifact's own 303 carries a signed blob URL whose expiry moves with the clock: blank it too.
    const followed = blank(blob.body.toString("latin1"));
    body += ` -> ${blob.status} ${blob.body.length} ${createHash("sha256").update(followed, "latin1").digest("hex")}`;
  }
  return `${res.status} ${res.headers["content-type"] ?? ""} ${res.headers["content-encoding"] ?? ""} ${location ?? ""}\n${body}`;
}

/** Resident set size of a process in bytes (Linux /proc). */
function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Start `release-engines serve` and wait for its `listening on` line. */
function startServer(cliArgs) {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli.ts"), "serve", ...cliArgs, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 60_000);
    child.stdout.on("data", (c) => {
      // Only the tail is kept: serve writes an access line per request.
      out = (out + c).slice(-65536);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, origin: m[1], output: () => out });
      }
    });
    child.stderr.on("data", (c) => (out = (out + c).slice(-65536)));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function soak(store, dir) {
  let cliArgs = ["--data", DATASET];
  if (store === "sqlite") {
    const db = join(dir, "soak.sqlite");
    const imported = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli.ts"), "import", DATASET, "--db", db], { cwd: ROOT, encoding: "utf8" });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    cliArgs = ["--db", db, "--blobs", DEMO];
  }
  const { child, origin } = await startServer(cliArgs);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
  try {
    const expected = [];
    for (const item of MIX) expected.push(await answer(agent, origin, item));

    let stop = false;
    let requests = 0;
    let failures = 0;
    const failureSamples = [];
    const latencies = [];
    let measuring = false;
    const worker = async (w) => {
      for (let i = w; !stop; i++) {
        const k = i % MIX.length;
        const started = performance.now();
        try {
          const got = await answer(agent, origin, MIX[k]);
          if (got !== expected[k]) throw new Error(`answer changed for ${MIX[k].path}:\n${got.slice(0, 300)}\n--- expected ---\n${expected[k].slice(0, 300)}`);
        } catch (error) {
          failures++;
          if (failureSamples.length < 5) failureSamples.push(String(error?.message ?? error));
        }
        if (measuring) {
          requests++;
          latencies.push(performance.now() - started);
        }
      }
    };
    const workers = Array.from({ length: CONNECTIONS }, (_, w) => worker(w));
    await sleep(WARMUP_S * 1000);
    measuring = true;
    const samples = [];
    const t0 = performance.now();
    while (performance.now() - t0 < DURATION_S * 1000) {
      samples.push(rss(child.pid));
      await sleep(Math.max(100, Math.min(1000, (DURATION_S * 1000) / 50)));
    }
    samples.push(rss(child.pid));
    const elapsed = (performance.now() - t0) / 1000;
    measuring = false;
    stop = true;
    await Promise.all(workers);

    const after = [];
    for (const item of MIX) after.push(await answer(agent, origin, item));
    const changedAfter = MIX.filter((_, i) => after[i] !== expected[i]).map((m) => m.path);

    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const first = mean(samples.slice(0, tenth));
    const last = mean(samples.slice(-tenth));
    latencies.sort((a, b) => a - b);
    return {
      store,
      connections: CONNECTIONS,
      seconds: Number(elapsed.toFixed(1)),
      requests,
      rps: Math.round(requests / elapsed),
      failures,
      failureSamples,
      p50ms: Number(percentile(latencies, 50).toFixed(1)),
      p99ms: Number(percentile(latencies, 99).toFixed(1)),
      rssFirstMb: Number((first / 1048576).toFixed(1)),
      rssLastMb: Number((last / 1048576).toFixed(1)),
      rssGrowthMb: Number(((last - first) / 1048576).toFixed(1)),
      changedAfter,
      ok: failures === 0 && last - first <= MAX_GROWTH && changedAfter.length === 0 && requests > 0,
    };
  } finally {
    agent.destroy();
    await stopServer(child);
  }
}

const dir = mkdtempSync(join(tmpdir(), "re-soak-"));
let ok = true;
const results = [];
try {
  for (const store of STORES) {
    const r = await soak(store, dir);
    results.push(r);
    ok &&= r.ok;
    if (!args.json) {
      console.log(
        `${r.ok ? "ok  " : "FAIL"} ${r.store.padEnd(6)} ${r.connections} conns ${r.seconds}s: ${r.requests} requests (${r.rps}/s), ${r.failures} failed, ` +
          `p50 ${r.p50ms} ms p99 ${r.p99ms} ms, RSS ${r.rssFirstMb} -> ${r.rssLastMb} MB (${r.rssGrowthMb >= 0 ? "+" : ""}${r.rssGrowthMb}), ` +
          `answers after load ${r.changedAfter.length === 0 ? "unchanged" : `CHANGED: ${r.changedAfter.join(", ")}`}`,
      );
      for (const f of r.failureSamples) console.log(`     ${f.split("\n").join("\n     ")}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (args.json) console.log(JSON.stringify(results, null, 2));
process.exit(ok ? 0 : 1);
