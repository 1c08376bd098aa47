import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startServer, writeDemoDataset } from "./serve.js";

const dir = mkdtempSync(join(tmpdir(), "re-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every row of every table, as text: "nothing changed" means this is identical. */
function snapshot(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' ORDER BY name").all() as Array<{ name: string }>;
    return JSON.stringify(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}" ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

describe("release-engines import (SQLite)", () => {
  const data = join(dir, "data");
  const file = writeDemoDataset(data);
  const db = join(data, "store.sqlite");

  it("imports a dataset, and importing it again changes nothing", () => {
    const first = runCli(["import", file, "--db", db]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/1 account\(s\): [1-9]\d* row\(s\) written, 0 deleted/);
    const before = snapshot(db);
    const second = runCli(["import", file, "--db", db]);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/nothing to change, the store already matches the file/);
    expect(snapshot(db)).toBe(before);
  }, 60_000);

  it("refuses a bad file with every problem listed, and changes nothing", () => {
    const before = snapshot(db);
    const bad = JSON.parse(readFileSync(file, "utf8"));
    bad.accounts[0].releases.push({ product: "nope", version: "not-a-version" });
    const badFile = join(data, "bad.json");
    writeFileSync(badFile, JSON.stringify(bad));
    const r = runCli(["import", badFile, "--db", db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/releases\[1\]\.product/);
    expect(r.stderr).toMatch(/releases\[1\]\.version/);
    expect(snapshot(db)).toBe(before);
  });

  it("with --prune, mirrors the file: a removed release is deleted, a new one added, revisions move", () => {
    const raw = new Database(db, { readonly: true });
    const revision = () => (raw.prepare("SELECT revision FROM package_revisions").get() as { revision: number }).revision;
    const rev1 = revision();
    const next = writeDemoDataset(join(dir, "next"), { version: "2.0.0" });
    const merged = runCli(["import", next, "--db", db, "--dry-run"]);
    expect(merged.stdout).toMatch(/dry run, nothing changed: 1 account\(s\), [1-9]\d* row\(s\) to write, 0 to delete/);
    const r = runCli(["import", next, "--db", db, "--prune"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* row\(s\) written, 2 deleted/);
    expect(raw.prepare("SELECT version FROM releases").all()).toEqual([{ version: "2.0.0" }]);
    expect(revision()).toBeGreaterThan(rev1);
    raw.close();
  });

  it("refuses bad flags with exit status 2", () => {
    expect(runCli(["import", file]).status).toBe(2);
    expect(runCli(["import", file, "--db", db, "--database-url", "postgres://x/y"]).status).toBe(2);
    expect(runCli(["serve", "--db", db, "--data", file]).status).toBe(2);
    expect(runCli(["serve", "--db", db, "--nope"]).status).toBe(2);
    const help = runCli(["serve", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--blobs DIR/);
  }, 90_000);

  it("serves the SQLite store with blobs from the db file's folder", async () => {
    const server = await startServer(["--db", db]);
    try {
      const list = await fetch(`${server.origin}/v1/accounts/demo/engines`);
      expect(list.status).toBe(200);
      const res = await fetch(`${server.origin}/v1/accounts/demo/artifacts/tool`, { redirect: "manual" });
      expect(res.status).toBe(303);
      const blob = await fetch(res.headers.get("location") as string);
      expect(await blob.text()).toBe("tool bytes\n");
    } finally {
      await server.stop();
    }
  });
});
