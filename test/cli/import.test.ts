import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/sqlite.js";
import { ADMIN_SCOPE } from "../../src/access/scope.js";
import { ROOT, TSX } from "../helpers/process.js";

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dataset = (versions: string[]) => ({
  accounts: [{
    slug: "acme", name: "Acme", secretKey: "0123456789abcdef0123",
    products: [{ code: "cli", name: "CLI" }, { code: "other", name: "Other" }],
    releases: versions.map((version) => ({ product: "cli", version, status: "PUBLISHED" })),
  }],
});

async function releaseCount(db: string): Promise<number> {
  const store = createSqliteStore({ filename: db });
  try {
    const account = await store.getAccount("acme");
    const product = await store.getProduct(account!.id, "cli");
    let n = 0;
    for (const v of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) if (await store.getReleaseByVersion(account!.id, product!.id, null, v, ADMIN_SCOPE)) n += 1;
    return n;
  } finally {
    await store.close();
  }
}

describe("release-engines import", { timeout: 120_000 }, () => {
  it("merges by default, plans with --dry-run, deletes only with --prune, and says when nothing changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "re-import-"));
    const db = join(dir, "store.sqlite");
    const full = join(dir, "full.json");
    const onlyNew = join(dir, "new.json");
    writeFileSync(full, JSON.stringify(dataset(["1.0.0", "1.1.0", "1.2.0"])));
    writeFileSync(onlyNew, JSON.stringify(dataset(["1.3.0"])));

    const first = await cli("import", full, "--db", db);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("releases: 3 added, 0 changed, 0 deleted");
    const again = await cli("import", full, "--db", db);
    expect(again.stdout).toContain("nothing to change");

    // A file holding only the new release: a merge adds it and deletes nothing.
    const merged = await cli("import", onlyNew, "--db", db);
    expect(merged.status).toBe(0);
    expect(merged.stdout).toContain("releases: 1 added, 0 changed, 0 deleted");
    expect(await releaseCount(db)).toBe(4);

    const plan = await cli("import", onlyNew, "--db", db, "--prune", "--dry-run");
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain("dry run, nothing changed");
    expect(plan.stdout).toContain("releases: 0 to add, 0 to change, 3 to delete");
    expect(await releaseCount(db)).toBe(4);

    const pruned = await cli("import", onlyNew, "--db", db, "--prune");
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toContain("3 deleted");
    expect(await releaseCount(db)).toBe(1);
  });
});
