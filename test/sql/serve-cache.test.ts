/**
 * `serve --database-url … --cache MODE` through the real CLI on a real PostgreSQL: the flag is
 * checked, `listen` makes no statement for a warm request, a change made by hand in SQL is seen once
 * its notification arrives, and answers stay right while the listener's backend is killed.
 * (The cache's own behaviour in each mode is covered store-side in cache.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServer, writeDemoDataset, type ServerProcess } from "./serve.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

const TOOL = "/v1/accounts/demo/artifacts/tool";

async function within(ms: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("serve --cache on PostgreSQL", () => {
  let cluster: PgCluster;
  let dir: string;
  let url: string;
  let listen: ServerProcess;
  let check: ServerProcess;

  /** The backends of one server (by application name): its LISTEN connection, and the latest statement time of the others. */
  const backends = async (app: string) => {
    const rows = (await cluster.query("shared", "SELECT pid, query, state_change FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", [app])).rows;
    const listening = rows.filter((r) => String(r.query).startsWith("LISTEN ")).map((r) => Number(r.pid));
    const last = Math.max(0, ...rows.filter((r) => !String(r.query).startsWith("LISTEN ")).map((r) => (r.state_change as Date | null)?.getTime() ?? 0));
    return { listening, last };
  };
  const status = async (s: ServerProcess) => (await fetch(s.origin + TOOL, { redirect: "manual" })).status;

  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), "re-cache-"));
    const file = writeDemoDataset(dir);
    url = await cluster.createDatabase("shared");
    const imported = runCli(["import", file, "--database-url", url]);
    expect(imported.status, imported.stderr).toBe(0);
    listen = await startServer(["--database-url", `${url}?application_name=re-listen`, "--cache", "listen", "--blobs", dir]);
    check = await startServer(["--database-url", `${url}?application_name=re-check`, "--blobs", dir]);
  }, 60_000);
  afterAll(async () => {
    await listen?.stop();
    await check?.stop();
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a mode it does not know, and --cache without --database-url, in one line", () => {
    const bad = runCli(["serve", "--database-url", url, "--cache", "sometimes"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--cache must be one of listen, check, off (got 'sometimes')");
    const sqlite = runCli(["serve", "--db", join(dir, "x.sqlite"), "--cache", "listen"]);
    expect(sqlite.status).toBe(2);
    expect(sqlite.stderr).toContain("--cache chooses how a PostgreSQL store keeps its reads: it needs --database-url");
    const help = runCli(["serve", "--help"]);
    expect(help.stdout).toMatch(/--cache MODE[\s\S]*'listen'[\s\S]*not transaction pooling/);
  });

  it("listens, and then a warm request makes no statement (the default, check, makes one)", async () => {
    for (const s of [listen, check]) expect(await status(s)).toBe(303);
    await within(5_000, async () => (await backends("re-listen")).listening.length === 1);
    expect((await backends("re-check")).listening).toEqual([]);
    await status(listen);
    await status(check);
    const [l0, c0] = [await backends("re-listen"), await backends("re-check")];
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 5; i++) {
      expect(await status(listen)).toBe(303);
      expect(await status(check)).toBe(303);
    }
    expect((await backends("re-listen")).last).toBe(l0.last);
    expect((await backends("re-check")).last).toBeGreaterThan(c0.last);
  });

  it("sees a change made by hand in SQL once its notification arrives", async () => {
    await cluster.query("shared", "UPDATE artifacts SET status = 'YANKED' WHERE filename = 'tool'");
    expect(await status(check)).toBe(404);
    await within(2_000, async () => (await status(listen)) === 404);
    await cluster.query("shared", "UPDATE artifacts SET status = 'UPLOADED' WHERE filename = 'tool'");
    await within(2_000, async () => (await status(listen)) === 303);
  });

  it("answers right while its listener's backend is killed, and listens again", async () => {
    const [pid] = (await backends("re-listen")).listening;
    expect(pid).toBeGreaterThan(0);
    await cluster.query("shared", "SELECT pg_terminate_backend($1)", [pid]);
    await within(2_000, async () => !(await backends("re-listen")).listening.includes(pid as number));
    // Whether or not the listener is back yet, a change is seen: by the per-request check while it is down.
    await cluster.query("shared", "UPDATE artifacts SET status = 'YANKED' WHERE filename = 'tool'");
    await within(2_000, async () => (await status(listen)) === 404);
    await within(10_000, async () => (await backends("re-listen")).listening.length === 1);
    await cluster.query("shared", "UPDATE artifacts SET status = 'UPLOADED' WHERE filename = 'tool'");
    await within(2_000, async () => (await status(listen)) === 303);
    expect(listen.stderr()).not.toMatch(/"level":"error"|TypeError|unhandled/i);
  }, 30_000);
});
