/**
 * @module bench/profile-publish-page — the profile behind W6's PyPI page figure: what one publish costs
 * the 1,000-file page's readers. After each publish into the PyPI package, the first GET of the page
 * (a rebuild: the publish moved the revision the page cache keys on) and the next one (from the
 * cache), wall time and `serve`'s CPU, medians over 10 publishes, on SQLite and PostgreSQL.
 * Usage (after `npm run build`): node bench/profile-publish-page.mjs
 */
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresStore, importDataset as importPg } from "../dist/postgres.js";
import { createSqliteStore, importDataset as importSqlite } from "../dist/sqlite.js";
import { startPostgres } from "./lib/pg.mjs";
import { CLI, rawGet, startServer } from "./lib/serve.mjs";
import { median, nowNs } from "./lib/stats.mjs";
import { buildWorld, WORLD } from "./lib/world.mjs";
import { cpuUs } from "./lib/wrk.mjs";
import { publish } from "./w6-publish.mjs";

const dir = mkdtempSync(join(tmpdir(), "re-profile-page-"));
const pg = await startPostgres(() => {});
try {
  const ds = buildWorld({ tauri: 1000, pypiFiles: 1000, admin: true });
  const sqlite = createSqliteStore({ filename: join(dir, "bench.sqlite") });
  await importSqlite(sqlite, ds);
  await sqlite.close();
  const stores = [["sqlite", ["--db", join(dir, "bench.sqlite")]]];
  if (!pg.unavailable) {
    const url = await pg.createDatabase("profile_page");
    const store = createPostgresStore({ connectionString: url });
    await importPg(store, ds);
    await store.close();
    stores.push(["postgres", ["--database-url", url]]);
  }
  const page = `/v1/accounts/${WORLD.slug}/engines/pypi/simple/${WORLD.pypiKey}/`;
  const headers = { authorization: `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}`, accept: "application/vnd.pypi.simple.v1+json" };
  const bytes = randomBytes(1 << 20);
  for (const [name, args] of stores) {
    const server = await startServer(CLI, ["serve", ...args, "--blobs", join(dir, `blobs-${name}`), "--port", "0", "--log-format", "none"]);
    try {
      const first = { ms: [], cpuMs: [] };
      const next = { ms: [], cpuMs: [] };
      for (let k = 0; k < 12; k++) {
        await publish(server.url, "pypi", `100.0.${k}`, bytes);
        for (const into of [first, next]) {
          const cpu0 = cpuUs(server.child.pid);
          const t0 = nowNs();
          const res = await rawGet(`${server.url}${page}`, headers);
          if (res.status !== 200) throw new Error(`the page answered ${res.status}`);
          if (k < 2) continue; // warm-up
          into.ms.push((nowNs() - t0) / 1e6);
          into.cpuMs.push((cpuUs(server.child.pid) - cpu0) / 1e3);
        }
      }
      const show = (x) => `${median(x.ms).toFixed(1)} ms, serve CPU ${median(x.cpuMs).toFixed(1)} ms`;
      console.log(`${name}: first GET of the page after a publish ${show(first)}; the next GET ${show(next)} (CPU in 10 ms ticks)`);
    } finally {
      await server.stop();
    }
  }
} finally {
  if (!pg.unavailable) pg.destroy();
  rmSync(dir, { recursive: true, force: true });
}
