/**
 * Test helpers: start `release-engines serve` as a child process and write dataset files.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startListening } from "../helpers/process.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** A running server child process. */
export interface ServerProcess {
  origin: string;
  child: ChildProcess;
  /** Everything it wrote (stderr and stdout). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `release-engines serve …args --port 0` with the one spawn helper (test/helpers/process.ts) and wait for its `listening on` line. */
export async function startServer(args: string[]): Promise<ServerProcess> {
  const started = await startListening(["src/cli.ts", "serve", ...args, "--port", "0"]);
  return { origin: started.origin, child: started.child, stderr: started.output, stop: async () => void (await started.stop()) };
}

/** Run the CLI to completion (tsx from node_modules, without npx's start-up cost). */
export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["src/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Write a small dataset (an OPEN product with a raw package, one release, one real blob) into `dir`. */
export function writeDemoDataset(dir: string, extra: { version?: string } = {}): string {
  mkdirSync(join(dir, "blobs"), { recursive: true });
  writeFileSync(join(dir, "blobs", "tool"), "tool bytes\n");
  const file = join(dir, "dataset.json");
  writeFileSync(file, JSON.stringify({
    accounts: [{
      slug: "demo", name: "Demo", secretKey: "demo-secret-key-0123456789abcdef",
      products: [{ code: "cli", name: "CLI", distributionStrategy: "OPEN", created: "2026-01-01T00:00:00Z" }],
      packages: [{ product: "cli", key: "tool", name: "Tool", engine: "raw", created: "2026-01-02T00:00:00Z" }],
      releases: [{ product: "cli", package: "tool", version: extra.version ?? "1.0.0", status: "PUBLISHED", created: "2026-01-03T00:00:00Z" }],
      artifacts: [{ release: extra.version ?? "1.0.0", filename: "tool", file: "blobs/tool", created: "2026-01-03T00:00:00Z" }],
    }],
  }, null, 2));
  return file;
}
