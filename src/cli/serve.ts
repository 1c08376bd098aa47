/**
 * @module cli/serve — `release-engines serve`: flags checked first, then the server stack loaded
 * (so `serve --help` and a bad flag answer at once), the store opened and checked, and one plain
 * line for a port in use or a database that cannot be reached.
 */
import { stat } from "node:fs/promises";
import { dirname, resolve as resolvePath } from "node:path";
import { CommandUsageError } from "./flags.js";
import { listenFailure } from "./fatal.js";
import { cacheModeOf, openSqlStore, storeSource } from "./store-source.js";
import { connectionLimitsFromFlags, LIMIT_FLAGS, type ConnectionLimits } from "../node/limits.js";
import { S3_FLAGS, S3_FLAGS_USAGE } from "../node/s3-flags.js";
import { parseFlags, s3OptionsOf, s3StorageOf } from "./command-flags.js";
import type { Store } from "../store/types.js";
import type { ShortHosts } from "../http/mounts.js";

/** The usage of `serve`. */
export const SERVE_USAGE = `Usage: release-engines serve (--data FILE.json | --db FILE.sqlite | --database-url URL [--cache listen|check|off])
                            [--blobs DIR | --s3-bucket NAME …] [--port 8080] [--host 127.0.0.1] [--base-url URL] [--account SLUG]
                            [--pypi-host H] [--tauri-host H] [--raw-host H]

Options:
  --data FILE       dataset file to serve from memory (read-only: writes answer 405)
  --db FILE         SQLite store to serve (see 'release-engines import'); it can publish. It must
                    exist: make it with 'release-engines import FILE.json --db FILE', or pass --seed
  --seed FILE.json  with --db: when the db file does not exist yet, make it from this dataset
                    and copy the dataset's files into the blob folder (npm start does this)
  --database-url U  PostgreSQL store to serve (postgres://…); many servers may share one
  --cache MODE      with --database-url, how reads are kept: 'check' (default) makes one
                    statement per request, so a change by any server or by hand is seen by the
                    next request; 'listen' makes none while a LISTEN connection of its own is up
                    (a change is seen once its notification arrives, milliseconds after commit;
                    it checks per request while that connection is down): it needs a direct or
                    session-pooled connection, not transaction pooling (PgBouncer
                    pool_mode=transaction drops notifications); 'off' asks on every read
  --blobs DIR       folder artifact files are read from. Imported datasets keep relative 'file'
                    keys, so point this at the folder the dataset's files are relative to.
                    Default: the dataset's folder (--data), the db file's folder (--db), or
                    the current folder (--database-url)
${S3_FLAGS_USAGE}
  --max-upload-bytes N  largest artifact upload taken into --blobs (default: no limit but the disk's)
  --port N          port to listen on (0 picks a free one; default 8080)
  --host HOST       address to bind (default 127.0.0.1)
  --base-url URL    origin for absolute URLs in answers (default: the request's)
  --trust-proxy     honour X-Forwarded-Proto and X-Forwarded-Host
  --account SLUG    single-account host: every route also answers at /v1/<path> without
                    /accounts/{account} (Keygen's custom-domain form; keygen-cli --host calls it)
  --pypi-host H     the PyPI engine's own host as Keygen's seed has it: H/<account>/simple/…
                    (H/simple/… with --account); a value starting with / is a path prefix
  --tauri-host H    the Tauri engine's own host: H/<account>/<package>?platform=…
  --raw-host H      the raw engine's own host: H/<account>/<product>[/@<package>]/<release>/<artifact>
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
  --max-requests-per-socket N requests per connection before 'Connection: close' (default 10000)
  --shutdown-timeout S        on SIGTERM or SIGINT, requests in flight get S to finish (default 10)

Logs:
  --log-format F    json, text or none: one access line per request on stdout (method, route
                    template, status, ms, bytes; never a key, token, signature or query), events
                    (start, failures, shutdown) on stderr. Default: $RELEASE_ENGINES_LOG_FORMAT,
                    else text on a terminal and json otherwise. 'none' drops the access lines only.

Operations: GET /health answers 200 while the store answers (503 when not), GET /ready 200 until
shutdown begins.`;

/** Log formats `--log-format` takes (as node/access-log's LOG_FORMATS, without loading it for a usage error). */
const LOG_FORMATS = ["json", "text", "none"] as const;

/** Upload temp files untouched this long are a crash's leftovers, swept at start. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/** Run `serve`. @throws {CommandUsageError} on a bad flag; {@link CliFailure} on a port in use or an unreachable store. */
export async function runServe(args: string[]): Promise<void> {
  const usage = SERVE_USAGE;
  const { values } = parseFlags(args, {
    data: { type: "string" },
    db: { type: "string" },
    "database-url": { type: "string" },
    cache: { type: "string" },
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
    "pypi-host": { type: "string" },
    "tauri-host": { type: "string" },
    "raw-host": { type: "string" },
    ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: "string" as const }])),
    "shutdown-timeout": { type: "string" },
    "log-format": { type: "string" },
    "max-upload-bytes": { type: "string" },
    ...S3_FLAGS,
  }, usage);
  if (values.help) {
    console.log(SERVE_USAGE);
    return;
  }
  let limits: ConnectionLimits;
  try {
    limits = connectionLimitsFromFlags(values);
  } catch (error) {
    throw new CommandUsageError((error as Error).message, usage);
  }
  const drainText = (values["shutdown-timeout"] as string | undefined) ?? "10";
  if (!/^\d{1,6}(?:\.\d{1,3})?$/.test(drainText)) throw new CommandUsageError(`--shutdown-timeout must be a number of seconds (got '${drainText}')`, usage);
  const logFormat = values["log-format"] as string | undefined;
  if (logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new CommandUsageError(`--log-format must be one of ${LOG_FORMATS.join(", ")} (got '${logFormat}')`, usage);
  const maxUploadText = values["max-upload-bytes"] as string | undefined;
  if (maxUploadText !== undefined && !/^[1-9]\d{0,15}$/.test(maxUploadText)) throw new CommandUsageError(`--max-upload-bytes must be a whole number of bytes above 0 (got '${maxUploadText}')`, usage);
  const data = values.data as string | undefined;
  const source = storeSource(values, true, usage);
  const cache = cacheModeOf(values, source, usage);
  if (source !== null && cache !== undefined) source.cache = cache;
  if (data !== undefined && source !== null) throw new CommandUsageError("give only one of --data, --db and --database-url", usage);
  if (data === undefined && source === null) throw new CommandUsageError("serve needs --data FILE.json, --db FILE.sqlite or --database-url URL", usage);
  const portText = (values.port as string | undefined) ?? "8080";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CommandUsageError(`--port must be a number from 0 to 65535 (got '${portText}')`, usage);
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
    if (!ok) throw new CommandUsageError(`--base-url must be an http(s) URL without query (got '${baseUrl}')`, usage);
  }
  const upstreamText = values["pypi-upstream"] as string | undefined;
  let upstream: string | null | undefined;
  if (upstreamText !== undefined) {
    if (upstreamText === "none") upstream = null;
    else if (/^https?:\/\/[^\s?#]+$/.test(upstreamText)) upstream = upstreamText;
    else throw new CommandUsageError(`--pypi-upstream must be 'none' or an http(s) URL without query (got '${upstreamText}')`, usage);
  }
  const npmText = values["npm-upstream"] as string | undefined;
  if (npmText !== undefined && npmText !== "none" && !/^https?:\/\/[^\s?#]+$/.test(npmText)) throw new CommandUsageError(`--npm-upstream must be 'none' or an http(s) URL without query (got '${npmText}')`, usage);
  const shortHosts: ShortHosts = {};
  for (const engine of ["pypi", "tauri", "raw"] as const) {
    const where = values[`${engine}-host`] as string | undefined;
    if (where === undefined) continue;
    if (!/^(?:\/[A-Za-z0-9._~-]+)+\/?$|^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(where)) throw new CommandUsageError(`--${engine}-host must be a host name or a path such as /${engine} (got '${where}')`, usage);
    shortHosts[engine] = where;
  }
  const s3Options = s3OptionsOf(values, usage);
  if (s3Options !== null && values.blobs !== undefined) throw new CommandUsageError("give either --blobs DIR or --s3-bucket NAME, not both", usage);
  if (s3Options !== null && maxUploadText !== undefined) throw new CommandUsageError("--max-upload-bytes bounds uploads into --blobs; with --s3-bucket the bucket takes them", usage);
  if (s3Options !== null && values.seed !== undefined) throw new CommandUsageError("--seed copies files into --blobs; to fill a bucket, run 'release-engines import FILE.json --db … --s3-bucket …'", usage);
  const s3 = await s3StorageOf(s3Options, usage);
  const seed = values.seed as string | undefined;
  if (seed !== undefined && source?.kind !== "sqlite") throw new CommandUsageError("--seed needs --db FILE.sqlite", usage);
  if (source?.kind === "sqlite" && seed === undefined && source.target !== ":memory:" && !(await stat(source.target).then(() => true, () => false))) {
    // Opening it would make an empty database: a typo in the path would serve nothing, silently.
    throw new CommandUsageError(`${source.target} does not exist: make it with 'release-engines import FILE.json --db ${source.target}', or pass --seed FILE.json`, usage);
  }

  // Flags are good: start reading the dataset file (the read overlaps loading the server stack), then load that stack.
  const { readDatasetBytes } = await import("../node/dataset-read.js");
  const reading = data !== undefined ? readDatasetBytes(data) : undefined;
  const [{ createRequestHandler }, { serveFetchHandler, toResultListener }, { createOperations }, { createFileBlobStorage }, accessLog] = await Promise.all([
    import("../http/fetch.js"), import("../node/http.js"), import("../node/operations.js"), import("../node/file-blobs.js"), import("../node/access-log.js"),
  ]);
  const format = (logFormat ?? accessLog.defaultLogFormat(process.env, process.stdout.isTTY === true)) as import("../node/access-log.js").LogFormat;
  let store: Store;
  let root: string;
  let close = async () => {};
  if (data !== undefined) {
    const [{ loadDatasetFile }, { createMemoryStore }] = await Promise.all([import("../node/dataset-file.js"), import("../store/memory.js")]);
    const loaded = await loadDatasetFile(data, reading);
    store = createMemoryStore(loaded.dataset, { sourceDigest: loaded.digest });
    root = loaded.root;
    console.error(`serving ${data} from memory: read-only (writes answer 405 STORE_READ_ONLY); serve --db FILE.sqlite to publish`);
  } else {
    const src = source as NonNullable<typeof source>;
    if (seed !== undefined) {
      const { seedSqliteFile } = await import("../node/seed.js");
      const blobRoot = typeof values.blobs === "string" ? resolvePath(values.blobs) : dirname(resolvePath(src.target));
      const seeded = await seedSqliteFile(src.target, seed, blobRoot);
      if (seeded.created) console.error(`made ${src.target} from ${seed} (${seeded.files} file(s) copied to ${blobRoot})`);
    }
    const opened = await openSqlStore(src);
    store = opened;
    close = () => opened.close();
    root = src.kind === "sqlite" ? dirname(resolvePath(src.target)) : process.cwd();
  }
  if (typeof values.blobs === "string") root = resolvePath(values.blobs);
  if (s3 === null) {
    // Temporary files of uploads a crash cut short; an upload in flight keeps its file fresh.
    const { sweepUploadOrphans, UPLOADS_FOLDER } = await import("../node/file-uploads.js");
    const swept = await sweepUploadOrphans(root, ORPHAN_AGE_MS);
    if (swept > 0) console.error(`removed ${swept} unfinished upload file(s) left in ${resolvePath(root, UPLOADS_FOLDER)}`);
  }
  const account = values.account as string | undefined;
  if (account !== undefined && (await store.getAccount(account)) === null) {
    await close();
    throw new CommandUsageError(`--account names no account of the store (got '${account}')`, usage);
  }
  const ops = createOperations({ store, format, drainMs: Math.round(Number(drainText) * 1000) });
  const handle = createRequestHandler({
    store,
    blobs: s3 ?? createFileBlobStorage({ root, ...(maxUploadText !== undefined ? { maxUploadBytes: Number(maxUploadText) } : {}) }),
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(Object.keys(shortHosts).length > 0 ? { shortHosts } : {}),
    trustProxy: values["trust-proxy"] === true,
    pypi: { ...(upstream !== undefined ? { upstream } : {}), htmlOnly: values["pypi-html-only"] === true },
    npm: { upstream: npmText === undefined || npmText === "none" ? null : npmText },
    onError: (error) => ops.failures.record(error),
  }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true });
  let server: import("node:http").Server;
  try {
    server = await serveFetchHandler({ listener: toResultListener(handle, ops.hooks) }, { port: Number(portText), host, limits });
  } catch (error) {
    await close().catch(() => {});
    throw listenFailure(error, host, Number(portText)) ?? error;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : Number(portText);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  // Always this plain line on stdout, whatever the log format: scripts wait for it.
  console.log(`listening on http://${shownHost}:${port}`);
  ops.start(server, close);
  // The dataset file's bytes, text and parsed tree are garbage now: collect them once (when no request waits), so RSS follows the store.
  if (data !== undefined) {
    const { collectGarbageWhenIdle } = await import("../node/heap.js");
    void collectGarbageWhenIdle(server);
  }
}
