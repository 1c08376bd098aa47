/**
 * PostgreSQL reads kept per revision (sql/cache, sql/pg-changes): statements per warm request counted
 * on the pool, and every kind of change seen on time — a write through a server on its next request,
 * on another server on the same database once notified (the delay is measured in bench/cross-server.mjs), a license expiring to the millisecond, a
 * token revoked and a license suspended by hand, and the listener's connection killed.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createPostgresStore, importDataset, type SqlStore } from "../../src/postgres.js";
import { conformanceDataset, IDS, TOKENS } from "../../src/testing/fixture.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

const ACME = "http://localhost/v1/accounts/acme";
const TAURI = `${ACME}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0`;
const PYPI = `${ACME}/engines/pypi/simple/acme-tools/`;
const LICENSE = { authorization: `License PRO-KEY` };
const BEARER = { authorization: `Bearer ${TOKENS.license}` };

/** A server: its store on a pool whose statements are counted, and its handler with a settable clock. */
interface Server {
  store: SqlStore;
  pool: pg.Pool;
  statements: () => number;
  /** The text of every statement sent, in order. */
  texts: string[];
  clock: { now: Date | null };
  get(url: string, headers?: Record<string, string>): Promise<Response>;
}

function server(url: string, cache: "listen" | "check"): Server {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: "-c plan_cache_mode=force_generic_plan" });
  // The cluster stops before the pool in afterAll: its idle connections' errors are expected.
  pool.on("error", () => {});
  let count = 0;
  const texts: string[] = [];
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a) => {
    count++;
    texts.push(typeof a[0] === "string" ? a[0] : String((a[0] as { text?: string }).text));
    return query(...a);
  };
  const store = createPostgresStore({ pool, cache });
  const clock: { now: Date | null } = { now: null };
  const handler = createFetchHandler({ store, now: () => clock.now ?? new Date() });
  return {
    store,
    pool,
    statements: () => count,
    texts,
    clock,
    get: (u, headers = {}) => handler(new Request(u, { headers })),
  };
}

/**
 * How long a listening server may take to see another's change here: generous, as the machine running
 * the tests may be loaded; the 100 ms target is measured (p99) by bench/cross-server.mjs instead.
 */
const SEEN_MS = 5_000;

/** Poll until `ok` holds; the milliseconds it took (fails past `limitMs`). */
async function within(limitMs: number, ok: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await ok()) return performance.now() - t0;
    if (performance.now() - t0 > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("PostgreSQL reads kept per revision", () => {
  let cluster: PgCluster;
  let url: string;
  let a: Server;
  let b: Server;
  let c: Server;
  const sql = (text: string, params: unknown[] = []) => cluster.query("cache", text, params);
  /** Backend pids of the listening connections. */
  const listeners = async () => (await sql("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")).rows.map((r) => Number(r.pid));
  const tauriVersion = async (s: Server, headers = {}) => {
    const res = await s.get(TAURI, headers);
    return res.status === 200 ? String(((await res.json()) as { version: string }).version) : res.status;
  };

  beforeAll(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase("cache");
    const seed = createPostgresStore({ connectionString: url, cache: "off" });
    await importDataset(seed, await conformanceDataset());
    await seed.close();
    a = server(url, "listen");
    b = server(url, "listen");
    c = server(url, "check");
    for (const s of [a, b, c]) expect(await tauriVersion(s)).toBe("1.2.0");
    await within(5_000, async () => (await listeners()).length === 2);
    await new Promise((r) => setTimeout(r, 50));
  }, 60_000);
  afterAll(async () => {
    for (const s of [a, b, c]) {
      await s?.store.close();
      await s?.pool.end();
    }
    cluster?.destroy();
  });

  const routes: [string, Record<string, string>][] = [
    [TAURI, {}],
    [TAURI, LICENSE],
    [`${ACME}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.2.0`, {}],
    [PYPI, LICENSE],
    [PYPI, BEARER],
    [`${ACME}/engines/pypi/simple/`, LICENSE],
    [`${ACME}/engines`, {}],
    [`${ACME}/artifacts/${IDS.artWhl200}`, LICENSE],
    [`${ACME}/engines/raw/cli/latest/tool_linux_amd64`, LICENSE],
    [`${ACME}/releases/${IDS.relTauri100}/upgrade`, {}],
  ];

  it("makes no statement for a warm request while the listener is live, and one when it only checks", async () => {
    for (const s of [a, c]) {
      for (const [u, h] of routes) await s.get(u, h);
      for (const [u, h] of routes) {
        const before = s.statements();
        const res = await s.get(u, h);
        expect(res.status, u).toBeLessThan(500);
        expect(s.statements() - before, `${u} (${s === a ? "listen" : "check"})`).toBe(s === a ? 0 : 1);
      }
    }
    // A 304 too.
    const etag = (await a.get(PYPI, LICENSE)).headers.get("etag") as string;
    const before = a.statements();
    expect((await a.get(PYPI, { ...LICENSE, "if-none-match": etag })).status).toBe(304);
    expect(a.statements() - before).toBe(0);
  });

  it("asks for a cold Tauri check's upgrade and its artifacts in one statement", async () => {
    for (const platform of ["linux", "windows"]) {
      const url = TAURI.replace("platform=linux", `platform=${platform}`);
      await c.get(url, LICENSE);
      // A change (by hand: no revision is known to this server), so the next check is worked out anew.
      await sql("UPDATE releases SET description = description WHERE id = $1", [IDS.relTauri120]);
      const from = c.texts.length;
      const res = await c.get(url, LICENSE);
      const sent = c.texts.slice(from);
      // linux: the 1.2.0 update; windows: its only artifact is unsigned, so 204.
      expect(res.status, platform).toBe(platform === "linux" ? 200 : 204);
      const upgrades = sent.filter((t) => t.includes("version_key >"));
      const artifacts = sent.filter((t) => /FROM artifacts a JOIN releases r ON r\.id = a\.release_id/.test(t));
      // The upgrade with a built artifact: one statement that also lists that release's artifacts for the target.
      expect(upgrades.filter((t) => t.includes("LEFT JOIN LATERAL")), platform).toHaveLength(1);
      // (A 204's reason looks at the newest release's artifacts of any target: that is not the upgrade's list.)
      expect(artifacts, platform).toHaveLength(platform === "linux" ? 0 : 1);
    }
  });

  it("sees a write on the same server at once, and on another listening server once notified", async () => {
    for (const s of [a, b, c]) expect(await tauriVersion(s)).toBe("1.2.0");
    await a.store.setReleaseStatus(IDS.account, IDS.relTauri120, "YANKED", new Date(), "bad build");
    const committed = performance.now();
    expect(await tauriVersion(a)).toBe("1.1.0");
    // From the commit: the first answer of the other server that offers the older release.
    await within(SEEN_MS, async () => (await tauriVersion(b)) === "1.1.0");
    const ms = performance.now() - committed;
    console.log(`another server saw the write ${ms.toFixed(1)} ms after its commit`);
    expect(await tauriVersion(c)).toBe("1.1.0");
    await b.store.setReleaseStatus(IDS.account, IDS.relTauri120, "PUBLISHED", new Date());
    expect(await tauriVersion(b)).toBe("1.2.0");
    await within(SEEN_MS, async () => (await tauriVersion(a)) === "1.2.0");
  });

  it("stops a license at its expiry to the millisecond, answered from the cache", async () => {
    const expiry = "2031-01-01T00:00:00.000Z";
    await sql("UPDATE policies SET expiration_strategy = 'REVOKE_ACCESS' WHERE id = $1", [IDS.policyLicensed]);
    await sql("UPDATE licenses SET expiry = $1 WHERE key = 'PRO-KEY'", [expiry]);
    const download = `${ACME}/artifacts/${IDS.artWhl200}`;
    for (const s of [a, c]) {
      s.clock.now = new Date(Date.parse(expiry) - 1000);
      await within(SEEN_MS, async () => (await s.get(download, LICENSE)).status === 200);
      s.clock.now = new Date(expiry);
      const before = s.statements();
      expect((await s.get(download, LICENSE)).status).toBe(200);
      s.clock.now = new Date(Date.parse(expiry) + 1);
      const res = await s.get(download, LICENSE);
      expect(res.status).toBe(403);
      expect(JSON.stringify(await res.json())).toContain("LICENSE_EXPIRED");
      // Both answers came from kept records: the decision is the clock's, not the cache's.
      expect(s.statements() - before).toBe(s === a ? 0 : 2);
      s.clock.now = null;
    }
    await sql("UPDATE licenses SET expiry = NULL WHERE key = 'PRO-KEY'");
    await sql("UPDATE policies SET expiration_strategy = 'RESTRICT_ACCESS' WHERE id = $1", [IDS.policyLicensed]);
  });

  it("refuses a token revoked and a license suspended by hand: at once when checking, once notified when listening", async () => {
    for (const s of [a, b, c]) await within(SEEN_MS, async () => (await s.get(PYPI, BEARER)).status === 200);
    await sql("DELETE FROM tokens WHERE id = $1", [IDS.tokenLicense]);
    expect((await c.get(PYPI, BEARER)).status).toBe(401);
    for (const s of [a, b]) await within(SEEN_MS, async () => (await s.get(PYPI, BEARER)).status === 401);

    for (const s of [a, b, c]) await within(SEEN_MS, async () => (await s.get(PYPI, LICENSE)).status === 200);
    await sql("UPDATE licenses SET suspended = TRUE WHERE key = 'PRO-KEY'");
    expect((await c.get(PYPI, LICENSE)).status).toBe(403);
    for (const s of [a, b]) await within(SEEN_MS, async () => (await s.get(PYPI, LICENSE)).status === 403);
    await sql("UPDATE licenses SET suspended = FALSE WHERE key = 'PRO-KEY'");
    for (const s of [a, b, c]) await within(SEEN_MS, async () => (await s.get(PYPI, LICENSE)).status === 200);
  });

  it("checks once per request while the listener is down, and listens again when it is back", async () => {
    const pids = await listeners();
    expect(pids.length).toBe(2);
    await sql("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
    // The drop is noticed when its connection closes.
    await new Promise((r) => setTimeout(r, 20));
    await sql("UPDATE releases SET status = 'YANKED' WHERE id = $1", [IDS.relTauri120]);
    expect(await tauriVersion(a)).toBe("1.1.0");
    expect(await tauriVersion(b)).toBe("1.1.0");
    await sql("UPDATE releases SET status = 'PUBLISHED' WHERE id = $1", [IDS.relTauri120]);
    expect(await tauriVersion(a)).toBe("1.2.0");
    // Back to listening (new connections), then back to no statement per warm request.
    await within(10_000, async () => (await listeners()).filter((p) => !pids.includes(p)).length === 2);
    await new Promise((r) => setTimeout(r, 50));
    await tauriVersion(a);
    const before = a.statements();
    expect(await tauriVersion(a)).toBe("1.2.0");
    expect(a.statements() - before).toBe(0);
  }, 30_000);
});
