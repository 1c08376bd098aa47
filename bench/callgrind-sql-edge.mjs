/**
 * @module bench/callgrind-sql-edge — W3's routes counted in instructions on each store: `release-engines
 * serve` on the memory store, on a SQLite file and on PostgreSQL with `--cache listen` (same world), each
 * under `valgrind --tool=callgrind` with instrumentation off; one keep-alive client warms a route up, then
 * `callgrind_control` zeroes, lets a counted run through and dumps: the dump's total over the requests is
 * the route's instructions per request (every thread). Repeatable under load, for A/B of the SQL stores' warm path.
 * Usage (after `npm run build`): [CG_DIST=DIR] node bench/callgrind-sql-edge.mjs [STORES, default memory,sqlite,postgresListen] [ROUTES, default all] [REQUESTS COUNTED, default 1000] [WARM-UP, default 20000]
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPostgresStore, importDataset as importPostgres } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { startPostgres } from "./lib/pg.mjs";
import { countedWindow, requestsOn, startUnderCallgrind } from "./lib/callgrind.mjs";
import { rawGet } from "./lib/serve.mjs";
import { ACCOUNT_PATH as A, BASIC, buildWorld, discoverPaths, LICENSE, PYPI_JSON, PYPI_PATH as pypiPath, WORLD, writeDatasetFile } from "./lib/world.mjs";

const run = promisify(execFile);
const CLI = process.env.CG_DIST ? join(process.env.CG_DIST, "cli.js") : fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const storeArg = (process.argv[2] ?? "memory,sqlite,postgresListen").split(",");
const routeArg = process.argv[3] ?? "all";
const counted = Number(process.argv[4] ?? 1_000);
const warmup = Number(process.argv[5] ?? 20_000);
const tmp = mkdtempSync(join(tmpdir(), "re-callgrind-sql-"));


const servers = [];
let pg = null;
try {
  const ds = buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 });
  const args = {};
  if (storeArg.includes("memory")) {
    const file = join(tmp, "dataset.json");
    await writeDatasetFile(file, ds);
    args.memory = ["--data", file];
  }
  if (storeArg.includes("sqlite")) {
    const file = join(tmp, "w.sqlite");
    const s = createSqliteStore({ filename: file });
    await importSqlite(s, ds);
    await s.close();
    args.sqlite = ["--db", file];
  }
  if (storeArg.includes("postgresListen") || storeArg.includes("postgres")) {
    pg = await startPostgres();
    if (pg.unavailable) throw new Error(pg.unavailable);
    const url = await pg.createDatabase("cg_sql");
    const s = createPostgresStore({ connectionString: url });
    await importPostgres(s, ds);
    await s.close();
    if (storeArg.includes("postgres")) args.postgres = ["--database-url", url];
    if (storeArg.includes("postgresListen")) args.postgresListen = ["--database-url", url, "--cache", "listen"];
  }
  for (const store of storeArg) {
    const server = await startUnderCallgrind(tmp, store, CLI, ["serve", ...args[store], "--port", "0", "--log-format", "none"]);
    servers.push(server);
    const { with200, upToDate, page } = await discoverPaths(server.url, rawGet);
    const routes = {
      tauri200: { paths: with200, headers: LICENSE },
      tauri204: { paths: [upToDate], headers: LICENSE },
      raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE },
      pypi304: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "if-none-match": page.headers.etag } },
      pypiPageGzip: { paths: [pypiPath], headers: { ...BASIC, accept: PYPI_JSON, "accept-encoding": "gzip" } },
    };
    const line = [];
    for (const [name, r] of Object.entries(routes)) {
      if (routeArg !== "all" && !routeArg.split(",").includes(name)) continue;
      await requestsOn(server.url, r.paths, r.headers, warmup);
      const pid = String(server.child.pid);
      await run("callgrind_control", ["-i", "on", pid]);
      const first = await countedWindow(tmp, server, r.paths, r.headers, counted);
      const second = await countedWindow(tmp, server, r.paths, r.headers, counted);
      await run("callgrind_control", ["-i", "off", pid]);
      line.push(`${name} ${(second / 1e3).toFixed(1)}k (first ${(first / 1e3).toFixed(1)}k)`);
    }
    console.log(`${store}: ${line.join(", ")}`);
    await server.stop();
  }
} finally {
  for (const s of servers) await s.stop();
  pg?.destroy();
  rmSync(tmp, { recursive: true, force: true });
}
