/**
 * @module cli/resolve — finding the release and package a command names, as keygen-cli does:
 * one `GET /releases/{id-or-version-or-tag}?product=&package=` and one `GET /packages/{id-or-key}`.
 */
import { connectionOf, releaseFlagOf, type Parsed } from "./flags.js";
import { ApiClient, resourceOf, type Resource } from "./http-client.js";

/** The path of a release by id, version or tag. */
export function releasePath(release: string): string {
  return `releases/${encodeURIComponent(release)}`;
}

/**
 * The release `--release` names (a UUID, a version or a tag), within `--product` and `--package`
 * when given: the server resolves it, so the rule is the server's (Keygen's: id, then version, then tag).
 * @throws {ServerRefusal} 404 when there is none.
 */
export async function resolveRelease(client: ApiClient, release: string, pkg: string | undefined): Promise<Resource> {
  const response = await client.request("GET", releasePath(release), { query: { package: pkg, product: client.conn.product } });
  return resourceOf(response);
}

/**
 * The prelude of a command acting on one release: a client for its connection flags and the
 * release `--release` and `--package` name, resolved by the server.
 * @throws {CommandUsageError} for a missing `--release` or bad connection flags; {ServerRefusal} 404 when there is no such release.
 */
export async function connectToRelease(parsed: Parsed, env: Record<string, string | undefined>, usage: string): Promise<{ client: ApiClient; release: Resource }> {
  const releaseFlag = releaseFlagOf(parsed, usage);
  const client = new ApiClient(connectionOf(parsed, env, usage));
  return { client, release: await resolveRelease(client, releaseFlag, parsed.strings.package) };
}

/** The package `--package` names (a UUID or a key). @throws {ServerRefusal} 404 when there is none. */
export async function resolvePackage(client: ApiClient, pkg: string): Promise<Resource> {
  return resourceOf(await client.request("GET", `packages/${encodeURIComponent(pkg)}`));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Entitlement ids for `--entitlements`: a UUID as it is; a code looked up with
 * `GET /entitlements/{code}`, and kept as the code when the server has no such route or entitlement
 * (keygen-cli's fallback; the server then refuses an unknown one itself).
 */
export async function resolveEntitlements(client: ApiClient, codes: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const code of codes) {
    if (UUID.test(code)) {
      out.push(code);
      continue;
    }
    try {
      out.push(resourceOf(await client.request("GET", `entitlements/${encodeURIComponent(code)}`)).id);
    } catch {
      out.push(code);
    }
  }
  return out;
}
