/**
 * @module cli/flags — flag parsing for the publishing commands: keygen-cli's flags, its `KEYGEN_*`
 * environment fallbacks, and usage errors that carry the subcommand's own usage.
 */
import { parseArgs } from "node:util";

/** A usage error of one subcommand: its message and usage go to stderr, exit status 2. */
export class CommandUsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = "CommandUsageError";
  }
}

/** One flag a subcommand takes. */
export interface FlagSpec {
  type: "string" | "boolean";
  /** Line shown in the usage. */
  help: string;
  /** Placeholder shown after a string flag in the usage. */
  value?: string;
  /** May be given more than once (string flags; values also split on commas by the caller). */
  multiple?: boolean;
}

/** A subcommand's flags, positionals and description. */
export interface CommandSpec {
  name: string;
  /** Positional arguments shown in the usage line, e.g. `<path>`. */
  args: string;
  /** How many positionals it needs. */
  positionals: number;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Lines after the options (examples, notes). */
  notes?: string;
}

/** What parsing found: string and boolean values by flag name, and the positionals. */
export interface Parsed {
  strings: Record<string, string | undefined>;
  lists: Record<string, string[]>;
  booleans: Record<string, boolean>;
  positionals: string[];
  help: boolean;
}

/** Flags every publishing command takes, as keygen-cli's (with their `KEYGEN_*` fallbacks). */
export const CONNECTION_FLAGS: Record<string, FlagSpec> = {
  host: { type: "string", value: "URL", help: "server origin [$KEYGEN_HOST] (default http://127.0.0.1:8080)" },
  account: { type: "string", value: "ID", help: "account id or slug [$KEYGEN_ACCOUNT_ID]; without it URLs take the single-account form {host}/v1/…" },
  product: { type: "string", value: "ID", help: "product id or code [$KEYGEN_PRODUCT_ID]" },
  token: { type: "string", value: "TOKEN", help: "product, admin or environment token [$KEYGEN_ENVIRONMENT_TOKEN, $KEYGEN_PRODUCT_TOKEN, $KEYGEN_TOKEN] (required)" },
  environment: { type: "string", value: "ID", help: "Keygen environment, sent as Keygen-Environment [$KEYGEN_ENVIRONMENT]" },
  json: { type: "boolean", help: "print the full resource as JSON instead of one line" },
  "no-auto-upgrade": { type: "boolean", help: "accepted for keygen-cli compatibility (this CLI never upgrades itself)" },
};

/** Flags of the commands acting on one release: `--release` (required) and `--package`. */
export const RELEASE_FLAGS: Record<string, FlagSpec> = {
  release: { type: "string", value: "ID", help: "the release: its id, version or tag (required)" },
  package: { type: "string", value: "ID", help: "package id or key the release belongs to" },
};

/** The `--release` value. @throws {CommandUsageError} when it is missing or empty. */
export function releaseFlagOf(parsed: Parsed, usage: string): string {
  const release = parsed.strings.release;
  if (release === undefined || release === "") throw new CommandUsageError("--release is required", usage);
  return release;
}

/** The usage text of a subcommand. */
export function usageOf(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.flags, help: { type: "boolean", help: "show this help" } as FlagSpec }).map(([name, f]) => {
    const left = `${name === "help" ? "-h, " : ""}--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}`;
    return `  ${left.padEnd(26)} ${f.help}`;
  });
  const head = `Usage: release-engines ${spec.name}${spec.args === "" ? "" : ` ${spec.args}`} [options]\n\n${spec.summary}\n\nOptions:\n`;
  return head + rows.join("\n") + (spec.notes === undefined ? "" : `\n\n${spec.notes}`);
}

/** Parse a subcommand's arguments strictly. @throws {CommandUsageError} on an unknown flag, a missing value or a wrong count of positionals. */
export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  const usage = usageOf(spec);
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type, ...(f.multiple === true ? { multiple: true } : {}) };
  let out: { values: Record<string, unknown>; positionals: string[] };
  try {
    out = parseArgs({ args, options, strict: true, allowPositionals: true }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    throw new CommandUsageError(plainParseError((error as Error).message), usage);
  }
  const parsed: Parsed = { strings: {}, lists: {}, booleans: {}, positionals: out.positionals, help: out.values.help === true };
  for (const [name, f] of Object.entries(spec.flags)) {
    const v = out.values[name];
    if (f.type === "boolean") parsed.booleans[name] = v === true;
    else if (f.multiple === true) parsed.lists[name] = Array.isArray(v) ? (v as string[]) : [];
    else if (Array.isArray(v)) parsed.strings[name] = v[v.length - 1] as string;
    else parsed.strings[name] = v as string | undefined;
  }
  if (parsed.help) return parsed;
  if (parsed.positionals.length > spec.positionals) {
    throw new CommandUsageError(`unexpected argument '${parsed.positionals[spec.positionals]}'`, usage);
  }
  if (parsed.positionals.length < spec.positionals) throw new CommandUsageError(`${spec.args} is required`, usage);
  return parsed;
}

function plainParseError(message: string): string {
  // node's messages mention "To specify a positional argument starting with a '-'…": keep the first sentence.
  return (message.split(". To ")[0] ?? message).replace(/^Unknown option/, "unknown option");
}

/** Connection settings after flags and environment. */
export interface Connection {
  host: string;
  account: string | undefined;
  product: string | undefined;
  token: string;
  environment: string | undefined;
}

/** Keygen's hosted API, where URLs always name the account. */
export const KEYGEN_API = "https://api.keygen.sh";

/** The default server origin. */
export const DEFAULT_HOST = "http://127.0.0.1:8080";

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Settle host, account, product, token and environment from flags, then keygen-cli's environment
 * variables (a flag wins; for the token `KEYGEN_ENVIRONMENT_TOKEN`, then `KEYGEN_PRODUCT_TOKEN`, then
 * `KEYGEN_TOKEN`). @throws {CommandUsageError} when no token is given or the host is not an http(s) URL.
 */
export function connectionOf(parsed: Parsed, env: Record<string, string | undefined>, usage: string): Connection {
  const s = parsed.strings;
  const token = nonEmpty(s.token) ?? nonEmpty(env.KEYGEN_ENVIRONMENT_TOKEN) ?? nonEmpty(env.KEYGEN_PRODUCT_TOKEN) ?? nonEmpty(env.KEYGEN_TOKEN);
  if (token === undefined) throw new CommandUsageError("--token is required (or set KEYGEN_TOKEN)", usage);
  if (/[\r\n]/.test(token)) throw new CommandUsageError("--token must be one line", usage);
  const host = normaliseHost(nonEmpty(s.host) ?? nonEmpty(env.KEYGEN_HOST) ?? DEFAULT_HOST, usage);
  const account = nonEmpty(s.account) ?? nonEmpty(env.KEYGEN_ACCOUNT_ID);
  // Keygen's own API has no single-account form (keygen-cli uses it for custom domains only).
  if (account === undefined && host === KEYGEN_API) throw new CommandUsageError(`--account is required with ${KEYGEN_API} (or set KEYGEN_ACCOUNT_ID)`, usage);
  return {
    host,
    account,
    product: nonEmpty(s.product) ?? nonEmpty(env.KEYGEN_PRODUCT_ID),
    token,
    environment: nonEmpty(s.environment) ?? nonEmpty(env.KEYGEN_ENVIRONMENT),
  };
}

/** A host as keygen-cli takes it: `https://` added when no scheme is given, no trailing slash. @throws {CommandUsageError}. */
export function normaliseHost(value: string, usage: string): string {
  const withScheme = /^https?:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CommandUsageError(`--host must be an http(s) URL (got '${value}')`, usage);
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new CommandUsageError(`--host must be an origin, optionally with a path, without query or credentials (got '${value}')`, usage);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** A `--metadata` value: a JSON object. @throws {CommandUsageError} otherwise. */
export function metadataOf(text: string | undefined, usage: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CommandUsageError(`--metadata is not valid JSON (${(error as Error).message})`, usage);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CommandUsageError("--metadata must be a JSON object", usage);
  return value as Record<string, unknown>;
}

/** Values of a list flag, split on commas as keygen-cli's string slices are, blanks dropped. */
export function listOf(values: string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/** Release channels Keygen knows. */
export const CHANNELS = ["stable", "rc", "beta", "alpha", "dev"] as const;

/**
 * A version as keygen-cli sends it: parsed leniently (a leading `v`, missing minor or patch) and
 * printed canonically (`v1.2` is sent as `1.2.0`). Null when it is not a version at all.
 */
export function canonicalVersion(text: string): string | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/.exec(text.trim());
  if (m === null) return null;
  const num = (s: string | undefined) => String(BigInt(s ?? "0"));
  return `${num(m[1])}.${num(m[2])}.${num(m[3])}${m[4] !== undefined ? `-${m[4]}` : ""}${m[5] !== undefined ? `+${m[5]}` : ""}`;
}
