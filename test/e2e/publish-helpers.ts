/**
 * Helpers of the publishing end-to-end tests: the CLI as a child process (with its peak RSS), the
 * real tauri signer, and a TCP relay that can hold an upload mid-stream.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { ROOT, TSX } from "../helpers/process.js";

/** What one CLI run did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the CLI process, in bytes (VmHWM from /proc, sampled until it exits). */
  peakRss: number;
}

/** The CLI's environment for the demo account on `origin`. */
export function demoEnv(origin: string, token: string): Record<string, string> {
  return { KEYGEN_HOST: origin, KEYGEN_ACCOUNT_ID: "demo", KEYGEN_TOKEN: token };
}

function clean(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("KEYGEN_")) out[k] = v;
  return { ...out, ...env };
}

function peakOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Start `release-engines <args>` (node + tsx, so signals reach it); the promise settles when it exits. */
export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliRun>; stderr: () => string } {
  const child = spawn(process.execPath, [...TSX, "src/cli.ts", ...args], { cwd: ROOT, env: clean(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let peakRss = 0;
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, peakOf(child.pid))), 20);
  const done = new Promise<CliRun>((resolve) => {
    child.once("exit", (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, stderr, peakRss });
    });
  });
  return { child, done, stderr: () => stderr };
}

/** Run `release-engines <args>` to its end. */
export function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return startCli(args, env).done;
}

const TAURI = join(ROOT, "node_modules/@tauri-apps/cli/tauri.js");

/** Run the real `tauri` CLI (npm @tauri-apps/cli). */
export function tauri(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [TAURI, ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `tauri signer generate` a password-less key pair at `<dir>/tauri.key`; returns the public key (base64 of minisign's text). */
export function tauriKeys(dir: string): string {
  const r = tauri(["signer", "generate", "--ci", "-p", "", "-w", join(dir, "tauri.key")], dir);
  if (r.status !== 0) throw new Error(`tauri signer generate failed:\n${r.out}`);
  return readFileSync(join(dir, "tauri.key.pub"), "utf8").trim();
}

/** `tauri signer sign` a file with that key: writes `<file>.sig` beside it and returns its content. */
export function tauriSign(dir: string, file: string): string {
  const r = tauri(["signer", "sign", "-f", join(dir, "tauri.key"), "-p", "", file], dir);
  if (r.status !== 0) throw new Error(`tauri signer sign failed:\n${r.out}`);
  return readFileSync(`${file}.sig`, "utf8");
}

/** `minisign -V` of a file against a Tauri public key and signature (both base64 of minisign's text files). */
export function minisignVerify(dir: string, file: string, pubkey: string, signature: string): { ok: boolean; out: string } {
  const pub = join(dir, "verify.pub");
  const sig = join(dir, "verify.minisig");
  spawnSync("sh", ["-c", `printf %s "$1" | base64 -d > "$2" && printf %s "$3" | base64 -d > "$4"`, "sh", pubkey, pub, signature, sig]);
  const r = spawnSync("minisign", ["-V", "-p", pub, "-m", file, "-x", sig], { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/**
 * A TCP relay to `target` that forwards freely until `holdAfter` bytes of one upload have gone
 * upstream, then stops reading from the client (the CLI's socket fills and its PUT stalls mid-stream).
 */
export interface Relay {
  origin: string;
  /** Resolves once an upload is held. */
  held: Promise<void>;
  /** Cut every connection (the server sees the upload aborted). */
  cut(): void;
  close(): Promise<void>;
}

/** Start a {@link Relay}. */
export async function startRelay(target: string, holdAfter: number): Promise<Relay> {
  const url = new URL(target);
  const sockets = new Set<Socket>();
  let onHeld: () => void = () => {};
  const held = new Promise<void>((r) => (onHeld = r));
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: url.hostname, port: Number(url.port) });
    sockets.add(client).add(upstream);
    let sent = 0;
    let isPut = false;
    client.on("data", (chunk: Buffer) => {
      if (sent === 0 && chunk.subarray(0, 4).toString() === "PUT ") isPut = true;
      sent += chunk.length;
      upstream.write(chunk);
      if (isPut && sent >= holdAfter) {
        client.pause();
        onHeld();
      }
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Run a command and collect its output. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}${stderr}` });
    });
  });
}
