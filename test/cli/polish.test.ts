/**
 * What a newcomer meets first: `--version`, one plain line for a missing optional peer, a port in
 * use, a database that cannot be reached, a `--db` that does not exist, and `npm start` stopped by
 * Ctrl-C or SIGTERM; and that `--help`, `--version` and the publishing commands never load the
 * server stack.
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, TSX, startListening, type Started } from "../helpers/process.js";

type Run = { status: number | null; stdout: string; stderr: string };

function run(args: string[], options: { cwd?: string; script?: string; node?: string[] } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...(options.node ?? []), ...TSX, options.script ?? "src/cli.ts", ...args], { cwd: options.cwd ?? ROOT, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "re-polish-"));

/** True when no folder from `folder` up to the root holds a node_modules (module resolution walks up them all). */
function noNodeModulesAbove(folder: string): boolean {
  for (let at = folder; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules"))) return false;
    if (dirname(at) === at) return true;
  }
}

/**
 * A fresh folder none of whose parents holds a node_modules, so a package copied into it resolves
 * only what it holds itself: the system temp folder unless someone left a node_modules in or above it.
 */
function isolatedDir(): string {
  const parent = [tmpdir(), "/var/tmp", "/dev/shm"].find(noNodeModulesAbove);
  if (parent === undefined) throw new Error(`every temp folder has a node_modules in or above it (${tmpdir()}, /var/tmp, /dev/shm)`);
  return mkdtempSync(join(parent, "re-polish-peers-"));
}
const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

/** One line on stderr, no stack frames. */
function oneLine(r: Run): string {
  const lines = r.stderr.trim().split("\n");
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe.concurrent("CLI polish", { timeout: 120_000 }, () => {
  it("prints the package's version with --version and -V", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const [long, short] = await Promise.all([run(["--version"]), run(["-V"])]);
    expect(long.status).toBe(0);
    expect(long.stdout).toBe(`${version}\n`);
    expect(short.stdout).toBe(`${version}\n`);
  });

  it("names the optional peer to install in one line when better-sqlite3 or pg is missing", async () => {
    // A copy of the package whose node_modules holds only its dependencies, as an install without the optional peers has.
    const pkg = join(isolatedDir(), "no-peers");
    mkdirSync(join(pkg, "node_modules"), { recursive: true });
    cpSync(join(ROOT, "src"), join(pkg, "src"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
    for (const dep of ["zod", "semver", "aws4fetch", "tsx"]) symlinkSync(join(ROOT, "node_modules", dep), join(pkg, "node_modules", dep));
    writeFileSync(join(pkg, "empty.sqlite"), "");
    const [sqlite, pg, imported] = await Promise.all([
      run(["serve", "--db", "empty.sqlite", "--port", "0"], { cwd: pkg }),
      run(["serve", "--database-url", "postgres://127.0.0.1:1/x", "--port", "0"], { cwd: pkg }),
      run(["import", join(ROOT, "examples/demo/dataset.json"), "--db", join(pkg, "new.sqlite")], { cwd: pkg }),
    ]);
    expect(sqlite.status).toBe(1);
    expect(oneLine(sqlite)).toBe("release-engines: the SQLite store (--db) needs the optional package 'better-sqlite3': install it with 'npm install better-sqlite3'");
    expect(pg.status).toBe(1);
    expect(oneLine(pg)).toBe("release-engines: the PostgreSQL store (--database-url) needs the optional package 'pg': install it with 'npm install pg'");
    expect(imported.status).toBe(1);
    expect(oneLine(imported)).toContain("install it with 'npm install better-sqlite3'");
  });

  it("says in one line that the port is in use, and exits 1", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await run(["serve", "--data", "examples/demo/dataset.json", "--port", String(port)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`release-engines: cannot listen on 127.0.0.1:${port}: the port is in use (stop the other server, or pick another --port)`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).not.toContain("listening on");
    } finally {
      blocker.close();
    }
  });

  it("says in one line that PostgreSQL refused the connection (password hidden), before listening, for serve and import", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `postgres://me:s3cret@127.0.0.1:${port}/db`;
    const [serve, imported] = await Promise.all([
      run(["serve", "--database-url", url, "--port", "0"]),
      run(["import", "examples/demo/dataset.json", "--database-url", url]),
    ]);
    for (const r of [serve, imported]) {
      expect(r.status).toBe(1);
      expect(oneLine(r)).toBe(`release-engines: cannot connect to PostgreSQL at postgres://me:***@127.0.0.1:${port}/db: connection refused (is PostgreSQL running, on that host and port?)`);
      expect(r.stdout).not.toContain("listening on");
    }
  });

  it("refuses serve --db of a file that does not exist (without --seed) and creates nothing; a folder that does not exist for import is one line", async () => {
    const missing = join(dir, "typo.sqlite");
    const r = await run(["serve", "--db", missing, "--port", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`release-engines: ${missing} does not exist: make it with 'release-engines import FILE.json --db ${missing}', or pass --seed FILE.json`);
    expect(r.stderr).toContain("Usage: release-engines serve");
    expect(existsSync(missing)).toBe(false);
    const nowhere = join(dir, "no-such-folder", "x.sqlite");
    const imported = await run(["import", "examples/demo/dataset.json", "--db", nowhere]);
    expect(imported.status).toBe(1);
    expect(oneLine(imported)).toContain(`cannot open the SQLite file ${nowhere}`);
  });

  it("shows the subcommand's own usage on its usage errors", async () => {
    const [serve, imported, validate] = await Promise.all([run(["serve", "--nope"]), run(["import", "--db", "x.sqlite"]), run(["validate"])]);
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain("unknown option '--nope'".replace("unknown", "Unknown"));
    expect(serve.stderr).toContain("Usage: release-engines serve");
    expect(serve.stderr).not.toContain("Commands:");
    expect(imported.stderr).toContain("import needs exactly one FILE.json");
    expect(imported.stderr).toContain("Usage: release-engines import");
    expect(validate.stderr).toContain("Usage: release-engines validate");
  });

  it("loads no server module for --help, --version or a publishing command", async () => {
    // A resolve hook lists every module of the package that is loaded.
    const hook = join(dir, "hook.mjs");
    writeFileSync(hook, `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes("/src/")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
    const register = join(dir, "register.mjs");
    writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(`file://${hook}`)});\n`);
    const loaded = (r: Run) => r.stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(l.indexOf("/src/") + 1));
    const runs = await Promise.all([["--help"], ["--version"], ["new", "--help"], ["upload", "--help"], ["serve", "--help"]].map((args) => run(args, { node: ["--import", register] })));
    for (const r of runs.slice(0, 4)) {
      expect(r.status).toBe(0);
      const mods = loaded(r);
      expect(mods).toContain("src/cli.ts");
      // Small core helpers (errors, filetype rules) may load; nothing of the server stack may.
      expect(mods.filter((m) => /^src\/(http|store|engines|sql|dataset|node|blobs|auth|access)\//.test(m)), mods.join("\n")).toEqual([]);
    }
    // serve --help needs its flags' modules only, not the handler, the stores or the engines.
    const serveMods = loaded(runs[4] as Run);
    expect(serveMods.some((m) => /^src\/(http|store|engines|sql|dataset)\//.test(m)), serveMods.join("\n")).toBe(false);
  });
});

describe("npm start", { timeout: 120_000 }, () => {
  /** A package whose start script is the repository's own, with the build skipped and the server run from source. */
  function startPackage(name: string): string {
    const pkg = join(dir, name);
    mkdirSync(pkg, { recursive: true });
    const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(script).toMatch(/^npm run build && exec node dist\/cli\.js serve /);
    const tsx = join(ROOT, "node_modules/tsx/dist/esm/index.mjs");
    const start = script
      .replace("npm run build && ", `cd ${JSON.stringify(ROOT)} && `)
      .replace("node dist/cli.js", `node --import ${JSON.stringify(tsx)} src/cli.ts`)
      .replace(".data/demo.sqlite", JSON.stringify(join(pkg, "demo.sqlite")))
      .replace("--port 8080", "--port 0");
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name, private: true, scripts: { start } }));
    return pkg;
  }

  function npmStart(pkg: string) {
    const child = spawn("npm", ["start"], { cwd: pkg, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RELEASE_ENGINES_LOG_FORMAT: "json" } });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const origin = new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1] as string);
        }
      }, 100);
      void exited.then(() => {
        clearInterval(timer);
        reject(new Error(`npm start exited:\n${out}`));
      });
    });
    return { child, origin, exited, output: () => out };
  }

  async function refused(origin: string): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      const ok = await fetch(`${origin}/health`).then(() => true, () => false);
      if (!ok) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  for (const [how, signal, group] of [["Ctrl-C (SIGINT to the terminal's process group)", "SIGINT", true], ["SIGTERM to npm", "SIGTERM", false], ["SIGINT to npm", "SIGINT", false]] as const) {
    it(`stops the server on ${how}`, async () => {
      const started = npmStart(startPackage(`start-${signal}-${group ? "group" : "npm"}`));
      try {
        const origin = await started.origin;
        expect((await fetch(`${origin}/health`)).status).toBe(200);
        process.kill(group ? -(started.child.pid as number) : (started.child.pid as number), signal);
        await started.exited;
        expect(await refused(origin), started.output()).toBe(true);
        expect(started.output()).toContain(`"signal":"${signal}"`);
        expect(started.output()).toContain('"message":"stopped"');
      } finally {
        try {
          process.kill(-(started.child.pid as number), "SIGKILL");
        } catch {
          // the whole group is gone
        }
      }
    });
  }
});
