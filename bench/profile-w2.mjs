/**
 * @module bench/profile-w2 — W2's cold PyPI page render of several builds, alternated in one
 * process (so machine load hits every build alike), each as a ratio to the same run's
 * `JSON.stringify` floor. `node bench/profile-w2.mjs [--files=1000] [--rounds=15] [dist/index.js ...]`
 * (default: this tree's dist). Builds of older commits: `npx tsup --no-config src/index.ts --format esm`.
 * `--count=html|json|floor` (one build, run under `valgrind --tool=callgrind --instr-atstart=no`): after
 * the warm-up, instrumentation is switched on for `rounds` renders (or floors) alone and dumped, so
 * instructions per render are the dump's total over `rounds`, whatever the machine's load.
 */
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { buildWorld, WORLD } from "./lib/world.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const files = flag("files", 1000);
const rounds = flag("rounds", 15);
const count = args.find((a) => a.startsWith("--count="))?.split("=")[1];
const dists = args.filter((a) => !a.startsWith("--"));
if (dists.length === 0) dists.push("dist/index.js");

const NOW = new Date("2026-06-01T00:00:00Z");
const ACCEPT = { html: "text/html", json: "application/vnd.pypi.simple.v1+json" };
const now = () => process.hrtime.bigint();

const builds = [];
for (const path of dists) {
  const sdk = await import(pathToFileURL(resolve(path)).href);
  const ds = buildWorld({ pypiFiles: files });
  const store = sdk.createMemoryStore(ds);
  const license = ds.licenses.find((l) => l.id === WORLD.licensePy);
  const policy = ds.policies.find((p) => p.id === license.policyId);
  const principal = { kind: "license", license: { license, policy, owner: null }, via: "key", token: null };
  const ctx = { store, now: NOW, account: ds.accounts[0], principal, scope: sdk.scopeOf(principal, NOW), lookupScope: sdk.scopeOf(principal, NOW, true), origin: "http://bench.local" };
  const render = async (format) => {
    const input = { project: WORLD.pypiKey, trailingSlash: true, search: "", headers: new Headers({ accept: ACCEPT[format] }), cache: sdk.createPageCache() };
    const result = await sdk.renderPep503Index(ctx, input);
    if (result.status !== 200) throw new Error(`${path}: ${format} answered ${result.status}`);
    return result.body;
  };
  const rows = await store.listPackageArtifacts(ds.accounts[0].id, WORLD.pkgPypi, ctx.lookupScope);
  const entries = rows.map((r) => r.artifact);
  builds.push({ path, render, entries, bodies: { html: await render("html"), json: await render("json") }, samples: { html: [], json: [], floor: [] } });
}

const encoder = new TextEncoder();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Warm-up (JIT) for every build, then alternate builds within each round.
for (const b of builds) for (let i = 0; i < 10; i++) { await b.render("html"); await b.render("json"); encoder.encode(JSON.stringify(b.entries)); }
if (count !== undefined) {
  const b = builds[0];
  const callgrind = (...flags) => execFileSync("callgrind_control", [...flags, String(process.pid)], { stdio: "ignore" });
  callgrind("-i", "on");
  callgrind("-z");
  for (let r = 0; r < rounds; r++) {
    if (count === "floor") encoder.encode(JSON.stringify(b.entries));
    else await b.render(count);
  }
  callgrind("-d");
  callgrind("-i", "off");
  console.log(`counted ${rounds} × ${count} of ${b.path} (${files} files)`);
  process.exit(0);
}
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    for (const format of ["html", "json"]) {
      const t0 = now();
      await b.render(format);
      b.samples[format].push(Number(now() - t0));
    }
    const t0 = now();
    encoder.encode(JSON.stringify(b.entries));
    b.samples.floor.push(Number(now() - t0));
  }
}
const floor = median(builds.flatMap((b) => b.samples.floor));
const same = (a, b) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
console.log(`${files} files, ${rounds} rounds; floor (JSON.stringify + UTF-8 of the artifacts) ${(floor / 1e6).toFixed(3)} ms`);
for (const b of builds) {
  const html = median(b.samples.html);
  const json = median(b.samples.json);
  const identical = same(b.bodies.html, builds[0].bodies.html) && same(b.bodies.json, builds[0].bodies.json);
  console.log(`${b.path}: html ${(html / 1e6).toFixed(3)} ms (${(html / floor).toFixed(2)}×), json ${(json / 1e6).toFixed(3)} ms (${(json / floor).toFixed(2)}×)${identical ? "" : " [bytes differ from the first build]"}`);
}
