/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb in a temp folder owned by `postgres`, on a
 * free port, trust auth on 127.0.0.1 only. Nothing is skipped: if it cannot start, this throws.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** A running cluster. */
export interface PgCluster {
  port: number;
  /** Connection URL of a database (default `postgres`). */
  url(database?: string): string;
  /** A new empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Run SQL on a database as the superuser. */
  query(database: string, text: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Stop the server (fast shutdown), keeping its data. */
  stop(): void;
  /** Start it again on the same port. */
  start(): void;
  /** Stop it and delete its folder. */
  destroy(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function asPostgres(command: string): void {
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (asRoot) execFileSync("su", ["postgres", "-c", command], { stdio: "pipe" });
  else execFileSync("sh", ["-c", command], { stdio: "pipe" });
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Options of {@link startPgCluster}. */
export interface PgClusterOptions {
  /** The server's `max_connections` (default 200: suites race several pools on one cluster). */
  maxConnections?: number;
}

/** Start a fresh cluster; call `destroy()` in `afterAll`. */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), "re-pg-"));
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  try {
    asPostgres(`${BIN}/initdb -D ${quote(data)} -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=${Math.floor(options.maxConnections ?? 200)}`;
  const start = () => {
    try {
      asPostgres(`${BIN}/pg_ctl -D ${quote(data)} -o ${quote(opts)} -l ${quote(join(dir, "log"))} -w -t 60 start >/dev/null`);
    } catch (error) {
      throw new Error(`PostgreSQL did not start: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    }
  };
  const stop = () => asPostgres(`${BIN}/pg_ctl -D ${quote(data)} -m fast -w -t 60 stop >/dev/null`);
  start();
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async (database: string, text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(text, params);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    async createDatabase(name) {
      await query("postgres", `CREATE DATABASE "${name.replace(/"/g, "")}"`);
      return url(name);
    },
    query,
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
