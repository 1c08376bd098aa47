/**
 * @module cli/tauri-manifest — `release-engines tauri-manifest --release X`: Tauri's static
 * `latest.json` for one release, every signed platform included, from a server (keygen-cli's
 * connection flags) or straight from a store (`--data`, `--db`, `--database-url`).
 */
import { rename, writeFile } from "node:fs/promises";
import { CONNECTION_FLAGS, CommandUsageError, RELEASE_FLAGS, listOf, parseCommand, releaseFlagOf, usageOf, type CommandSpec, type Parsed } from "./flags.js";
import { TransportError, type ApiClient, type Resource } from "./http-client.js";
import type { CommandIo } from "./io.js";
import { connectToRelease } from "./resolve.js";
import { CliFailure } from "./fatal.js";
import type { TauriManifest } from "../engines/tauri/manifest.js";
import type { Artifact, Release } from "../model/records.js";

/** The spec of `tauri-manifest`. */
export const TAURI_MANIFEST_COMMAND: CommandSpec = {
  name: "tauri-manifest", args: "", positionals: 0,
  summary: "Write Tauri's static latest.json for a release: one platforms entry per signed {os}-{arch}[-{bundle}] artifact.",
  flags: {
    ...CONNECTION_FLAGS,
    ...RELEASE_FLAGS,
    platforms: { type: "string", value: "LIST", multiple: true, help: "only these targets, e.g. linux-x86_64,darwin-aarch64 (each must have a signed artifact)" },
    out: { type: "string", value: "FILE", help: "write the manifest to FILE (default: stdout)" },
    data: { type: "string", value: "FILE", help: "read a dataset file instead of asking a server (needs --account and --base-url)" },
    db: { type: "string", value: "FILE", help: "read a SQLite store instead of asking a server (needs --account and --base-url)" },
    "database-url": { type: "string", value: "URL", help: "read a PostgreSQL store instead of asking a server (needs --account and --base-url)" },
    "base-url": { type: "string", value: "URL", help: "with a store: origin of the server the artifacts are downloaded from" },
  },
  notes: "Examples:\n  release-engines tauri-manifest --release 1.2.0 --package demo-app --out latest.json\n" +
    "  release-engines tauri-manifest --db demo.sqlite --account demo --base-url https://dl.example.com --release latest",
};

/** Run `tauri-manifest`. @throws {CommandUsageError} / {ServerRefusal} / {TransportError} / {CliFailure}. */
export async function runTauriManifest(args: string[], io: CommandIo): Promise<void> {
  const usage = usageOf(TAURI_MANIFEST_COMMAND);
  const parsed = parseCommand(TAURI_MANIFEST_COMMAND, args);
  if (parsed.help) {
    io.out(usage);
    return;
  }
  const s = parsed.strings;
  releaseFlagOf(parsed, usage);
  const stores = ["data", "db", "database-url"].filter((f) => s[f] !== undefined);
  if (stores.length > 1) throw new CommandUsageError("give only one of --data, --db and --database-url", usage);
  const platforms = listOf(parsed.lists.platforms ?? []);
  for (const p of platforms) if (!/^[a-z0-9_]+-[a-z0-9_]+(?:-[a-z0-9_]+)?$/i.test(p)) throw new CommandUsageError(`--platforms takes {os}-{arch} targets such as linux-x86_64 (got '${p}')`, usage);
  const { tauriManifest } = await import("../engines/tauri/manifest.js");
  const { artifactUrl } = await import("../engines/tauri/update.js");
  let manifest: TauriManifest;
  if (stores.length === 1) {
    const { release, artifacts, accountId, baseUrl } = await fromStore(parsed, usage);
    manifest = tauriManifest({ release, artifacts, urlFor: (a) => artifactUrl(baseUrl, accountId, a) });
  } else {
    const { client, release: resource } = await connectToRelease(parsed, io.env, usage);
    const accountId = accountOf(resource) ?? client.conn.account;
    if (accountId === undefined) throw new TransportError(`the release ${resource.id} names no account, so no download URL can be made: pass --account`);
    const artifacts = (await releaseArtifacts(client, resource.id)).map((a) => artifactOf(a, resource.id, accountId));
    manifest = tauriManifest({ release: releaseOf(resource), artifacts, urlFor: (a) => artifactUrl(client.conn.host, accountId, a) });
  }
  manifest = onlyPlatforms(manifest, platforms);
  const keys = Object.keys(manifest.platforms);
  if (keys.length === 0) throw new CliFailure(`release ${manifest.version} has no signed Tauri artifact (one with a platform, an arch and a .sig signature, UPLOADED)`);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (s.out === undefined || s.out === "" || s.out === "-") {
    io.out(text.trimEnd());
    return;
  }
  // Whole or not at all: a CDN syncing the folder never sees half a file.
  const partial = `${s.out}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, s.out);
  io.out(`wrote ${s.out}: ${manifest.version}, ${keys.length} platform(s): ${keys.join(", ")}`);
}

/** The manifest with only the named targets (and their `-{bundle}` keys). @throws {CliFailure} when one has no entry. */
function onlyPlatforms(manifest: TauriManifest, platforms: string[]): TauriManifest {
  if (platforms.length === 0) return manifest;
  const kept: TauriManifest["platforms"] = {};
  for (const p of platforms) {
    const keys = Object.keys(manifest.platforms).filter((k) => k === p || (k.startsWith(`${p}-`) && p.split("-").length === 2));
    if (keys.length === 0) throw new CliFailure(`release ${manifest.version} has no signed Tauri artifact for ${p}`);
    for (const k of keys) kept[k] = manifest.platforms[k] as TauriManifest["platforms"][string];
  }
  return { ...manifest, platforms: kept };
}

/** The release and its artifacts read from a store with an admin's sight (a vendor's own tool). */
async function fromStore(parsed: Parsed, usage: string): Promise<{ release: Release; artifacts: Artifact[]; accountId: string; baseUrl: string }> {
  const s = parsed.strings;
  const account = s.account;
  if (account === undefined || account === "") throw new CommandUsageError("--account is required with a store", usage);
  const base = s["base-url"];
  let baseUrl: string;
  try {
    const u = new URL(base ?? "");
    if ((u.protocol !== "https:" && u.protocol !== "http:") || u.search !== "" || u.hash !== "") throw new Error("bad");
    baseUrl = `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    throw new CommandUsageError(`--base-url must be the http(s) origin artifacts are downloaded from (got '${base ?? ""}')`, usage);
  }
  const { ADMIN_SCOPE } = await import("../access/scope.js");
  let store: import("../store/types.js").Store;
  let close = async () => {};
  if (s.data !== undefined) {
    const [{ loadDatasetFile }, { createMemoryStore }] = await Promise.all([import("../node/dataset-file.js"), import("../store/memory.js")]);
    store = createMemoryStore((await loadDatasetFile(s.data)).dataset);
  } else {
    const { openSqlStore } = await import("./store-source.js");
    const opened = await openSqlStore(s.db !== undefined ? { kind: "sqlite", target: s.db } : { kind: "postgres", target: s["database-url"] as string });
    store = opened;
    close = () => opened.close();
  }
  try {
    const acct = await store.getAccount(account);
    if (acct === null) throw new CliFailure(`the store has no account '${account}'`);
    const where: { productId?: string; packageId?: string | null } = {};
    if (s.product !== undefined) {
      const product = await store.getProduct(acct.id, s.product);
      if (product === null) throw new CliFailure(`the store has no product '${s.product}'`);
      where.productId = product.id;
    }
    if (s.package !== undefined) {
      const pkg = await store.getPackage(acct.id, s.package);
      if (pkg === null) throw new CliFailure(`the store has no package '${s.package}'`);
      where.packageId = pkg.id;
    }
    const release = await store.findRelease(acct.id, s.release as string, ADMIN_SCOPE, where);
    if (release === null) throw new CliFailure(`the store has no release '${s.release}'${s.package !== undefined ? ` in package '${s.package}'` : ""}`);
    const artifacts = (await store.listReleaseArtifacts(acct.id, release.id, ADMIN_SCOPE)).filter((a) => a.status === "UPLOADED");
    return { release, artifacts, accountId: acct.id, baseUrl };
  } finally {
    await close();
  }
}

const PAGE_SIZE = 100;
const MAX_PAGES = 50;

/** Every artifact of a release the server lists (`GET /artifacts?release=`, paged). */
async function releaseArtifacts(client: ApiClient, releaseId: string): Promise<Resource[]> {
  const out: Resource[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await client.request("GET", "artifacts", { query: { release: releaseId, "page[size]": String(PAGE_SIZE), "page[number]": String(page) } });
    const data = Array.isArray(response.body?.data) ? (response.body.data as Resource[]) : [];
    out.push(...data.map((d) => ({ ...d, attributes: d.attributes ?? {} })));
    const links = response.body?.links as { next?: unknown } | undefined;
    if (data.length < PAGE_SIZE || (links !== undefined && (links.next === null || links.next === undefined))) break;
  }
  return out;
}

function accountOf(resource: Resource): string | undefined {
  const rel = resource.relationships?.account as { data?: { id?: unknown } } | undefined;
  return typeof rel?.data?.id === "string" ? rel.data.id : undefined;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A release record from its JSON:API resource (the fields the manifest reads). */
function releaseOf(resource: Resource): Release {
  const a = resource.attributes;
  return { id: resource.id, version: String(a.version ?? ""), description: str(a.description), created: String(a.created ?? new Date(0).toISOString()) } as Release;
}

/** An artifact record from its JSON:API resource (the fields the manifest reads); not UPLOADED ones are left unsigned, so out. */
function artifactOf(resource: Resource, releaseId: string, accountId: string): Artifact {
  const a = resource.attributes;
  const uploaded = a.status === undefined || a.status === "UPLOADED";
  return {
    id: resource.id, accountId, releaseId, filename: String(a.filename ?? ""), filetype: str(a.filetype), platform: str(a.platform), arch: str(a.arch),
    filesize: typeof a.filesize === "number" ? a.filesize : null, checksum: str(a.checksum), signature: uploaded ? str(a.signature) : null,
    status: uploaded ? "UPLOADED" : "WAITING", metadata: {}, created: String(a.created ?? new Date(0).toISOString()), updated: String(a.updated ?? a.created ?? new Date(0).toISOString()), blob: null,
  } as Artifact;
}
