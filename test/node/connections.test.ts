/**
 * Connection exhaustion (issue 19, item 2): `serve` holds slow connections only briefly and only so
 * many. Many half-sent requests (a head that never ends, or nothing at all) are dropped after the
 * head timeout, a normal client is served meanwhile, and memory returns near where it was.
 */
import { readFileSync } from "node:fs";
import { connect, type AddressInfo, type Socket } from "node:net";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { serveFetchHandler, toResultListener } from "../../src/node/http.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { startListening, type Started } from "../helpers/process.js";

const running: Started[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function serve(...flags: string[]): Promise<Started> {
  const server = await startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", ...flags]);
  running.push(server);
  return server;
}

/** Resident memory of a process in MB. */
function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

/** A connection that sends part of a request head (or nothing) and then waits; `closed` settles when the server drops it. */
function slow(origin: string, partial: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      if (partial !== "") socket.write(partial);
      socket.resume();
      resolve({ socket, closed: new Promise((r) => socket.once("close", () => r(Date.now()))) });
    });
    socket.on("error", () => {});
    socket.once("error", reject);
    sockets.push(socket);
  });
}

const HEAD = `GET /v1/accounts/demo/engines HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"p".repeat(12 * 1024)}`;

/** Hold `n` slow connections: three in four send most of a request head, the rest nothing. */
async function hold(origin: string, n: number): Promise<Array<{ socket: Socket; closed: Promise<number> }>> {
  const held = [];
  for (let i = 0; i < n; i++) held.push(await slow(origin, i % 4 === 0 ? "" : HEAD));
  return held;
}

async function healthy(origin: string): Promise<void> {
  const res = await fetch(`${origin}/v1/accounts/demo/engines`);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

describe("serve under slow connections", { timeout: 120_000 }, () => {
  it("drops 1,000 half-sent requests after the default 10 s head timeout and serves a normal client meanwhile", async () => {
    const server = await serve();
    await healthy(server.origin);
    const started = Date.now();
    const held = await hold(server.origin, 1000);
    await healthy(server.origin);
    const closedAt = await Promise.race([
      Promise.all(held.map((h) => h.closed)),
      new Promise<null>((r) => setTimeout(() => r(null), 20_000)),
    ]);
    expect(closedAt, "the server still held slow connections 20 s later").not.toBeNull();
    const last = Math.max(...(closedAt as number[]));
    expect(last - started).toBeGreaterThan(9_000);
    expect(last - started).toBeLessThan(16_000);
    await healthy(server.origin);
  });

  it("gives back the memory held connections took: the heap returns to its baseline, resident memory levels off", async () => {
    // In this process, so that the heap can be measured after a full collection.
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { dataset } = await loadDatasetFile("examples/demo/dataset.json");
    const handle = createRequestHandler({ store: createMemoryStore(dataset) }, { encodeText: (t) => Buffer.from(t), keepAsciiText: true });
    const server = await serveFetchHandler({ listener: toResultListener(handle) }, { port: 0, host: "127.0.0.1", limits: { headersTimeoutMs: 1000 } });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const heapMb = () => {
      gc();
      return process.memoryUsage().heapUsed / 1048576;
    };
    try {
      // A first round warms up what any first 1,000 connections create once (compiled code, pools).
      for (let i = 0; i < 50; i++) await healthy(origin);
      await Promise.all((await hold(origin, 1000)).map((h) => h.closed));
      const baseline = heapMb();
      const after: number[] = [];
      for (let round = 0; round < 3; round++) {
        const held = await hold(origin, 1000);
        await healthy(origin);
        await Promise.all(held.map((h) => h.closed));
        sockets.splice(0);
        after.push(heapMb());
      }
      expect(Math.max(...after) - baseline, `heap baseline ${baseline} MB, after each round ${after.join(", ")} MB`).toBeLessThan(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    // The server process: resident memory after four rounds stays within a bounded plateau above its start.
    const child = await serve("--headers-timeout", "1");
    const pid = child.child.pid as number;
    for (let i = 0; i < 50; i++) await healthy(child.origin);
    const start = rssMb(pid);
    for (let round = 0; round < 4; round++) await Promise.all((await hold(child.origin, 1000)).map((h) => h.closed));
    await healthy(child.origin);
    expect(rssMb(pid) - start).toBeLessThan(64);
  });

  it("closes connections past --max-connections as they arrive and times heads out after --headers-timeout", async () => {
    const server = await serve("--max-connections", "50", "--headers-timeout", "1");
    const held = [];
    for (let i = 0; i < 80; i++) held.push(await slow(server.origin, HEAD));
    const early = await Promise.all(held.map((h) => Promise.race([h.closed, new Promise<null>((r) => setTimeout(() => r(null), 300))])));
    expect(early.filter((t) => t !== null).length).toBe(30);
    const t0 = Date.now();
    await Promise.all(held.map((h) => h.closed));
    expect(Date.now() - t0).toBeLessThan(3_000);
    await healthy(server.origin);
  });

  it("ends keep-alive after --max-requests-per-socket requests and after --keep-alive-timeout idle", async () => {
    const server = await serve("--max-requests-per-socket", "3", "--keep-alive-timeout", "1");
    const { socket, closed } = await slow(server.origin, "");
    let text = "";
    socket.on("data", (b: Buffer) => (text += b.toString("latin1")));
    const get = "GET /v1/accounts/demo/engines HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    socket.write(get + get + get);
    await closed;
    const connection = [...text.matchAll(/^connection: (\S+)/gim)].map((m) => m[1]?.toLowerCase());
    expect(connection).toEqual(["keep-alive", "keep-alive", "close"]);
    const idle = await slow(server.origin, get);
    const t0 = Date.now();
    await idle.closed;
    expect(Date.now() - t0).toBeGreaterThan(800);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it("closes a socket that moves no bytes for --idle-timeout, and keeps one whose bytes keep moving", async () => {
    const server = await serve("--idle-timeout", "1", "--keep-alive-timeout", "0");
    const get = "GET /v1/accounts/demo/engines HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const quiet = await slow(server.origin, get);
    const trickle = await slow(server.origin, "GET /v1/accounts/demo/engines HTTP/1.1\r\n");
    const t0 = Date.now();
    let open = true;
    void trickle.closed.then(() => (open = false));
    const pad = setInterval(() => trickle.socket.write("X-Pad: p\r\n"), 200);
    try {
      await quiet.closed;
      expect(Date.now() - t0).toBeGreaterThan(900);
      expect(Date.now() - t0).toBeLessThan(2_500);
      await new Promise((r) => setTimeout(r, 2_500 - (Date.now() - t0)));
      expect(open).toBe(true);
    } finally {
      clearInterval(pad);
    }
    await trickle.closed;
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("refuses limits that are not numbers or do not fit together", async () => {
    await expect(startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--headers-timeout", "soon"])).rejects.toThrow(/--headers-timeout must be a number of seconds/);
    await expect(startListening(["src/cli.ts", "serve", "--data", "examples/demo/dataset.json", "--port", "0", "--request-timeout", "2", "--headers-timeout", "5"])).rejects.toThrow(/--request-timeout must be 0 or at least --headers-timeout/);
  });
});
