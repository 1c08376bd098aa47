/**
 * `validate` and `import` report a file's schema and reference problems together in one run, and a
 * file with thousands of problems shows the first ones and how many more.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, TSX } from "../helpers/process.js";

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-validate-"));
const account = (extra: Record<string, unknown>) => ({ slug: "acme", name: "Acme", secretKey: "0123456789abcdef0123", products: [{ code: "cli", name: "CLI" }], ...extra });

describe.concurrent("one-pass, capped validation", { timeout: 120_000 }, () => {
  it("reports schema and reference problems of one file in one run (validate and import)", async () => {
    const file = join(dir, "both.json");
    writeFileSync(file, JSON.stringify({
      accounts: [account({
        name: 7, // schema: not a string
        releases: [{ product: "cli", version: "1.0.0" }, { product: "nope", version: "2.0.0" }], // reference: unknown product
        artifacts: [{ release: "9.9.9", filename: "a.whl" }], // reference: unknown release
      })],
    }));
    const db = join(dir, "both.sqlite");
    const [validate, imported] = await Promise.all([cli("validate", file), cli("import", file, "--db", db)]);
    for (const r of [validate, imported]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("dataset is invalid (3 problems)");
      expect(r.stderr).toMatch(/^ {2}accounts\[0\]\.name: /m);
      expect(r.stderr).toMatch(/^ {2}accounts\[0\]\.releases\[1\]\.product: /m);
      expect(r.stderr).toMatch(/^ {2}accounts\[0\]\.artifacts\[0\]\.release: /m);
    }
    expect(existsSync(db)).toBe(false);
  });

  it("shows the first 20 of 20,000 problems and how many more", async () => {
    const file = join(dir, "many.json");
    writeFileSync(file, JSON.stringify({ accounts: [account({ releases: Array.from({ length: 20_000 }, (_, i) => ({ product: "cli", version: `not-a-version-${i}` })) })] }));
    const r = await cli("validate", file);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("release-engines: dataset is invalid (20000 problems)");
    expect(lines.slice(1, 21).every((l) => /^ {2}accounts\[0\]\.releases\[\d+\]\.version: /.test(l))).toBe(true);
    expect(lines[21]).toBe("  … and 19,980 more");
    expect(lines).toHaveLength(22);
  });
});
