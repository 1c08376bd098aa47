/**
 * Helpers of the real-npm end-to-end tests: tarballs made by real `npm pack`, the dataset that
 * serves them, and npm, pnpm and yarn run with an isolated HOME, cache and `.npmrc` that point
 * only at our 127.0.0.1 server.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/process.js";

/** Raw tokens and keys of the npm dataset. */
export const NPM_SECRETS = {
  admin: "admin-acme00000000000000000000000000000000000000000000000000000000000v3",
  product: "prod-acme0000000000000000000000000000000000000000000000000000000000v3",
  proToken: "activ-acmepro000000000000000000000000000000000000000000000000000000v3",
  basicToken: "activ-acmebasic0000000000000000000000000000000000000000000000000000v3",
  proKey: "ACME-PRO-KEY",
  basicKey: "ACME-BASIC-KEY",
};

const IDS = {
  product: "a0000000-0000-4000-8000-000000000001",
  pro: "a0000000-0000-4000-8000-000000000002",
  basic: "a0000000-0000-4000-8000-000000000003",
};

/** A minimal package.json plus `index.js`, packed by real `npm pack` into `out`; the tarball's file name. */
export function npmPack(work: string, out: string, manifest: Record<string, unknown>): string {
  const name = String(manifest.name);
  const dir = join(work, "src", `${name.replace("/", "+")}-${String(manifest.version)}`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "index.js", license: "UNLICENSED", ...manifest }, null, 2));
  writeFileSync(join(dir, "index.js"), `module.exports = ${JSON.stringify({ name, version: manifest.version })};\n`);
  const home = mkdtempSync(join(tmpdir(), "re-npm-pack-"));
  const text = execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: dir, env: isolatedEnv(home), encoding: "utf8" });
  return (JSON.parse(text) as Array<{ filename: string }>)[0]?.filename as string;
}

/** PATH and an isolated HOME, npm cache and config: nothing from this machine's npm setup. */
export function isolatedEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    npm_config_userconfig: join(home, ".npmrc"),
    npm_config_globalconfig: join(home, "global-npmrc"),
    npm_config_cache: join(home, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    COREPACK_ENABLE_STRICT: "0",
  };
}

/** A client's home whose `.npmrc` sends `@acme` (and everything else) to `registry` with `_authToken`/`_auth`. */
export function clientHome(registry: string, auth: { token?: string; basic?: string }): string {
  const home = mkdtempSync(join(tmpdir(), "re-npm-home-"));
  const url = new URL(registry);
  const lines = [`registry=${registry}`, `@acme:registry=${registry}`];
  const prefix = `//${url.host}${url.pathname}`;
  if (auth.token !== undefined) lines.push(`${prefix}:_authToken=${auth.token}`);
  if (auth.basic !== undefined) lines.push(`${prefix}:_auth=${Buffer.from(auth.basic).toString("base64")}`);
  writeFileSync(join(home, ".npmrc"), `${lines.join("\n")}\n`);
  writeFileSync(join(home, ".yarnrc"), `registry "${registry}"\n"@acme:registry" "${registry}"\n`);
  return home;
}

/** A client's run. */
export interface ClientRun {
  code: number;
  out: string;
}

/** Run a client (`npm`, or pnpm/yarn from node_modules/.bin) in `cwd` with the home's isolated env. */
export function runClient(client: "npm" | "pnpm" | "yarn", home: string, cwd: string, args: string[], timeout = 120_000): Promise<ClientRun> {
  const bin = client === "npm" ? "npm" : join(ROOT, "node_modules", ".bin", client);
  const env: Record<string, string> = { ...isolatedEnv(home) };
  if (client === "pnpm") env.npm_config_store_dir = join(home, "pnpm-store");
  if (client === "yarn") env.YARN_CACHE_FOLDER = join(home, "yarn-cache");
  return new Promise((resolve) => {
    execFile(bin, args, { cwd, env, timeout }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}\n${stderr}` });
    });
  });
}

/** A project folder depending on `deps`. */
export function project(deps: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "re-npm-proj-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: deps }));
  return dir;
}

/**
 * The npm dataset in `dir` (with its tarballs under `blobs/`): a LICENSED product with `@acme/core`
 * (1.0.0) and `@acme/sdk` (0.9.0 yanked, 1.0.0, 1.1.0 entitled PRO, 2.0.0-beta.1 on beta), sdk
 * depending on core; licenses with and without PRO, their tokens, an admin and a product token.
 */
export function npmDataset(dir: string): { file: string; tarballs: Record<string, string> } {
  const work = join(dir, "work");
  const blobs = join(dir, "blobs");
  const tarballs: Record<string, string> = {};
  const pack = (name: string, version: string, extra: Record<string, unknown> = {}) => {
    tarballs[`${name}@${version}`] = npmPack(work, blobs, { name, version, description: `${name} ${version}`, ...extra });
  };
  pack("@acme/core", "1.0.0", { engines: { node: ">=18" } });
  for (const v of ["0.9.0", "1.0.0", "1.1.0", "2.0.0-beta.1"]) pack("@acme/sdk", v, { dependencies: { "@acme/core": "^1.0.0" } });
  const t = (day: number) => `2026-03-${String(day).padStart(2, "0")}T00:00:00Z`;
  const release = (pkg: string, version: string, day: number, extra: Record<string, unknown> = {}) => ({
    product: "sdk", package: pkg, version, status: "PUBLISHED", created: t(day), channel: version.includes("-beta") ? "beta" : "stable", ...extra,
  });
  const artifact = (pkg: string, version: string) => ({ release: `${pkg}@${version}`, filename: tarballs[`${pkg}@${version}`], filetype: "tgz", file: `blobs/${tarballs[`${pkg}@${version}`]}` });
  const dataset = {
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef",
      products: [{ id: IDS.product, code: "sdk", name: "Acme SDK", distributionStrategy: "LICENSED" }],
      packages: [
        { product: "sdk", key: "@acme/core", name: "Acme core", engine: "npm", created: t(1) },
        { product: "sdk", key: "@acme/sdk", name: "Acme SDK", engine: "npm", created: t(1) },
      ],
      entitlements: [{ code: "PRO", name: "Pro" }],
      releases: [
        release("@acme/core", "1.0.0", 2),
        release("@acme/sdk", "0.9.0", 3, { status: "YANKED", metadata: { yankReason: "broken build, use 1.0.0" } }),
        release("@acme/sdk", "1.0.0", 4),
        release("@acme/sdk", "1.1.0", 5, { entitlements: ["PRO"] }),
        release("@acme/sdk", "2.0.0-beta.1", 6),
      ],
      artifacts: [artifact("@acme/core", "1.0.0"), ...["0.9.0", "1.0.0", "1.1.0", "2.0.0-beta.1"].map((v) => artifact("@acme/sdk", v))],
      policies: [
        { product: "sdk", name: "Pro", authenticationStrategy: "MIXED", expirationStrategy: "RESTRICT_ACCESS", entitlements: ["PRO"] },
        { product: "sdk", name: "Basic", authenticationStrategy: "MIXED", expirationStrategy: "RESTRICT_ACCESS" },
      ],
      users: [{ email: "admin@acme.test", role: "admin" }],
      licenses: [
        { id: IDS.pro, policy: "Pro", key: NPM_SECRETS.proKey },
        { id: IDS.basic, policy: "Basic", key: NPM_SECRETS.basicKey },
      ],
      tokens: [
        { bearer: { type: "user", id: "admin@acme.test" }, token: NPM_SECRETS.admin },
        { bearer: { type: "product", id: IDS.product }, token: NPM_SECRETS.product },
        { bearer: { type: "license", id: IDS.pro }, token: NPM_SECRETS.proToken },
        { bearer: { type: "license", id: IDS.basic }, token: NPM_SECRETS.basicToken },
      ],
    }],
  };
  const file = join(dir, "dataset.json");
  writeFileSync(file, JSON.stringify(dataset, null, 2));
  return { file, tarballs };
}
