/**
 * @module engines/npm/names — npm package names and the registry's own URLs for them.
 */
import { accountlessNpmTarballPath, linkUrl, type Urls } from "../urls.js";

/** An npm package name (`name` or `@scope/name`), as npm's registry accepts new names (lower case). */
const NPM_NAME = /^(?:@[a-z0-9~][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/;

/** True when `name` is a valid npm package name of at most 214 characters. */
export function isNpmName(name: string): boolean {
  return name.length <= 214 && NPM_NAME.test(name);
}

/** The name without its scope: `@acme/sdk` → `sdk`. */
export function bareName(name: string): string {
  const slash = name.indexOf("/");
  return slash < 0 ? name : name.slice(slash + 1);
}

/** The registry's file name of a version's tarball: `sdk-1.2.0.tgz` for `@acme/sdk` 1.2.0. */
export function tarballFilename(name: string, version: string): string {
  return `${bareName(name)}-${version}.tgz`;
}

/** A name as a path segment the way npm writes it: `@acme%2fsdk`. */
export function escapedName(name: string): string {
  return encodeURIComponent(name).replace(/^%40/, "@").replace("%2F", "%2f");
}

/**
 * The tarball URL of a version, from the URL builder's `npm.tarball` link:
 * `{origin}/v1/accounts/{account}/engines/npm/@acme/sdk/-/sdk-1.2.0.tgz` (without `/accounts/{account}`
 * when the request came in the account-less form). npm sends `_authToken` only to URLs below the
 * registry URL, so the account segment is the one the request used.
 */
export function tarballUrl(ctx: { origin: string; urls?: Urls | undefined }, accountSegment: string | null, name: string, version: string): string {
  const params = {
    package: name.split("/").map((part) => encodeURIComponent(part).replace(/^%40/, "@")).join("/"),
    filename: encodeURIComponent(tarballFilename(name, version)),
  };
  if (accountSegment === null) return ctx.origin + accountlessNpmTarballPath(params);
  return linkUrl(ctx, "npm.tarball", { account: encodeURIComponent(accountSegment), ...params });
}
