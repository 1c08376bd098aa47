/**
 * @module bench/lib/callgrind — servers under `valgrind --tool=callgrind` (instrumentation off until
 * zeroed), requests on one keep-alive connection, and one counted window's instructions per request.
 */
import { execFile, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Start `node script ...args` under callgrind (instrumentation off, dumps in `dir`; CG_NODE_ARGS adds node flags), wait for its
 * listening line, then 1.5 s with no request: `serve --data` collects its load's garbage once idle for 250 ms, else 30 s after
 * listening whatever the traffic, which under valgrind lands in a counted window (270k instead of 70k instructions a Tauri 204).
 */
export function startUnderCallgrind(dir, name, script, args) {
  const out = join(dir, `${name}.callgrind`);
  const child = spawn("valgrind", ["--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${out}`, process.execPath, ...(process.env.CG_NODE_ARGS ?? "").split(" ").filter(Boolean), script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let text = "";
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    child.stdout.on("data", (d) => {
      text += d;
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m === null) return;
      child.removeAllListeners("exit");
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const server = { name, url: m[1], child, out, stop: () => new Promise((done) => { if (child.exitCode !== null) return done(); child.once("exit", done); child.kill("SIGTERM"); }) };
      setTimeout(() => resolve(server), 1_500);
    });
  });
}

/** `count` GETs one after another on one keep-alive connection, cycling through `paths`. */
export async function requestsOn(origin, paths, headers, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let retried = 0;
  try {
    for (let i = 0; i < count; i++) {
      await new Promise((resolve, reject) => {
        const req = request(`${origin}${paths[i % paths.length]}`, { headers, agent }, (res) => {
          res.on("data", () => {});
          res.on("end", () => (res.statusCode >= 400 ? reject(new Error(`answered ${res.statusCode}`)) : resolve()));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      }).catch((error) => {
        // A connection the server closed while idle (its keep-alive bound under valgrind's slowness): ask again on a new one.
        if (error.code !== "ECONNRESET" || retried++ > 100) throw error;
        i--;
      });
    }
  } finally {
    agent.destroy();
  }
}

/** One instrumented run of `counted` requests: the instructions the server executed per request (zeroed before, dumped after, newest dump in `dir`). */
export async function countedWindow(dir, server, paths, headers, counted) {
  const pid = String(server.child.pid);
  await run("callgrind_control", ["-z", pid]);
  await requestsOn(server.url, paths, headers, counted);
  await run("callgrind_control", ["-d", pid]);
  const dumps = readdirSync(dir).filter((f) => f.startsWith(`${server.name}.callgrind.`)).sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  return Number(/^totals: (\d+)/m.exec(readFileSync(join(dir, dumps.at(-1)), "utf8"))?.[1]) / counted;
}
