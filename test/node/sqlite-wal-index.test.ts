/**
 * node/sqlite-wal-index: the wal-index header of a real SQLite file moves with every commit made by
 * another connection or another process, stays put for reads, and is refused where there is none.
 */
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchWalIndex } from "../../src/node/sqlite-wal-index.js";

let dir: string;
const open: { close(): void }[] = [];
const keep = <T extends { close(): unknown }>(x: T): T => (open.push(x), x);
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), "re-wal-index-"))));
afterEach(() => {
  for (const x of open.splice(0).reverse()) x.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A WAL database with one table, read once (so its `-shm` exists). */
function walDatabase(file: string) {
  const db = keep(new Database(file));
  expect(db.pragma("journal_mode = WAL", { simple: true })).toBe("wal");
  db.exec("CREATE TABLE IF NOT EXISTS t (a INTEGER)");
  db.prepare("SELECT count(*) FROM t").get();
  return db;
}

describe("node/sqlite-wal-index", () => {
  it("moves with each commit of another connection, and not with reads", () => {
    const file = join(dir, "a.sqlite");
    walDatabase(file);
    const watch = keep(watchWalIndex(file)!);
    expect(watch).toBeDefined();
    const first = watch.version();
    expect(watch.version()).toBe(first);
    const other = keep(new Database(file));
    other.prepare("SELECT count(*) FROM t").get();
    expect(watch.version()).toBe(first);
    const seen = new Set([first]);
    for (let i = 0; i < 5; i++) {
      other.prepare("INSERT INTO t VALUES (?)").run(i);
      const v = watch.version();
      expect(seen.has(v)).toBe(false);
      seen.add(v);
      expect(watch.version()).toBe(v);
    }
    // A checkpoint that restarts the WAL, then a commit into the restarted WAL: each a new token.
    other.pragma("wal_checkpoint(TRUNCATE)");
    const afterCheckpoint = watch.version();
    other.prepare("INSERT INTO t VALUES (9)").run();
    expect(watch.version()).not.toBe(afterCheckpoint);
  });

  it("sees a commit made by another process", () => {
    const file = join(dir, "b.sqlite");
    walDatabase(file);
    const watch = keep(watchWalIndex(file)!);
    const before = watch.version();
    execFileSync(process.execPath, ["-e", `const D = require("better-sqlite3"); const db = new D(${JSON.stringify(file)}); db.prepare("INSERT INTO t VALUES (1)").run(); db.close();`], { cwd: process.cwd() });
    expect(watch.version()).not.toBe(before);
  });

  it("follows a symbolic link to the file SQLite opened", () => {
    const file = join(dir, "c.sqlite");
    walDatabase(file);
    const link = join(dir, "link.sqlite");
    symlinkSync(file, link);
    const watch = keep(watchWalIndex(link)!);
    expect(watch).toBeDefined();
    const before = watch.version();
    keep(new Database(file)).prepare("INSERT INTO t VALUES (1)").run();
    expect(watch.version()).not.toBe(before);
  });

  it("is refused for memory databases, rollback journals and files never opened in WAL mode", () => {
    expect(watchWalIndex(":memory:")).toBeUndefined();
    expect(watchWalIndex("")).toBeUndefined();
    const file = join(dir, "d.sqlite");
    const db = keep(new Database(file));
    db.exec("CREATE TABLE t (a INTEGER)");
    expect(watchWalIndex(file)).toBeUndefined();
    expect(watchWalIndex(join(dir, "missing.sqlite"))).toBeUndefined();
  });

  it("answers closed once closed", () => {
    const file = join(dir, "e.sqlite");
    walDatabase(file);
    const watch = watchWalIndex(file)!;
    watch.close();
    expect(watch.version()).toBe("closed");
    watch.close();
  });
});
