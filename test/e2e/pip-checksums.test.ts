/**
 * Checksums as keygen-cli writes them (issue 17 item 4, SPEC §3 item 22): keygen-cli's default is
 * SHA-512 in unpadded base64 (keygen-sh/keygen-cli `cmd/upload.go` calculateChecksum:
 * `base64.RawStdEncoding` of sha512), and Keygen's PyPI engine only names a hash it
 * can read (`checksum_for(artifact, format: :pep)`, keygen-engines.md §2.4). Here a dataset's
 * checksum in any of keygen-cli's encodings is checked against the file when the dataset is loaded,
 * so a wrong SHA-512 stops `import` and `serve` instead of reaching pip as a hash mismatch; pages
 * name the file's sha256 always and, in PEP 691 `hashes`, the declared sha512 too. Real pip checks
 * the `#sha256=` it is given.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";
import { buildWheel, runPip, saved, startCli } from "./pip-helpers.js";

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-pip-sums-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const digest = (alg: "sha256" | "sha512", file: string) => createHash(alg).update(fs.readFileSync(file));

/** A one-wheel OPEN dataset in `sub` whose artifact declares `checksum(wheel path)`; returns the dataset file and the wheel. */
function dataset(sub: string, checksum: (wheel: string) => string): { file: string; wheel: string } {
  const at = path.join(dir, sub);
  fs.mkdirSync(at);
  const { filename } = buildWheel(at, "sum_pkg", "1.0.0");
  const data = {
    accounts: [{
      slug: "demo", name: "Demo", secretKey: "sums-secret-key-0123456789abcdef",
      products: [{ code: "open", name: "Open", distributionStrategy: "OPEN" }],
      packages: [{ product: "open", key: "sum-pkg", name: "Sum Pkg", engine: "pypi" }],
      releases: [{ id: "00000000-0000-4000-8000-00000000f001", product: "open", package: "sum-pkg", version: "1.0.0", status: "PUBLISHED" }],
      artifacts: [{ release: "00000000-0000-4000-8000-00000000f001", filename, file: filename, checksum: checksum(path.join(at, filename)) }],
    }],
  };
  const file = path.join(at, "dataset.json");
  fs.writeFileSync(file, JSON.stringify(data));
  return { file, wheel: path.join(at, filename) };
}

/** Run the CLI to its end. */
function cli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}\n${stderr}` });
    });
  });
}

describe("keygen-cli checksums through serve and real pip", { timeout: 90_000 }, () => {
  it("a SHA-512 in unpadded base64 (keygen-cli's default): the page names sha256 (and sha512 in PEP 691), pip installs checking it", async () => {
    const { file, wheel } = dataset("good", (w) => digest("sha512", w).digest("base64").replace(/=+$/, ""));
    const sha256 = digest("sha256", wheel).digest("hex");
    const sha512 = digest("sha512", wheel).digest("hex");
    const server = await startCli(file);
    try {
      const page = `${server.url}/v1/accounts/demo/engines/pypi/simple/sum-pkg/`;
      const html = await (await fetch(page, { headers: { accept: "text/html" } })).text();
      expect(html).toContain(`sum_pkg-1.0.0-py3-none-any.whl#sha256=${sha256}"`);
      const json = (await (await fetch(page, { headers: { accept: "application/vnd.pypi.simple.v1+json" } })).json()) as { files: Array<{ hashes: Record<string, string> }> };
      expect(json.files[0]?.hashes).toEqual({ sha256, sha512 });
      const out = path.join(dir, "good-out");
      const run = await runPip(dir, ["download", "-v", "--index-url", `${server.url}/v1/accounts/demo/engines/pypi/simple/`, "-d", out, "sum-pkg"]);
      expect(run.code, run.out).toBe(0);
      expect(saved(out)).toEqual(["sum_pkg-1.0.0-py3-none-any.whl"]);
      // pip compared the fragment's sha256 with the bytes: with --require-hashes the same digest installs.
      const pinned = path.join(dir, "req.txt");
      fs.writeFileSync(pinned, `sum-pkg==1.0.0 --hash=sha256:${sha256}\n`);
      const strict = await runPip(dir, ["download", "--require-hashes", "--index-url", `${server.url}/v1/accounts/demo/engines/pypi/simple/`, "-d", path.join(dir, "strict-out"), "-r", pinned]);
      expect(strict.code, strict.out).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it("a wrong SHA-512 is refused when the dataset is loaded (import and serve), never served for pip to trip over", async () => {
    const { file } = dataset("bad", () => createHash("sha512").update("other bytes").digest("base64").replace(/=+$/, ""));
    const imported = await cli(["import", file, "--db", path.join(dir, "bad.sqlite")]);
    expect(imported.code, imported.out).not.toBe(0);
    expect(imported.out).toMatch(/artifacts\[0\]\.checksum.*does not match the file's sha512/);
    const served = await cli(["serve", "--data", file, "--port", "0"]);
    expect(served.code, served.out).not.toBe(0);
    expect(served.out).toContain("does not match the file's sha512");
  });
});
