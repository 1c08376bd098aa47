/**
 * @module bench/lib/serve — start `release-engines serve` (or any server script that prints
 * `listening on http://HOST:PORT`) as a child process on the server core, timed from spawn to that line.
 */
import { spawn } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { pinned, SERVER_CORE } from "./pin.mjs";
import { nowNs } from "./stats.mjs";

/** The built CLI `npm run bench` serves with. */
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/**
 * Spawn `node <script> ...args` and resolve once it prints its listening line: `{ url, child,
 * listeningNs, stop() }`. Rejects when the process exits first or takes longer than `timeoutMs`.
 */
export function startServer(script, args, { timeoutMs = 600_000, nodeArgs = [] } = {}) {
  const t0 = nowNs();
  const child = spawn(...pinned(SERVER_CORE, process.execPath, [...nodeArgs, script, ...args]), { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not listen within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const stop = () => new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      });
      resolve({ url: m[1], child, listeningNs: nowNs() - t0, startedAt: t0, stop });
    });
  });
}

/** Headers node:http writes itself, left out of what a bare server is told to send as ours did (`--same-headers`). */
export const NODE_WRITES = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

/** The headers of an answer that node:http does not write itself. */
export function headersNodeLeaves(headers) {
  const all = {};
  for (const [h, v] of Object.entries(headers)) if (!NODE_WRITES.has(h)) all[h] = v;
  return all;
}

/** One GET on node:http without decoding: `{ status, headers, body }` (body as raw bytes). */
export function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
