/**
 * Load and soak, shortened for the suite (issue 9, item 4): `bench/soak.mjs` drives `serve` with
 * the memory and SQLite stores under 100 keep-alive connections of mixed traffic. Here it runs a few
 * seconds: zero failed requests and the same answers after the load as before. Memory flatness
 * needs a longer run to mean anything (`npm run soak`, 60 s by default); here its bound is loose.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

interface SoakResult {
  store: string;
  connections: number;
  requests: number;
  failures: number;
  failureSamples: string[];
  rssGrowthMb: number;
  changedAfter: string[];
  ok: boolean;
}

describe("soak smoke (item 4)", () => {
  it("serves 100 concurrent connections of mixed traffic on memory and SQLite without a single failure", () => {
    const run = spawnSync(process.execPath, ["bench/soak.mjs", "--duration", "3", "--warmup", "1", "--connections", "100", "--max-growth-mb", "96", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    const results = JSON.parse(run.stdout) as SoakResult[];
    expect(results.map((r) => r.store)).toEqual(["memory", "sqlite"]);
    for (const r of results) {
      expect(r.failureSamples, r.store).toEqual([]);
      expect(r.failures, r.store).toBe(0);
      expect(r.requests, r.store).toBeGreaterThan(100);
      expect(r.changedAfter, r.store).toEqual([]);
      expect(r.ok, r.store).toBe(true);
    }
    expect(run.status).toBe(0);
  }, 150_000);
});
