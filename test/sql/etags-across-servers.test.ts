/**
 * ETags across processes: two `serve` processes of one dataset (from memory, or on one SQLite file, or
 * on one PostgreSQL database) answer 304 to each other's PyPI ETags, a restarted server to the ETags
 * it gave before, and after a write through one server neither answers 304 to the old ETag.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceDatasetFile, IDS, TOKENS } from "../../src/testing/fixture.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";
import { runCli, startServer, type ServerProcess } from "./serve.js";

const BASE = "http://dl.etags.test";
const PAGE = "/v1/accounts/acme/engines/pypi/simple/acme-sdk/";

let dir: string;
let file: string;
let cluster: PgCluster | undefined;
const running: ServerProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "re-etags-"));
  file = join(dir, "dataset.json");
  writeFileSync(file, JSON.stringify(conformanceDatasetFile()));
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<ServerProcess> {
  const s = await startServer([...args, "--base-url", BASE]);
  running.push(s);
  return s;
}

async function stop(s: ServerProcess): Promise<void> {
  await s.stop();
  running.splice(running.indexOf(s), 1);
}

async function page(s: ServerProcess, etag?: string): Promise<{ status: number; etag: string | null; body: string }> {
  const res = await fetch(s.origin + PAGE, { headers: etag === undefined ? {} : { "if-none-match": etag } });
  return { status: res.status, etag: res.headers.get("etag"), body: await res.text() };
}

/** Both servers give one ETag for the page, and each answers 304 to the other's. */
async function agree(a: ServerProcess, b: ServerProcess): Promise<string> {
  const [one, two] = [await page(a), await page(b)];
  expect(one.status).toBe(200);
  expect(one.etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
  expect(two.etag).toBe(one.etag);
  expect((await page(b, one.etag as string)).status).toBe(304);
  expect((await page(a, two.etag as string)).status).toBe(304);
  return one.etag as string;
}

/** Yank the OPEN package's release through `s`; afterwards the old ETag gets the new page from both. */
async function yankThrough(s: ServerProcess, other: ServerProcess, old: string): Promise<void> {
  const res = await fetch(`${s.origin}/v1/accounts/acme/releases/${IDS.relOpen}/actions/yank`, { method: "POST", headers: { authorization: `Bearer ${TOKENS.admin}` } });
  expect(res.status).toBe(200);
  for (const server of [s, other]) {
    const after = await page(server, old);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(old);
    expect(after.body).toContain("data-yanked");
  }
  await agree(s, other);
}

describe("PyPI ETags across servers of one dataset", () => {
  it("from memory: two processes agree, and a restarted one still answers 304", async () => {
    const a = await serve(["--data", file]);
    const b = await serve(["--data", file]);
    const etag = await agree(a, b);
    await stop(a);
    const again = await serve(["--data", file]);
    expect((await page(again, etag)).status).toBe(304);
  }, 60_000);

  it("on one SQLite file: two servers agree, and a write through one moves both", async () => {
    const db = join(dir, "shared.sqlite");
    const imported = runCli(["import", file, "--db", db]);
    expect(imported.status, imported.stderr).toBe(0);
    const a = await serve(["--db", db]);
    const b = await serve(["--db", db]);
    await yankThrough(a, b, await agree(a, b));
  }, 60_000);

  it("on one PostgreSQL database: two servers agree, and a write through one moves both", async () => {
    cluster = await startPgCluster();
    const url = await cluster.createDatabase("etags");
    const imported = runCli(["import", file, "--database-url", url]);
    expect(imported.status, imported.stderr).toBe(0);
    const a = await serve(["--database-url", url]);
    const b = await serve(["--database-url", url]);
    await yankThrough(a, b, await agree(a, b));
  }, 90_000);
});
