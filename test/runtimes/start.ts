/**
 * Starting the one server of test/runtimes/servers on each runtime: Node, Bun and Deno as child processes
 * (the binaries the `bun` and `deno` npm packages ship), workerd through miniflare's programmatic API with
 * the worker bundled by esbuild as wrangler would bundle it.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { ROOT } from "../helpers/process.js";

/** A runtime serving the handler: its name, its origin, and how to stop it. */
export interface RunningServer {
  name: string;
  origin: string;
  stop: () => Promise<void>;
}

/** The runtimes of the matrix. */
export const RUNTIMES = ["node", "bun", "deno", "workerd"] as const;
/** A runtime of the matrix. */
export type Runtime = (typeof RUNTIMES)[number];

const BIN = path.join(ROOT, "node_modules", ".bin");

/** The command that starts the server file for `runtime` in the project `dir` (what a user of that runtime runs). */
export function commandOf(runtime: Exclude<Runtime, "workerd">): string[] {
  if (runtime === "node") return [process.execPath, "node.mjs"];
  if (runtime === "bun") return [path.join(BIN, "bun"), "bun.mjs"];
  return [path.join(BIN, "deno"), "run", "--allow-net", "deno.mjs"];
}

function startProcess(name: string, argv: string[], dir: string, timeoutMs = 30_000): Promise<RunningServer> {
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: dir,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name}: no 'listening on' line after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ name, origin: m[1] as string, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Start a worker module of project `dir` (default `worker.mjs`) on workerd. */
export async function startWorkerd(dir: string, entry = "worker.mjs"): Promise<RunningServer> {
  const bundled = await build({
    entryPoints: [path.join(dir, entry)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    absWorkingDir: dir,
  });
  const mf = new Miniflare({ modules: true, script: bundled.outputFiles[0]?.text as string, compatibilityDate: "2025-09-01", host: "127.0.0.1", port: 0 });
  const url = await mf.ready;
  return { name: "workerd", origin: url.origin, stop: () => mf.dispose() };
}

/** Start the server of project `dir` on `runtime`. */
export function startOn(runtime: Runtime, dir: string): Promise<RunningServer> {
  return runtime === "workerd" ? startWorkerd(dir) : startProcess(runtime, commandOf(runtime), dir);
}
