import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServer, writeDemoDataset, type ServerProcess } from "./serve.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

/** Internals a 503 body must never show. */
const INTERNALS = /ECONNREFUSED|postgres|relation|engines_gone|at [\w.]+ \(|127\.0\.0\.1:\d+\/|stack|SELECT/i;

describe("faults: the database goes away and comes back", () => {
  let cluster: PgCluster;
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), "re-faults-"));
    const url = await cluster.createDatabase("faults");
    expect(runCli(["import", writeDemoDataset(dir), "--database-url", url]).status).toBe(0);
    server = await startServer(["--database-url", url, "--blobs", dir]);
  });
  afterAll(async () => {
    await server?.stop();
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path = "/v1/accounts/demo/engines") => {
    const res = await fetch(server.origin + path, { redirect: "manual" });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };

  async function expectUnavailable(): Promise<void> {
    const res = await get();
    expect(res.status).toBe(503);
    expect(res.type).toMatch(/application\/vnd\.api\+json/);
    const doc = JSON.parse(res.body) as { errors: Array<{ title: string; code?: string }> };
    expect(doc.errors[0]?.title).toBe("Service unavailable");
    expect(res.body).not.toMatch(INTERNALS);
  }

  it("answers 200 while the database is up", async () => {
    expect((await get()).status).toBe(200);
  });

  it("answers a JSON:API 503 without internals while PostgreSQL is stopped, and keeps running", async () => {
    cluster.stop();
    await expectUnavailable();
    await expectUnavailable();
    expect((await get("/v1/accounts/demo/artifacts/tool")).status).toBe(503);
    expect(server.child.exitCode).toBeNull();
    // /health says so, with the failures counted; the log has one line for the whole burst.
    for (let i = 0; i < 20; i++) await expectUnavailable();
    const health = await get("/health");
    expect(health.status).toBe(503);
    const doc = JSON.parse(health.body) as { status: string; failures: { store: number } };
    expect(doc.status).toBe("unavailable");
    expect(doc.failures.store).toBeGreaterThanOrEqual(23);
    expect(server.stderr().match(/store failing/g)).toHaveLength(1);
    expect((await get("/ready")).status).toBe(200);
  });

  it("recovers by itself once PostgreSQL is back, without a restart", async () => {
    cluster.start();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await get()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await get("/v1/accounts/demo/artifacts/tool")).status).toBe(303);
    expect((await get("/health")).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });

  it("answers 503 when a query fails, and recovers when the schema is repaired", async () => {
    // The store's statements are prepared by name per connection, and /engines was answered above, so
    // this also proves a prepared statement fails (PostgreSQL re-analyses it after the rename) and recovers.
    await cluster.query("faults", "ALTER TABLE engines RENAME TO engines_gone");
    // A change too, so the server's kept reads are dropped and its next request queries the table (a rename alone changes no data).
    await cluster.query("faults", "UPDATE accounts SET name = name");
    try {
      await expectUnavailable();
    } finally {
      await cluster.query("faults", "ALTER TABLE engines_gone RENAME TO engines");
    }
    expect((await get()).status).toBe(200);
    expect(server.stderr()).toMatch(/engines/);
  });
});
