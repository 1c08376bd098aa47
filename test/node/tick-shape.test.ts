import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, TSX } from "../helpers/process.js";

describe("keepTickShape", () => {
  it("holds a live process.nextTick entry, so entries made after full collections keep its shape", () => {
    // A fresh process with V8's natives: `%HaveSameMap` compares the shapes themselves.
    const out = execFileSync(process.execPath, ["--allow-natives-syntax", "--expose-gc", ...TSX, join(ROOT, "test/node/tick-shape-child.ts")], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    const r = JSON.parse(out) as { symbols: string[]; keys: string[]; sameShapeAfterCollections: boolean; keptIsFresh: boolean };
    expect(r.symbols).toEqual(["async_id_symbol", "trigger_async_id_symbol"]);
    expect(r.keys).toEqual(["callback", "args"]);
    expect(r.keptIsFresh).toBe(false);
    expect(r.sameShapeAfterCollections).toBe(true);
  }, 60_000);
});
