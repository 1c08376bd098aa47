/**
 * @module cli/publish — `new`, `publish`, `yank`, `tag`, `untag` and `del`: keygen-cli's commands,
 * flags and HTTP exchanges, against any server with Keygen's release, artifact and package routes.
 */
import { CHANNELS, CONNECTION_FLAGS, CommandUsageError, RELEASE_FLAGS, canonicalVersion, connectionOf, listOf, metadataOf, parseCommand, usageOf, type CommandSpec, type Parsed } from "./flags.js";
import { ApiClient, resourceOf, type Resource } from "./http-client.js";
import type { CommandIo } from "./io.js";
import { findArtifactByFilename } from "./artifacts.js";
import { connectToRelease, releasePath, resolveEntitlements, resolvePackage } from "./resolve.js";

/** The specs of the release commands, by name. */
export const RELEASE_COMMANDS: Record<string, CommandSpec> = {
  new: {
    name: "new", args: "", positionals: 0, summary: "Create a new DRAFT release (POST /releases).",
    flags: {
      ...CONNECTION_FLAGS,
      version: { type: "string", value: "VERSION", help: "version for the release (required; v1.2 is sent as 1.2.0)" },
      channel: { type: "string", value: "CHANNEL", help: "one of stable, rc, beta, alpha, dev (default stable)" },
      tag: { type: "string", value: "TAG", help: "tag for the release (e.g. latest)" },
      name: { type: "string", value: "NAME", help: "human-readable name" },
      description: { type: "string", value: "TEXT", help: "description (e.g. release notes; Tauri's notes)" },
      package: { type: "string", value: "ID", help: "package id or key for the release" },
      entitlements: { type: "string", value: "CODES", multiple: true, help: "comma-separated entitlement ids or codes the release requires" },
      metadata: { type: "string", value: "JSON", help: "JSON object of metadata key-value pairs" },
    },
    notes: "Example:\n  release-engines new --product cli --token \"$KEYGEN_TOKEN\" --version 1.2.0 --package demo-app",
  },
  publish: {
    name: "publish", args: "", positionals: 0, summary: "Publish a release (POST /releases/{id}/actions/publish).",
    flags: { ...CONNECTION_FLAGS, ...RELEASE_FLAGS },
  },
  yank: {
    name: "yank", args: "", positionals: 0, summary: "Yank a release (POST /releases/{id}/actions/yank).",
    flags: { ...CONNECTION_FLAGS, ...RELEASE_FLAGS, reason: { type: "string", value: "TEXT", help: "why (sent as meta.reason; PyPI shows it)" } },
  },
  tag: {
    name: "tag", args: "<tag>", positionals: 1, summary: "Tag a release (PATCH /releases/{id} with attributes.tag).",
    flags: { ...CONNECTION_FLAGS, ...RELEASE_FLAGS },
    notes: "Example:\n  release-engines tag latest --release 1.2.0 --package demo-app",
  },
  untag: {
    name: "untag", args: "", positionals: 0, summary: "Remove a release's tag (PATCH /releases/{id} with attributes.tag null).",
    flags: { ...CONNECTION_FLAGS, ...RELEASE_FLAGS },
  },
  del: {
    name: "del", args: "", positionals: 0, summary: "Delete a release, or one of its artifacts with --artifact (DELETE).",
    flags: { ...CONNECTION_FLAGS, ...RELEASE_FLAGS, artifact: { type: "string", value: "ID", help: "delete this artifact (id or filename) of the release instead" } },
  },
};

function required(parsed: Parsed, name: string, usage: string): string {
  const v = parsed.strings[name];
  if (v === undefined || v === "") throw new CommandUsageError(`--${name} is required`, usage);
  return v;
}

function label(release: Resource): string {
  const version = release.attributes.version;
  return typeof version === "string" ? ` (${version})` : "";
}

function report(io: CommandIo, parsed: Parsed, line: string, resource: unknown): void {
  io.out(parsed.booleans.json ? JSON.stringify(resource, null, 2) : line);
}

/** Run one release command; resolves when done. @throws {CommandUsageError} / {ServerRefusal} / {TransportError}. */
export async function runReleaseCommand(name: string, args: string[], io: CommandIo): Promise<void> {
  const spec = RELEASE_COMMANDS[name] as CommandSpec;
  const usage = usageOf(spec);
  const parsed = parseCommand(spec, args);
  if (parsed.help) {
    io.out(usage);
    return;
  }
  if (name === "new") return createRelease(parsed, io, usage);
  if (name === "tag" && (parsed.positionals[0] as string).trim() === "") throw new CommandUsageError("<tag> must not be blank", usage);
  const { client, release } = await connectToRelease(parsed, io.env, usage);
  const path = releasePath(release.id);
  switch (name) {
    case "publish": {
      const r = resourceOf(await client.request("POST", `${path}/actions/publish`));
      return report(io, parsed, `published: release ${r.id}${label(r)}`, r);
    }
    case "yank": {
      const reason = parsed.strings.reason;
      const r = resourceOf(await client.request("POST", `${path}/actions/yank`, reason !== undefined ? { body: { meta: { reason } } } : {}));
      return report(io, parsed, `yanked: release ${r.id}${label(r)}${reason !== undefined ? `: ${reason}` : ""}`, r);
    }
    case "tag": {
      const tag = parsed.positionals[0] as string;
      const r = resourceOf(await client.request("PATCH", path, { body: { data: { type: "releases", id: release.id, attributes: { tag } } } }));
      return report(io, parsed, `tagged: release ${r.id}${label(r)} as ${tag}`, r);
    }
    case "untag": {
      const r = resourceOf(await client.request("PATCH", path, { body: { data: { type: "releases", id: release.id, attributes: { tag: null } } } }));
      return report(io, parsed, `untagged: release ${r.id}${label(r)}`, r);
    }
    default: {
      const artifactFlag = parsed.strings.artifact;
      if (artifactFlag !== undefined) {
        const artifact = await findArtifactByFilename(client, release.id, artifactFlag);
        const id = artifact?.id ?? artifactFlag;
        await client.request("DELETE", `artifacts/${encodeURIComponent(id)}`, { query: { release: release.id } });
        const filename = artifact?.attributes.filename;
        return report(io, parsed, `deleted: artifact ${id}${typeof filename === "string" ? ` (${filename})` : ""}`, artifact ?? { type: "artifacts", id });
      }
      await client.request("DELETE", path);
      return report(io, parsed, `deleted: release ${release.id}${label(release)}`, release);
    }
  }
}

async function createRelease(parsed: Parsed, io: CommandIo, usage: string): Promise<void> {
  const versionText = required(parsed, "version", usage);
  const version = canonicalVersion(versionText);
  if (version === null) throw new CommandUsageError(`--version '${versionText}' is not a version (e.g. 1.2.0, 2.0.0-beta.1)`, usage);
  const channel = parsed.strings.channel ?? "stable";
  if (!(CHANNELS as readonly string[]).includes(channel)) throw new CommandUsageError(`--channel must be one of ${CHANNELS.join(", ")} (got '${channel}')`, usage);
  const metadata = metadataOf(parsed.strings.metadata, usage);
  const conn = connectionOf(parsed, io.env, usage);
  if (conn.product === undefined) throw new CommandUsageError("--product is required (or set KEYGEN_PRODUCT_ID)", usage);
  const client = new ApiClient(conn);
  const pkg = parsed.strings.package !== undefined ? await resolvePackage(client, parsed.strings.package) : undefined;
  const entitlements = await resolveEntitlements(client, listOf(parsed.lists.entitlements ?? []));
  const s = parsed.strings;
  const attributes: Record<string, unknown> = {
    ...(s.name !== undefined && s.name !== "" ? { name: s.name } : {}),
    ...(s.description !== undefined && s.description !== "" ? { description: s.description } : {}),
    version,
    tag: s.tag !== undefined && s.tag !== "" ? s.tag : null,
    channel,
    ...(metadata !== undefined ? { metadata } : {}),
  };
  const relationships: Record<string, unknown> = {
    ...(entitlements.length > 0
      ? { constraints: { data: entitlements.map((id) => ({ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id } } } })) } }
      : {}),
    product: { data: { type: "products", id: conn.product } },
    ...(pkg !== undefined ? { package: { data: { type: "packages", id: pkg.id } } } : {}),
  };
  const r = resourceOf(await client.request("POST", "releases", { body: { data: { type: "releases", attributes, relationships } } }));
  const status = typeof r.attributes.status === "string" ? `, ${r.attributes.status}` : "";
  const tag = typeof r.attributes.tag === "string" ? `, tag ${r.attributes.tag}` : "";
  report(io, parsed, `drafted: release ${r.id} (${String(r.attributes.version ?? version)}, channel ${channel}${tag}${status})`, r);
}
