/**
 * Ctrl-C stops `release-engines serve` (issue 17 item 5): SIGINT shuts it down as SIGTERM does
 * (src/node/shutdown.ts), the socket closes and the process exits 0.
 */
import { describe, expect, it } from "vitest";
import { startListening } from "../helpers/process.js";

describe("serve and SIGINT", { timeout: 60_000 }, () => {
  it("exits 0 on SIGINT and stops answering", async () => {
    const server = await startListening(["src/cli.ts", "serve", "--port", "0", "--data", "examples/demo/dataset.json"]);
    try {
      expect((await fetch(`${server.origin}/ready`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      server.child.kill("SIGINT");
      expect(await exited).toBe(0);
      await expect(fetch(`${server.origin}/ready`)).rejects.toThrow();
    } finally {
      if (server.child.exitCode === null) await server.stop();
    }
  });
});
