import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServer, writeDemoDataset, type ServerProcess } from "./serve.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

describe("many servers, one PostgreSQL database", () => {
  let cluster: PgCluster;
  let dir: string;
  let url: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), "re-two-"));
    const file = writeDemoDataset(dir);
    url = await cluster.createDatabase("shared");
    const imported = runCli(["import", file, "--database-url", url]);
    expect(imported.stderr).toBe("");
    expect(imported.status).toBe(0);
    for (let i = 0; i < 2; i++) servers.push(await startServer(["--database-url", url, "--blobs", dir]));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The same request to both servers; bodies with each server's origin replaced. */
  async function both(path: string) {
    return Promise.all(servers.map(async (s) => {
      const res = await fetch(s.origin + path, { redirect: "manual" });
      // Error documents carry a per-request id; everything else must match byte for byte.
      const body = (await res.text()).split(s.origin).join("ORIGIN").replace(/"meta":\{"id":"[0-9a-f-]{36}"\}/, '"meta":{"id":"ID"}');
      const location = res.headers.get("location")?.split(s.origin).join("ORIGIN") ?? null;
      return { status: res.status, body, location };
    }));
  }

  it("answers the engines list identically", async () => {
    const [a, b] = await both("/v1/accounts/demo/engines");
    expect(a?.status).toBe(200);
    expect(JSON.parse(a?.body as string).data.map((e: { attributes: { key: string } }) => e.attributes.key)).toEqual(["raw"]);
    expect(b).toEqual(a);
  });

  it("answers a download with the same 303, and each serves the bytes", async () => {
    const [a, b] = await both("/v1/accounts/demo/artifacts/tool");
    expect(a?.status).toBe(303);
    expect(a?.location).toMatch(/^ORIGIN\/v1\/blobs\//);
    expect(b).toEqual(a);
    for (const s of servers) {
      const res = await fetch(s.origin + "/v1/accounts/demo/artifacts/tool", { redirect: "follow" });
      expect(await res.text()).toBe("tool bytes\n");
    }
  });

  it("both see a change made directly in the database", async () => {
    const accountId = (await cluster.query("shared", "SELECT id FROM accounts WHERE slug = 'demo'")).rows[0].id as string;
    const productId = (await cluster.query("shared", "SELECT id FROM products WHERE code = 'cli'")).rows[0].id as string;
    const before = await cluster.query("shared", "SELECT revision FROM account_revisions WHERE account_id = $1", [accountId]);
    await cluster.query("shared", `INSERT INTO engines (id, account_id, key, name, created, updated) VALUES ('00000000-0000-4000-8000-00000000e001', $1, 'pypi', 'PyPI', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z')`, [accountId]);
    await cluster.query("shared", `INSERT INTO packages (id, account_id, product_id, key, name, engine, created, updated) VALUES ('00000000-0000-4000-8000-00000000a001', $1, $2, 'py-tool', 'Py Tool', 'pypi', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z')`, [accountId, productId]);
    const after = await cluster.query("shared", "SELECT revision FROM account_revisions WHERE account_id = $1", [accountId]);
    expect(Number(after.rows[0].revision)).toBeGreaterThan(Number(before.rows[0].revision));
    const [a, b] = await both("/v1/accounts/demo/engines");
    expect(JSON.parse(a?.body as string).data.map((e: { attributes: { key: string } }) => e.attributes.key)).toEqual(["pypi", "raw"]);
    expect(b).toEqual(a);
    const [one, two] = await both("/v1/accounts/demo/engines/pypi");
    expect(one?.status).toBe(200);
    expect(two).toEqual(one);
  });

  it("both stop serving a file once its row is changed in the database", async () => {
    await cluster.query("shared", "UPDATE artifacts SET status = 'YANKED' WHERE filename = 'tool'");
    const [a, b] = await both("/v1/accounts/demo/artifacts/tool");
    expect(a?.status).toBe(404);
    expect(b).toEqual(a);
  });
});
