import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectGarbageWhenIdle } from "../../src/node/heap.js";
import { ROOT, TSX } from "../helpers/process.js";

describe("collectGarbage", () => {
  it("frees a load's garbage and gives back the pages its survivors were scattered over", () => {
    // In a fresh process: a test worker's heap holds other files' garbage, which moves the figures.
    const out = execFileSync(process.execPath, [...TSX, join(ROOT, "test/node/heap-child.ts")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const r = JSON.parse(out) as { collected: boolean; records: number; treeDropped: boolean; plain: { total: number; used: number }; compacted: { total: number; used: number } };
    expect(r.collected).toBe(true);
    expect(r.records).toBe(900_000);
    expect(r.treeDropped).toBe(true);
    // Plain collections freed the garbage but kept half-full pages the survivors hold; compacting every page moves them together.
    expect(r.compacted.used).toBeLessThan(r.plain.used * 1.01);
    expect(r.compacted.total).toBeLessThan(r.plain.total - 2 * 2 ** 20);
  }, 120_000);
});

/** A listening node:http server answering 204, and its URL. */
async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/** Requests to `url` every 40 ms for `ms`. */
async function traffic(url: string, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await (await fetch(url)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 40));
  }
}

describe("collectGarbageWhenIdle", () => {
  it("waits while requests keep coming, and collects once they stop for the idle time", async () => {
    const { server, url } = await listening();
    try {
      let done: boolean | undefined;
      const collected = collectGarbageWhenIdle(server, { idleMs: 1_000, latestMs: 60_000 }).then((v) => (done = v));
      await traffic(url, 1_500);
      expect(done).toBeUndefined();
      expect(await collected).toBe(true);
    } finally {
      server.close();
    }
  });

  it("collects at the latest time under steady traffic, and not at all when the server closes first", async () => {
    const { server, url } = await listening();
    let done: boolean | undefined;
    const collected = collectGarbageWhenIdle(server, { idleMs: 1_000, latestMs: 400 }).then((v) => (done = v));
    await traffic(url, 1_500);
    expect(done).toBe(true);
    expect(await collected).toBe(true);
    const closing = collectGarbageWhenIdle(server, { idleMs: 5_000, latestMs: 60_000 });
    server.close();
    expect(await closing).toBe(false);
  });
});
