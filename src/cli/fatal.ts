/**
 * @module cli/fatal — failures a newcomer meets at once (a missing optional peer, a port in use, a
 * database that cannot be reached or opened) told in one line, without a stack trace.
 */

/** A failure already said in one plain line for the user (exit status 1). */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}

/** The optional peers and what each is for. */
const PEERS: Record<string, string> = {
  "better-sqlite3": "the SQLite store (--db)",
  pg: "the PostgreSQL store (--database-url)",
};

/** The peer a module-not-found error names, when it is one of ours. */
function missingPeer(error: unknown): string | null {
  const e = error as { code?: unknown; message?: unknown };
  if (e === null || typeof e !== "object" || (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "MODULE_NOT_FOUND")) return null;
  const message = String(e.message);
  for (const name of Object.keys(PEERS)) {
    if (message.includes(`'${name}'`) || message.includes(`"${name}"`)) return name;
  }
  return null;
}

/** Import a module that needs an optional peer; a missing peer becomes one line saying what to install. */
export async function importWithPeer<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const peer = missingPeer(error);
    if (peer === null) throw error;
    throw new CliFailure(`${PEERS[peer]} needs the optional package '${peer}': install it with 'npm install ${peer}'`);
  }
}

/** A `listen` failure as one line, or null when it is not one. */
export function listenFailure(error: unknown, host: string, port: number): CliFailure | null {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  switch (code) {
    case "EADDRINUSE":
      return new CliFailure(`cannot listen on ${where}: the port is in use (stop the other server, or pick another --port)`);
    case "EACCES":
      return new CliFailure(`cannot listen on ${where}: permission denied (ports below 1024 need privileges; pick another --port)`);
    case "EADDRNOTAVAIL":
      return new CliFailure(`cannot listen on ${where}: this machine has no such address (check --host)`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new CliFailure(`cannot listen on ${where}: the host name does not resolve (check --host)`);
    default:
      return null;
  }
}

/** PostgreSQL's SQLSTATEs and node's socket codes that mean "cannot reach or enter the database". */
const PG_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is PostgreSQL running, on that host and port?)",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNRESET: "the server closed the connection",
  "28P01": "password authentication failed",
  "28000": "the server refused this role",
  "3D000": "the database does not exist",
  "57P03": "the server is starting up or shutting down",
};

/** A database connection failure as one line (the URL shown without its password), or null when it is not one. */
export function databaseFailure(error: unknown, kind: "sqlite" | "postgres", target: string): CliFailure | null {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown } | null;
  if (e === null || typeof e !== "object") return null;
  if (kind === "postgres") {
    // pg wraps a refused dual-stack connection in an AggregateError whose inner errors carry the code.
    const inner = Array.isArray(e.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
    const code = String(e.code ?? inner?.code ?? "");
    const timeout = /timeout/i.test(String(e.message)) && /connect/i.test(String(e.message));
    const reason = PG_REASONS[code] ?? (timeout ? PG_REASONS.ETIMEDOUT : undefined);
    if (reason === undefined) return null;
    return new CliFailure(`cannot connect to PostgreSQL at ${redactUrl(target)}: ${reason}`);
  }
  const code = String(e.code ?? "");
  if (/directory does not exist/i.test(String(e.message))) return new CliFailure(`cannot open the SQLite file ${target}: its folder does not exist`);
  if (code === "SQLITE_CANTOPEN") return new CliFailure(`cannot open the SQLite file ${target} (does its folder exist, and may this user write there?)`);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") return new CliFailure(`${target} is not a SQLite database (${String(e.message)})`);
  if (code === "SQLITE_READONLY" || code === "SQLITE_PERM") return new CliFailure(`cannot write the SQLite file ${target} (${String(e.message)})`);
  if (/schema is version \d+, newer than/.test(String(e.message))) return new CliFailure(`${target}: ${String(e.message)}`);
  return null;
}

/** A database URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
