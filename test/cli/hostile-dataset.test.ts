/**
 * Hostile datasets (issue 19, item 6): a FIFO as an artifact file, metadata nested 200,000 deep,
 * and a slug shaped like a UUID are each one clear problem for validate, import and serve, never
 * a hang, a stack trace or a 500.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, TSX, startListening } from "../helpers/process.js";

/** Run the CLI; one that hangs is killed after 60 s (status null). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-hostile-"));

/** A one-account dataset file whose release and artifact take `extra`; the JSON text can be spliced with `raw`. */
function dataset(name: string, extra: { artifact?: Record<string, unknown>; slug?: string; metadataJson?: string } = {}): string {
  const account = {
    slug: extra.slug ?? "acme", name: "Acme", secretKey: "acme-secret-0123456789",
    products: [{ code: "cli", name: "CLI", distributionStrategy: "OPEN" }],
    packages: [{ product: "cli", key: "tool", name: "Tool", engine: "raw" }],
    releases: [{ product: "cli", package: "tool", version: "1.0.0", status: "PUBLISHED", metadata: { placeholder: 1 } }],
    artifacts: [{ release: "1.0.0", filename: "tool", ...extra.artifact }],
  };
  let text = JSON.stringify({ accounts: [account] });
  if (extra.metadataJson !== undefined) text = text.replace('{"placeholder":1}', extra.metadataJson);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("hostile datasets", { timeout: 180_000 }, () => {
  it("refuses a FIFO as an artifact file at once instead of waiting for a writer (validate, import, serve)", async () => {
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const file = dataset("fifo.json", { artifact: { file: "pipe" } });
    const [validate, imported] = await Promise.all([cli("validate", file), cli("import", file, "--db", join(dir, "fifo.sqlite"))]);
    for (const r of [validate, imported]) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("accounts[0].artifacts[0].file: cannot read pipe: not a regular file");
    }
    await expect(startListening(["src/cli.ts", "serve", "--data", file, "--port", "0"], {}, 60_000)).rejects.toThrow(/exited with 2[\s\S]*not a regular file/);
  });

  it("refuses metadata nested 200,000 deep with one problem (validate, import, serve), not a RangeError", async () => {
    const deep = `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`;
    const file = dataset("deep.json", { metadataJson: deep });
    const [validate, imported] = await Promise.all([cli("validate", file), cli("import", file, "--db", join(dir, "deep.sqlite"))]);
    for (const r of [validate, imported]) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("accounts[0].releases[0].metadata: must nest at most 4 levels deep");
      expect(r.stderr).not.toContain("RangeError");
    }
    await expect(startListening(["src/cli.ts", "serve", "--data", file, "--port", "0"], {}, 60_000)).rejects.toThrow(/exited with 2[\s\S]*4 levels deep/);
  });

  it("refuses a slug shaped like a UUID (it could be another account's id)", async () => {
    const r = await cli("validate", dataset("uuid-slug.json", { slug: "0b6e9a40-3f43-4c4e-9a4a-2f0e8e7c1d11" }));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("accounts[0].slug: must not look like a UUID");
  });
});
