/**
 * @module bench/cross-server — how soon a write on one server is seen by another on the same
 * PostgreSQL: a writer changes the Tauri upgrade's notes (its own connection, one statement, like
 * another server or SQL by hand) a few hundred times; a reading server (the fetch handler on a
 * cached store, `check` then `listen`) asks the Tauri check back to back. Per write: milliseconds
 * from the writer's commit acknowledged to the end of the reader's first answer carrying the new
 * notes (0 when that answer came first: a notification can beat the writer's own acknowledgement).
 * Usage (after `npm run build`): node bench/cross-server.mjs [writes, default 300]
 */
import pg from "pg";
import { createFetchHandler } from "../dist/index.js";
import { createPostgresStore, importDataset } from "../dist/postgres.js";
import { countedPool, startPostgres } from "./lib/pg.mjs";
import { quantile, median } from "./lib/stats.mjs";
import { NOW } from "./lib/tauri-checks.mjs";
import { buildWorld, LICENSE, tauriVersion, WORLD } from "./lib/world.mjs";

const writes = Number(process.argv[2] ?? 300);
const A = `http://bench.local/v1/accounts/${WORLD.slug}`;
const ds = buildWorld({ tauri: 1000 });
const tauri = `${A}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(12).version)}`;

const server = await startPostgres(() => {});
try {
  const url = await server.createDatabase("cross_server");
  const seed = createPostgresStore({ connectionString: url, cache: "off" });
  await importDataset(seed, ds);
  await seed.close();
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  for (const cache of ["check", "listen"]) {
    const { pool, statements } = countedPool(url, 4);
    const store = createPostgresStore({ pool, cache });
    // The bench world is dated around its own instant (its releases would be past a license window today).
    const handler = createFetchHandler({ store, now: () => NOW });
    const ask = async () => {
      const res = await handler(new Request(tauri, { headers: LICENSE }));
      if (res.status !== 200) throw new Error(`the Tauri check answered ${res.status}: ${await res.text()} ${JSON.stringify(Object.fromEntries(res.headers))}`);
      return res.json();
    };
    const first = await ask();
    const account = await store.getAccount(WORLD.slug);
    const upgrade = ds.releases.find((r) => r.packageId === WORLD.pkgTauri && r.version === first.version);
    if (cache === "listen") {
      // Until its LISTEN connection is up, a listening store checks per request: wait for it.
      for (let i = 0; i < 500; i++) {
        const n = (await writer.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")).rows[0].n;
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const probe of ["release", "tauri"]) {
    // The reader: answers back to back, the time each ended and the notes it carried. `release` is the
    // cheapest request (getAccount, then the release: 0 or 1 statement warm, 2 cold), so its delay is
    // mostly the change's way to the server; `tauri` is a whole update check, worked out again after
    // each write (about six statements), what an updater sees.
    const read = probe === "tauri"
      ? async () => (await ask()).notes
      : async () => {
        await store.getAccount(WORLD.slug);
        return (await store.getRelease(account.id, upgrade.id)).description;
      };
    let stop = false;
    let requests = 0;
    let stale = 0;
    const committed = [];
    const seenAt = new Map();
    const reader = (async () => {
      while (!stop) {
        const started = performance.now();
        const notes = await read();
        requests++;
        const n = Number(new RegExp(`^${probe}:(\\d+)$`).exec(notes ?? "")?.[1] ?? -1);
        // A request that began after a commit was acknowledged and still answered the older notes.
        if (n + 1 < committed.length && started > committed[n + 1]) stale++;
        if (n >= 0 && !seenAt.has(n)) seenAt.set(n, performance.now());
        // Let the writer's callbacks run between requests (both share this process's event loop).
        await new Promise((r) => setImmediate(r));
      }
    })();
    const s0 = statements();
    const r0 = requests;
    for (let n = 0; n < writes; n++) {
      await writer.query("UPDATE releases SET description = $1 WHERE id = $2", [`${probe}:${n}`, upgrade.id]);
      committed.push(performance.now());
      // Wait for the reader to see it (at most 2 s), then a pause so writes do not overlap.
      const t0 = performance.now();
      while (!seenAt.has(n) && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, 5));
    }
    stop = true;
    await reader;
    const lat = committed.map((t, n) => (seenAt.has(n) ? Math.max(0, seenAt.get(n) - t) : Infinity));
    const missed = lat.filter((x) => x === Infinity).length;
    const perReq = (statements() - s0) / Math.max(1, requests - r0);
    console.log(`${cache.padEnd(6)} ${probe.padEnd(7)} writes ${writes}  seen after commit: median ${median(lat).toFixed(2)} ms  p99 ${quantile(lat, 0.99).toFixed(2)} ms  max ${Math.max(...lat).toFixed(2)} ms  missed ${missed}  answered stale after a commit: ${cache === "check" ? stale : "-"}  reader ${requests - r0} requests, ${perReq.toFixed(2)} statements/request`);
    }
    await store.close();
    await pool.end();
  }
  await writer.end();
} finally {
  server.destroy();
}
