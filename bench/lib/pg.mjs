/**
 * @module bench/lib/pg — a PostgreSQL server for the bench: `BENCH_DATABASE_URL` when set, else a
 * throwaway PostgreSQL cluster (initdb in a temp folder, 127.0.0.1 on a free port, trust auth),
 * stopped and deleted by `destroy()`.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function asPostgres(command) {
  if (isRoot()) execFileSync("su", ["postgres", "-c", command], { stdio: "pipe" });
  else execFileSync("sh", ["-c", command], { stdio: "pipe" });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Run one statement on a database of the server. */
async function query(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Start (or attach to) a PostgreSQL server. Returns `{ version, createDatabase(name) → url, destroy() }`,
 * or null with a reason when no server can be had (the bench then reports PostgreSQL as not run).
 */
export async function startPostgres(log) {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const base = new URL(external);
    const urlOf = (db) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
    const version = (await query(external, "SHOW server_version")).rows[0].server_version;
    return {
      version,
      kind: "external",
      async createDatabase(name) {
        await query(external, `DROP DATABASE IF EXISTS "${name}"`);
        await query(external, `CREATE DATABASE "${name}"`);
        return urlOf(name);
      },
      destroy() {},
    };
  }
  if (!existsSync(`${BIN}/initdb`)) return { unavailable: `no PostgreSQL binaries at ${BIN} and no BENCH_DATABASE_URL` };
  const dir = mkdtempSync(join(tmpdir(), "re-bench-pg-"));
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=128MB -c max_connections=40`;
  try {
    asPostgres(`${BIN}/initdb -D ${quote(data)} -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null`);
    asPostgres(`${BIN}/pg_ctl -D ${quote(data)} -o ${quote(opts)} -l ${quote(join(dir, "log"))} -w -t 60 start >/dev/null`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `PostgreSQL did not start: ${String(error.stderr ?? error).slice(0, 300)}` };
  }
  const urlOf = (db) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const version = (await query(urlOf("postgres"), "SHOW server_version")).rows[0].server_version;
  log?.(`PostgreSQL ${version}: throwaway cluster on 127.0.0.1:${port}`);
  return {
    version,
    kind: "throwaway cluster (fsync off)",
    async createDatabase(name) {
      await query(urlOf("postgres"), `DROP DATABASE IF EXISTS "${name}"`);
      await query(urlOf("postgres"), `CREATE DATABASE "${name}"`);
      return urlOf(name);
    },
    destroy() {
      try {
        asPostgres(`${BIN}/pg_ctl -D ${quote(data)} -m fast -w -t 60 stop >/dev/null`);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A pool on `url` with generic plans (as the stores run), its errors ignored and its statements
 * counted: `statements()` is how many `query` calls it has had.
 */
export function countedPool(url, max) {
  const pool = new pg.Pool({ connectionString: url, max, options: "-c plan_cache_mode=force_generic_plan" });
  pool.on("error", () => {});
  let count = 0;
  const query = pool.query.bind(pool);
  pool.query = (...args) => {
    count++;
    return query(...args);
  };
  return { pool, statements: () => count };
}
