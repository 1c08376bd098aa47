#!/usr/bin/env node
/**
 * @module cli — the `release-engines` command: serve, validate (and import, with the SQL stores).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PUBLISHING_USAGE, isPublishingCommand, runPublishingCommand } from "./cli/run.js";
import { DatasetError } from "./core/errors.js";
import { createRequestHandler } from "./http/fetch.js";
import { loadDatasetFile } from "./node/dataset-file.js";
import { createS3BlobStorage, type S3BlobStorage } from "./blobs/s3/storage.js";
import { createFileBlobStorage } from "./node/file-blobs.js";
import { S3_FLAGS, S3_FLAGS_USAGE, s3OptionsFromFlags } from "./node/s3-flags.js";
import { serveFetchHandler, toResultListener } from "./node/http.js";
import { seedSqliteFile } from "./node/seed.js";
import { defaultLogFormat, LOG_FORMATS, type LogFormat } from "./node/access-log.js";
import { createOperations } from "./node/operations.js";
import { connectionLimitsFromFlags, LIMIT_FLAGS, type ConnectionLimits } from "./node/limits.js";
import { createMemoryStore } from "./store/memory.js";
import type { Store } from "./store/types.js";
import { dirname, resolve as resolvePath } from "node:path";

const USAGE = `Usage: release-engines <command> [options]

Commands:
  serve      serve a dataset over HTTP (from memory, SQLite or PostgreSQL)
  import     load a dataset file into a SQLite or PostgreSQL store
  validate   report every problem in a dataset file
${PUBLISHING_USAGE}

Run 'release-engines <command> --help' for a command's options.`;

const SERVE_USAGE = `Usage: release-engines serve (--data FILE.json | --db FILE.sqlite | --database-url URL)
                            [--blobs DIR | --s3-bucket NAME …] [--port 8080] [--host 127.0.0.1] [--base-url URL] [--account SLUG]

Options:
  --data FILE       dataset file to serve from memory (read-only: writes answer 405)
  --db FILE         SQLite store to serve (see 'release-engines import'); it can publish
  --seed FILE.json  with --db: when the db file does not exist yet, make it from this dataset
                    and copy the dataset's files into the blob folder (npm start does this)
  --database-url U  PostgreSQL store to serve (postgres://…); many servers may share one
  --blobs DIR       folder artifact files are read from. Imported datasets keep relative 'file'
                    keys, so point this at the folder the dataset's files are relative to.
                    Default: the dataset's folder (--data), the db file's folder (--db), or
                    the current folder (--database-url)
${S3_FLAGS_USAGE}
  --port N          port to listen on (0 picks a free one; default 8080)
  --host HOST       address to bind (default 127.0.0.1)
  --base-url URL    origin for absolute URLs in answers (default: the request's)
  --trust-proxy     honour X-Forwarded-Proto and X-Forwarded-Host
  --account SLUG    single-account host: every route also answers at /v1/<path> without
                    /accounts/{account} (Keygen's custom-domain form; keygen-cli --host calls it)
  --pypi-upstream U simple index unknown PyPI projects are sent to with a 307
                    (default https://pypi.org/simple/); 'none' answers 404 instead
  --pypi-html-only  serve PEP 503 HTML only, as Keygen does (no PEP 691 JSON)
  --npm-upstream U  npm registry unknown npm packages are sent to with a 307
                    (e.g. https://registry.npmjs.org/); default none: 404
  -h, --help        show this help

Connection limits (times in seconds; 0 turns a limit off, except --headers-timeout):
  --max-connections N         open connections at most; more are closed as they arrive
                              (default 4096, or 3/4 of the open-file limit when lower)
  --headers-timeout S         a request's head must arrive within S (default 10; 408 after)
  --request-timeout S         a whole request, body included, within S (default 0: none, so
                              long uploads live; --idle-timeout bounds a stalled one)
  --idle-timeout S            close a socket that moves no bytes for S (default 60)
  --keep-alive-timeout S      an idle keep-alive connection waits S for its next request (default 5)
  --max-requests-per-socket N requests per connection before 'Connection: close' (default 1000)
  --shutdown-timeout S        on SIGTERM or SIGINT, requests in flight get S to finish (default 10)

Logs:
  --log-format F    json, text or none: one access line per request on stdout (method, route
                    template, status, ms, bytes; never a key, token, signature or query), events
                    (start, failures, shutdown) on stderr. Default: $RELEASE_ENGINES_LOG_FORMAT,
                    else text on a terminal and json otherwise. 'none' drops the access lines only.

Operations: GET /health answers 200 while the store answers (503 when not), GET /ready 200 until
shutdown begins.`;

const IMPORT_USAGE = `Usage: release-engines import FILE.json (--db FILE.sqlite | --database-url URL) [--prune] [--dry-run] [--s3-bucket NAME …]
Validates FILE.json, then loads it into a SQLite file (created when missing) or a PostgreSQL
database in one transaction. By default it merges: the file's records are added or changed, and
nothing the file lacks is deleted (releases published through the API, other products, stay).
  --prune     the file is the truth for the accounts it holds: their records it lacks are deleted
              (on a terminal, the plan is shown and must be confirmed first)
  --dry-run   print the plan (per table: add, change, delete) and change nothing
Importing the same file twice changes nothing, and a bad file changes nothing. Artifact 'file'
paths are stored as relative blob keys: serve with --blobs pointing at the dataset's folder (for
--db the default is the db file's folder), or import with --s3-bucket: the files are uploaded to
the bucket first (skipping those it already holds with the same bytes), then the records imported.
${S3_FLAGS_USAGE}`;

const VALIDATE_USAGE = `Usage: release-engines validate FILE.json

Checks a dataset file and lists every problem (JSON path and reason). Exit status 0 when
valid, 2 when not.`;

/** A usage error: message to stderr, exit status 2. */
class UsageError extends Error {}

/** The S3 blob storage the `--s3-*` flags ask for (credentials from AWS_* variables); null without them. */
function s3Storage(values: Record<string, string | boolean | undefined>): S3BlobStorage | null {
  try {
    const options = s3OptionsFromFlags(values, process.env);
    return options === null ? null : createS3BlobStorage(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parse(args: string[], options: ParseArgsConfig["options"], allowPositionals = false): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const out = parseArgs({ args, options: { help: { type: "boolean", short: "h" }, ...options }, strict: true, allowPositionals });
    return { values: out.values as Record<string, string | boolean | undefined>, positionals: out.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, {
    data: { type: "string" },
    db: { type: "string" },
    "database-url": { type: "string" },
    blobs: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "base-url": { type: "string" },
    "trust-proxy": { type: "boolean" },
    "pypi-upstream": { type: "string" },
    "pypi-html-only": { type: "boolean" },
    "npm-upstream": { type: "string" },
    seed: { type: "string" },
    account: { type: "string" },
    ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: "string" as const }])),
    "shutdown-timeout": { type: "string" },
    "log-format": { type: "string" },
    ...S3_FLAGS,
  });
  if (values.help) {
    console.log(SERVE_USAGE);
    return;
  }
  let limits: ConnectionLimits;
  try {
    limits = connectionLimitsFromFlags(values);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const drainText = (values["shutdown-timeout"] as string | undefined) ?? "10";
  if (!/^\d{1,6}(?:\.\d{1,3})?$/.test(drainText)) throw new UsageError(`--shutdown-timeout must be a number of seconds (got '${drainText}')`);
  const logFormat = (values["log-format"] as string | undefined) ?? defaultLogFormat(process.env, process.stdout.isTTY === true);
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(", ")} (got '${logFormat}')`);
  const data = values.data as string | undefined;
  const source = storeSource(values, true);
  if (data !== undefined && source !== null) throw new UsageError("give only one of --data, --db and --database-url");
  if (data === undefined && source === null) throw new UsageError("serve needs --data FILE.json, --db FILE.sqlite or --database-url URL");
  const portText = (values.port as string | undefined) ?? "8080";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got '${portText}')`);
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const baseUrl = values["base-url"] as string | undefined;
  if (baseUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(baseUrl);
      ok = (u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "";
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--base-url must be an http(s) URL without query (got '${baseUrl}')`);
  }
  const upstreamText = values["pypi-upstream"] as string | undefined;
  let upstream: string | null | undefined;
  if (upstreamText !== undefined) {
    if (upstreamText === "none") upstream = null;
    else if (/^https?:\/\/[^\s?#]+$/.test(upstreamText)) upstream = upstreamText;
    else throw new UsageError(`--pypi-upstream must be 'none' or an http(s) URL without query (got '${upstreamText}')`);
  }
  const npmText = values["npm-upstream"] as string | undefined;
  if (npmText !== undefined && npmText !== "none" && !/^https?:\/\/[^\s?#]+$/.test(npmText)) throw new UsageError(`--npm-upstream must be 'none' or an http(s) URL without query (got '${npmText}')`);
  const s3 = s3Storage(values);
  if (s3 !== null && values.blobs !== undefined) throw new UsageError("give either --blobs DIR or --s3-bucket NAME, not both");
  if (s3 !== null && values.seed !== undefined) throw new UsageError("--seed copies files into --blobs; to fill a bucket, run 'release-engines import FILE.json --db … --s3-bucket …'");
  let store: Store;
  let root: string;
  let close = async () => {};
  const seed = values.seed as string | undefined;
  if (seed !== undefined && source?.kind !== "sqlite") throw new UsageError("--seed needs --db FILE.sqlite");
  if (data !== undefined) {
    const loaded = await loadDatasetFile(data);
    store = createMemoryStore(loaded.dataset);
    root = loaded.root;
    console.error(`serving ${data} from memory: read-only (writes answer 405 STORE_READ_ONLY); serve --db FILE.sqlite to publish`);
  } else {
    if (seed !== undefined) {
      const blobRoot = typeof values.blobs === "string" ? resolvePath(values.blobs) : dirname(resolvePath((source as StoreSource).target));
      const seeded = await seedSqliteFile((source as StoreSource).target, seed, blobRoot);
      if (seeded.created) console.error(`made ${(source as StoreSource).target} from ${seed} (${seeded.files} file(s) copied to ${blobRoot})`);
    }
    const opened = await openSqlStore(source as StoreSource);
    store = opened;
    close = () => opened.close();
    root = source?.kind === "sqlite" ? dirname(resolvePath(source.target)) : process.cwd();
  }
  if (typeof values.blobs === "string") root = resolvePath(values.blobs);
  const account = values.account as string | undefined;
  if (account !== undefined && (await store.getAccount(account)) === null) {
    await close();
    throw new UsageError(`--account names no account of the store (got '${account}')`);
  }
  const ops = createOperations({ store, format: logFormat as LogFormat, drainMs: Math.round(Number(drainText) * 1000) });
  const handle = createRequestHandler({
    store,
    blobs: s3 ?? createFileBlobStorage({ root }),
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(account !== undefined ? { account } : {}),
    trustProxy: values["trust-proxy"] === true,
    pypi: { ...(upstream !== undefined ? { upstream } : {}), htmlOnly: values["pypi-html-only"] === true },
    npm: { upstream: npmText === undefined || npmText === "none" ? null : npmText },
    onError: (error) => ops.failures.record(error),
  }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true });
  const server = await serveFetchHandler({ listener: toResultListener(handle, ops.hooks) }, { port: Number(portText), host, limits });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : Number(portText);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  // Always this plain line on stdout, whatever the log format: scripts wait for it.
  console.log(`listening on http://${shownHost}:${port}`);
  ops.start(server, close);
}

/** Where a SQL store lives, from --db or --database-url. */
type StoreSource = { kind: "sqlite" | "postgres"; target: string };

function storeSource(values: Record<string, string | boolean | undefined>, optional: boolean): StoreSource | null {
  const db = values.db as string | undefined;
  const url = values["database-url"] as string | undefined;
  if (db !== undefined && url !== undefined) throw new UsageError("give either --db or --database-url, not both");
  if (db !== undefined) {
    if (db === "") throw new UsageError("--db needs a file name");
    return { kind: "sqlite", target: db };
  }
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\/./.test(url)) throw new UsageError(`--database-url must be a postgres:// or postgresql:// URL (got '${url.replace(/:[^:@/]*@/, ":***@")}')`);
    return { kind: "postgres", target: url };
  }
  if (optional) return null;
  throw new UsageError("give --db FILE.sqlite or --database-url URL");
}

async function openSqlStore(source: StoreSource) {
  if (source.kind === "sqlite") {
    const { createSqliteStore } = await import("./sqlite.js");
    return createSqliteStore({ filename: source.target });
  }
  const { createPostgresStore } = await import("./postgres.js");
  return createPostgresStore({ connectionString: source.target });
}

async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { db: { type: "string" }, "database-url": { type: "string" }, prune: { type: "boolean" }, "dry-run": { type: "boolean" }, ...S3_FLAGS }, true);
  if (values.help) {
    console.log(IMPORT_USAGE);
    return;
  }
  const prune = values.prune === true;
  const dryRun = values["dry-run"] === true;
  if (positionals.length !== 1) throw new UsageError("import needs exactly one FILE.json");
  const source = storeSource(values, false) as StoreSource;
  const s3 = s3Storage(values);
  const { dataset, root } = await loadDatasetFile(positionals[0] as string);
  if (s3 !== null && !dryRun) {
    // Bytes first: a failed upload leaves the store as it was, never naming objects that are not there.
    const { uploadDatasetFiles } = await import("./node/s3-import.js");
    const up = await uploadDatasetFiles(s3, dataset.artifacts, root);
    console.log(`bucket: ${up.uploaded} file(s) uploaded, ${up.skipped} already there with the same bytes`);
  }
  const store = await openSqlStore(source);
  try {
    const { importDataset } = await import("./sql/import.js");
    if (prune && !dryRun && process.stdin.isTTY && process.stdout.isTTY) {
      const plan = await importDataset(store, dataset, { prune, dryRun: true });
      console.log(formatPlan(plan.plan));
      if (plan.deleted > 0 && !(await confirm(`delete ${plan.deleted} row(s) the file lacks? [y/N] `))) {
        console.log("nothing changed");
        return;
      }
    }
    const summary = await importDataset(store, dataset, { prune, dryRun });
    if (dryRun) {
      console.log(`dry run, nothing changed: ${summary.accounts} account(s), ${summary.written} row(s) to write, ${summary.deleted} to delete`);
      console.log(formatPlan(summary.plan));
    } else if (summary.written === 0 && summary.deleted === 0) {
      console.log(`imported ${summary.accounts} account(s): nothing to change, the store already matches the file`);
    } else {
      console.log(`imported ${summary.accounts} account(s): ${summary.written} row(s) written, ${summary.deleted} deleted`);
      console.log(formatPlan(summary.plan, true));
    }
  } finally {
    await store.close();
  }
}

/** An import plan, one line per table: `  releases: +1 ~0 -2`. */
function formatPlan(plan: Record<string, { add: number; change: number; delete: number }>, done = false): string {
  const rows = Object.entries(plan);
  if (rows.length === 0) return "  (no changes)";
  const [a, c, d] = done ? ["added", "changed", "deleted"] : ["to add", "to change", "to delete"];
  return rows.map(([table, p]) => `  ${table}: ${p.add} ${a}, ${p.change} ${c}, ${p.delete} ${d}`).join("\n");
}

/** Ask a yes/no question on the terminal; true only for y/yes. */
async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function validate(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {}, true);
  if (values.help) {
    console.log(VALIDATE_USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError("validate needs exactly one FILE.json");
  const { dataset } = await loadDatasetFile(positionals[0] as string);
  console.log(
    `ok: ${dataset.accounts.length} account(s), ${dataset.products.length} product(s), ${dataset.packages.length} package(s), ` +
      `${dataset.releases.length} release(s), ${dataset.artifacts.length} artifact(s)`,
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (isPublishingCommand(command)) {
    process.exitCode = await runPublishingCommand(command as string, rest);
    return;
  }
  switch (command) {
    case "serve":
      return serve(rest);
    case "validate":
      return validate(rest);
    case "import":
      return importCommand(rest);
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return;
    default:
      throw new UsageError(command === undefined ? "a command is required" : `unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`release-engines: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof DatasetError) {
    console.error(`release-engines: ${error.detail}`);
    for (const p of error.problems) console.error(`  ${p.path}: ${p.message}`);
  } else {
    console.error("release-engines:", error);
    process.exit(1);
  }
  process.exit(2);
});
