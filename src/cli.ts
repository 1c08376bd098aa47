#!/usr/bin/env node
/**
 * @module cli — the `release-engines` command: serve, validate (and import, with the SQL stores).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DatasetError } from "./core/errors.js";
import { createFetchHandler } from "./http/fetch.js";
import { loadDatasetFile } from "./node/dataset-file.js";
import { createFileBlobStorage } from "./node/file-blobs.js";
import { serveFetchHandler } from "./node/http.js";
import { createMemoryStore } from "./store/memory.js";

const USAGE = `Usage: release-engines <command> [options]

Commands:
  serve      serve a dataset over HTTP
  validate   report every problem in a dataset file

Run 'release-engines <command> --help' for a command's options.`;

const SERVE_USAGE = `Usage: release-engines serve --data FILE.json [--port 8080] [--host 127.0.0.1] [--base-url URL]

Options:
  --data FILE       dataset file to serve from memory
  --port N          port to listen on (0 picks a free one; default 8080)
  --host HOST       address to bind (default 127.0.0.1)
  --base-url URL    origin for absolute URLs in answers (default: the request's)
  --trust-proxy     honour X-Forwarded-Proto and X-Forwarded-Host
  -h, --help        show this help`;

const VALIDATE_USAGE = `Usage: release-engines validate FILE.json

Checks a dataset file and lists every problem (JSON path and reason). Exit status 0 when
valid, 2 when not.`;

/** A usage error: message to stderr, exit status 2. */
class UsageError extends Error {}

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
    port: { type: "string" },
    host: { type: "string" },
    "base-url": { type: "string" },
    "trust-proxy": { type: "boolean" },
  });
  if (values.help) {
    console.log(SERVE_USAGE);
    return;
  }
  const data = values.data as string | undefined;
  if (data === undefined) throw new UsageError("serve needs --data FILE.json");
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
  const { dataset, root } = await loadDatasetFile(data);
  const store = createMemoryStore(dataset);
  const handler = createFetchHandler({
    store,
    blobs: createFileBlobStorage({ root }),
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    trustProxy: values["trust-proxy"] === true,
    onError: (error) => console.error("[release-engines]", error),
  });
  const server = await serveFetchHandler(handler, { port: Number(portText), host });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : Number(portText);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  console.log(`listening on http://${shownHost}:${port}`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
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
  switch (command) {
    case "serve":
      return serve(rest);
    case "validate":
      return validate(rest);
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
