/**
 * @module bench/lib/wrk — one wrk run on loopback over a list of paths (a Lua script cycles
 * through them), on the load core, with the server's CPU time per request read from /proc.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { LOAD_CORE, pinned } from "./pin.mjs";

const run = promisify(execFile);

function luaScript(paths, headers) {
  const lines = Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  return `${lines.join("\n")}
local paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
`;
}

/** CPU time (user + system, every thread) a process has used, in µs; NaN where /proc is missing. */
export function cpuUs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 1e4; // clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

/** One wrk run: requests per second, p50 latency (µs), errors, and the server's CPU µs per request (`pid`). */
export async function wrk(origin, paths, headers, { seconds, connections, script }, pid) {
  writeFileSync(script, luaScript(paths, headers));
  const cpuBefore = cpuUs(pid);
  const { stdout } = await run(...pinned(LOAD_CORE, "wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, `${origin}${paths[0]}`]), { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(stdout)?.[1] ?? 0);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p50us = p50 ? Number(p50[1]) * { us: 1, ms: 1000, s: 1e6 }[p50[2]] : Number.NaN;
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`wrk gave no throughput:\n${stdout}`);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  return { rps, bad, p50us, cpuUsPerRequest: (cpuUs(pid) - cpuBefore) / requests };
}
