/**
 * @module bench/callgrind-inprocess — bench/profile-edge's in-process requests counted in instructions:
 * run under `valgrind --tool=callgrind --instr-atstart=no`, it warms each route up, then has callgrind
 * count a fixed number of requests (instrumentation on and zeroed, then dumped) and prints instructions
 * per request (every thread, GC included). DIST picks a build (a copy of `dist/` from before a change;
 * it needs a node_modules beside it). Load changes how long this takes, not what it counts.
 * Usage: CG_OUT=OUT valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=OUT node bench/callgrind-inprocess.mjs DIST ROUTE,... [REQUESTS, default 3000] [WARM-UP, default 20000]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { edgeListener, edgeRoutes, request } from "./lib/edge.mjs";

const [distDir, routeArg, countText = "3000", warmText = "20000"] = process.argv.slice(2);
const count = Number(countText);
const warmup = Number(warmText);
const load = (file) => import(pathToFileURL(resolve(distDir, file)).href);
const listener = edgeListener(await load("index.js"), await load("node.js"));
const routes = await edgeRoutes(listener);
/** The callgrind output file this process writes (valgrind's --callgrind-out-file, passed again as CG_OUT). */
const out = process.env.CG_OUT;
if (out === undefined) throw new Error("set CG_OUT to valgrind's --callgrind-out-file");
const pid = String(process.pid);
for (const name of routeArg.split(",")) {
  const r = routes[name];
  if (r === undefined) throw new Error(`no route ${name}`);
  for (let i = 0; i < warmup; i++) await request(listener, r.paths[i % r.paths.length], r.headers);
  execFileSync("callgrind_control", ["-i", "on", pid], { stdio: "ignore" });
  const perRequest = [];
  for (let w = 0; w < 2; w++) {
    execFileSync("callgrind_control", ["-z", pid], { stdio: "ignore" });
    for (let i = 0; i < count; i++) await request(listener, r.paths[i % r.paths.length], r.headers);
    execFileSync("callgrind_control", ["-d", pid], { stdio: "ignore" });
    const dumps = readdirSync(dirname(out)).filter((f) => f.startsWith(`${basename(out)}.`)).sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
    perRequest.push(Number(/^totals: (\d+)/m.exec(readFileSync(resolve(dirname(out), dumps.at(-1)), "utf8"))?.[1]) / count);
  }
  execFileSync("callgrind_control", ["-i", "off", pid], { stdio: "ignore" });
  console.log(`${name}: ${(perRequest[1] / 1e3).toFixed(1)}k instructions/request (first window ${(perRequest[0] / 1e3).toFixed(1)}k)`);
}
