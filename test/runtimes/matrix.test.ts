/**
 * The runtime matrix: the package, built and installed as a user gets it, serves the same handler on
 * real Node, Bun, Deno and workerd, and every runtime answers the shared checks with the same status,
 * headers and decoded body as Node, over a socket. Each answer is also checked on its own: a
 * `Content-Length` that matches the bytes sent, gzip that decodes to the page (once), HEAD with its
 * GET's headers and no body, and 304s to the ETags another process (Node) issued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { CHECKS, HEAD_CHECKS, observe, send, type Check, type Observed } from "./checks.js";
import { makeProject, type Project } from "./package.js";
import { RUNTIMES, startOn, startWorkerd, type Runtime, type RunningServer } from "./start.js";

let project: Project;
const servers = new Map<Runtime, RunningServer>();
const answers = new Map<Runtime, Map<string, Observed>>();

beforeAll(async () => {
  project = await makeProject();
  const started = await Promise.allSettled(RUNTIMES.map(async (r) => servers.set(r, await startOn(r, project.dir))));
  for (const s of started) if (s.status === "rejected") throw s.reason;
}, 90_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  project?.remove();
});

/** Run every check against one runtime, in order; `reference` supplies the ETags to revalidate (Node's). */
async function runChecks(runtime: Runtime, reference: ReadonlyMap<string, Observed>): Promise<Map<string, Observed>> {
  const server = servers.get(runtime) as RunningServer;
  const own = new Map<string, Observed>();
  for (const check of [...CHECKS, ...HEAD_CHECKS]) own.set(check.name, await observe(server.origin, check, reference.size > 0 ? reference : own, own));
  return own;
}

/** What a single answer must show whatever the runtime. */
function checkAnswer(runtime: Runtime, check: Check, seen: Observed, own: ReadonlyMap<string, Observed>): void {
  const label = `${runtime}: ${check.name}`;
  expect(seen.status, label).toBe(check.status);
  if (check.method === "HEAD") {
    const get = own.get(check.name.replace(/^HEAD /, "")) as Observed;
    expect(seen.wireBytes, label).toBe(0);
    expect(seen.headers, label).toEqual(get.headers);
    // A GET the runtime compressed itself (workerd, after the handler) has no length; its HEAD carries
    // the length of the page the handler answered, uncompressed (known limit: the coding is chosen later).
    if (get.contentLength === null && get.raw["content-encoding"] !== undefined) expect(seen.contentLength, label).toBe(String(Buffer.byteLength(get.body)));
    else expect(seen.contentLength, label).toBe(get.contentLength);
    return;
  }
  if (check.status === 204 || check.status === 304) {
    expect(seen.wireBytes, label).toBe(0);
    return;
  }
  // A runtime that compresses answers itself (workerd) streams them without a length.
  if (seen.raw["content-encoding"] !== undefined && seen.contentLength === null) expect(seen.raw["transfer-encoding"], label).toBe("chunked");
  else expect(seen.contentLength, `${label}: Content-Length`).toBe(String(seen.wireBytes));
}

describe("one handler on Node, Bun, Deno and workerd", () => {
  it("node answers every check as the checks expect", async () => {
    const node = await runChecks("node", new Map());
    answers.set("node", node);
    for (const check of [...CHECKS, ...HEAD_CHECKS]) checkAnswer("node", check, node.get(check.name) as Observed, node);
    const gzip = node.get("pypi project, gzip") as Observed;
    expect(gzip.raw["content-encoding"]).toBe("gzip");
    expect(gzip.body).toBe(node.get("pypi project, identity")?.body);
    expect(gzip.body).toMatch(/^<!DOCTYPE html>/);
    expect(node.get("pypi project, identity")?.wireBytes).toBeGreaterThanOrEqual(1024);
  });

  for (const runtime of RUNTIMES.filter((r) => r !== "node")) {
    it(`${runtime} answers every check with node's status, headers and decoded body`, async () => {
      const node = answers.get("node");
      if (node === undefined) throw new Error("the node run failed");
      const seen = await runChecks(runtime, node);
      for (const check of [...CHECKS, ...HEAD_CHECKS]) {
        const mine = seen.get(check.name) as Observed;
        checkAnswer(runtime, check, mine, seen);
        const theirs = node.get(check.name) as Observed;
        const headers = { ...mine.headers };
        // workerd's own compression names its coding on a 304 to a client that accepts gzip (no body, nothing to decode).
        if (runtime === "workerd" && mine.status === 304 && check.headers?.["accept-encoding"]?.includes("gzip")) delete headers["content-encoding"];
        expect({ status: mine.status, headers, body: mine.body }, `${runtime}: ${check.name}`).toEqual({ status: theirs.status, headers: theirs.headers, body: theirs.body });
      }
    });
  }

  it("workerd with the handler compressing (pypi.compress): its gzip goes out once (encodeBody manual)", async () => {
    const worker = await startWorkerd(project.dir, "worker-compress.mjs");
    try {
      const page = CHECKS.find((c) => c.name === "pypi project, identity") as Check;
      const identity = answers.get("node")?.get(page.name)?.body;
      const gzip = await send(worker.origin, "GET", page.path, { ...page.headers, "accept-encoding": "gzip" });
      expect(gzip.status).toBe(200);
      expect(gzip.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gzip.bytes).toString("utf8")).toBe(identity);
      // Why the default is off there: workerd shows every worker `Accept-Encoding: br, gzip`, so a client
      // that sent none gets the handler's gzip too (once: still one gunzip from the page).
      const plain = await send(worker.origin, "GET", page.path, { ...page.headers });
      expect(plain.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(plain.bytes).toString("utf8")).toBe(identity);
    } finally {
      await worker.stop();
    }
  });
});
