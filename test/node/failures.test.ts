/**
 * Store failures and unexpected errors are counted and logged once per burst (issue 19, item 8).
 */
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/core/errors.js";
import { createServeLog } from "../../src/node/access-log.js";
import { createFailureLog } from "../../src/node/failures.js";

const storeDown = () => new StoreError("The service is temporarily unavailable", { cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") });

describe("failure bursts", () => {
  it("logs the first failure of a burst with its cause, then counts per window, then one line when it stops", async () => {
    const events: Array<Record<string, unknown>> = [];
    const log = createServeLog("json", () => {}, (chunk) => events.push(JSON.parse(chunk) as Record<string, unknown>));
    const failures = createFailureLog(log, { windowMs: 200 });
    for (let i = 0; i < 1000; i++) failures.record(storeDown());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: "error", kind: "store", error: "Error: connect ECONNREFUSED 127.0.0.1:5432" });
    await new Promise((r) => setTimeout(r, 250));
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ level: "warn", kind: "store", failures: 999, burstTotal: 1000 });
    await new Promise((r) => setTimeout(r, 450));
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ message: "store failures stopped", burstTotal: 1000 });
    expect(failures.counts()).toEqual({ store: 1000, internal: 0 });
    // A new burst is logged again, and unexpected errors are their own kind, with their stack.
    failures.record(storeDown());
    failures.record(new TypeError("boom"));
    failures.record(new TypeError("boom"));
    expect(events.slice(3).map((e) => [e.level, e.kind])).toEqual([["error", "store"], ["error", "internal"]]);
    expect(events[4]?.stack).toMatch(/TypeError: boom\n\s+at /);
    failures.close();
    expect(events.slice(5).map((e) => e.message)).toEqual(["store failures stopped", "unexpected errors stopped"]);
    expect(failures.counts()).toEqual({ store: 1001, internal: 2 });
  });

  it("writes text events as key=value, quoting values with spaces", () => {
    const lines: string[] = [];
    const log = createServeLog("text", () => {}, (chunk) => lines.push(chunk));
    log.event("error", "store failing", { kind: "store", error: "Error: a b" });
    expect(lines[0]).toMatch(/^\S+Z error store failing kind=store error="Error: a b"\n$/);
  });
});
