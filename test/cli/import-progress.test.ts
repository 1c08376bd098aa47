/**
 * A long `import` shows progress on stderr (lines off a terminal), rows written of rows in all,
 * never on stdout; a short one shows none.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, TSX } from "../helpers/process.js";

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-import-progress-"));

describe("import progress", { timeout: 180_000 }, () => {
  it("prints rows written of all rows on stderr as it goes, and a last line; nothing for a short import", async () => {
    const file = join(dir, "big.json");
    const releases = Array.from({ length: 20_000 }, (_, i) => ({ product: "cli", version: `1.0.${i}` }));
    writeFileSync(file, JSON.stringify({ accounts: [{ slug: "acme", name: "Acme", secretKey: "0123456789abcdef0123", products: [{ code: "cli", name: "CLI" }], releases }] }));
    const long = await cli(["import", file, "--db", join(dir, "big.sqlite")], { RELEASE_ENGINES_PROGRESS_MS: "0" });
    expect(long.status, long.stderr).toBe(0);
    const lines = long.stderr.trimEnd().split("\n");
    const counts = lines.slice(0, -1).map((l) => {
      const m = /^importing: ([\d,]+) rows \/ 20,001 rows \((\d+)%\) /.exec(l);
      expect(m, l).not.toBeNull();
      return Number((m?.[1] as string).replace(/,/g, ""));
    });
    expect(counts.length).toBeGreaterThan(2);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(lines.at(-1)).toMatch(/^importing: 20,001 rows written in \d+\.\d s$/);
    expect(long.stdout).not.toContain("importing");
    expect(long.stdout).toContain("row(s) written");

    const short = await cli(["import", "examples/demo/dataset.json", "--db", join(dir, "demo.sqlite")]);
    expect(short.status, short.stderr).toBe(0);
    expect(short.stderr).toBe("");
  });
});
