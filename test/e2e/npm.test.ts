/**
 * Issue 20 with real clients: the machine's npm, and pnpm and yarn from node_modules/.bin, each with
 * an isolated HOME, cache and `.npmrc` pointing only at our 127.0.0.1 server, install a licensed
 * scoped package and its private dependency with a license token; a license without the entitlement
 * sees only its versions (`npm view`); a yanked version installs with npm's deprecation warning; the
 * lockfile's integrity is the tarball's sha512. Then `npm publish` (admin and product tokens),
 * `npm dist-tag add/ls/rm` and `npm deprecate` round trip. Tarballs are made by real `npm pack`. The
 * scenario runs on memory (in process), SQLite (`serve --db --seed`) and PostgreSQL (import + serve).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { toNodeListener } from "../../src/node/http.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { ROOT, startListening, type Started } from "../helpers/process.js";
import { startPgCluster } from "../sql/pg-cluster.js";
import { NPM_SECRETS, clientHome, npmDataset, npmPack, project, runClient } from "./npm-helpers.js";

/** A running server on a copy of the npm dataset. */
interface Running {
  origin: string;
  logs(): string;
  stop(): Promise<void>;
}

const source = mkdtempSync(join(tmpdir(), "re-npm-e2e-"));
let made: { file: string; tarballs: Record<string, string> };

beforeAll(() => {
  made = npmDataset(source);
}, 120_000);

/** A copy of the dataset folder (dataset.json and blobs/) for one target. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "re-npm-target-"));
  cpSync(join(source, "dataset.json"), join(dir, "dataset.json"));
  cpSync(join(source, "blobs"), join(dir, "blobs"), { recursive: true });
  return dir;
}

const serve = (args: string[]): Promise<Started> => startListening(["src/cli.ts", "serve", ...args, "--port", "0", "--log-format", "text"]);

const TARGETS: Array<{ name: string; start(): Promise<Running> }> = [
  {
    name: "memory, in-process over node:http",
    async start() {
      const dir = copy();
      const { dataset } = await loadDatasetFile(join(dir, "dataset.json"));
      const handler = createFetchHandler({ store: createWritableMemoryStore(dataset), blobs: createFileBlobStorage({ root: dir }) });
      const server = createServer(toNodeListener(handler));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return {
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        logs: () => "(in-process)",
        stop: () => new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      };
    },
  },
  {
    name: "SQLite, serve --db --seed",
    async start() {
      const dir = copy();
      const server = await serve(["--db", join(dir, "x.sqlite"), "--seed", join(dir, "dataset.json")]);
      return { origin: server.origin, logs: server.output, stop: async () => void (await server.stop()) };
    },
  },
  {
    name: "PostgreSQL, import + serve --database-url",
    async start() {
      const dir = copy();
      const cluster = await startPgCluster();
      try {
        const url = await cluster.createDatabase("npme2e");
        const imported = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["src/cli.ts", "import", join(dir, "dataset.json"), "--database-url", url], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
        if (imported.status !== 0) throw new Error(`import failed: ${imported.stdout}${imported.stderr}`);
        const server = await serve(["--database-url", url, "--blobs", dir]);
        return { origin: server.origin, logs: server.output, stop: async () => {
          await server.stop();
          cluster.destroy();
        } };
      } catch (error) {
        cluster.destroy();
        throw error;
      }
    },
  },
];

const sha512 = (file: string) => `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;

for (const target of TARGETS) {
  describe(`npm engine with real clients: ${target.name}`, { timeout: 300_000 }, () => {
    let running: Running;
    let registry: string;
    beforeAll(async () => {
      running = await target.start();
      registry = `${running.origin}/v1/accounts/acme/engines/npm/`;
    }, 120_000);
    afterAll(async () => {
      await running?.stop();
    });

    it("npm, pnpm and yarn install the licensed package and its private dependency; lockfile integrity is the tarball's", async () => {
      const home = clientHome(registry, { token: NPM_SECRETS.proToken });
      for (const client of ["npm", "pnpm", "yarn"] as const) {
        const dir = project({ "@acme/sdk": "^1.0.0" });
        const run = await runClient(client, home, dir, ["install"]);
        expect(run.code, `${client}: ${run.out}\n${running.logs()}`).toBe(0);
        const installed = JSON.parse(readFileSync(join(dir, "node_modules", "@acme", "sdk", "package.json"), "utf8")) as { version: string };
        expect(installed.version, client).toBe("1.1.0");
        expect(existsSync(join(dir, "node_modules", client === "pnpm" ? ".pnpm" : "@acme", ...(client === "pnpm" ? [] : ["core"]))), client).toBe(true);
        const lock = readFileSync(join(dir, client === "npm" ? "package-lock.json" : client === "pnpm" ? "pnpm-lock.yaml" : "yarn.lock"), "utf8");
        expect(lock, client).toContain(sha512(join(source, "blobs", made.tarballs["@acme/sdk@1.1.0"] as string)));
        expect(lock, client).toContain(sha512(join(source, "blobs", made.tarballs["@acme/core@1.0.0"] as string)));
      }
    });

    it("a license without the entitlement sees only its versions; a yanked version installs with npm's deprecation warning", async () => {
      const basicHome = clientHome(registry, { basic: `license:${NPM_SECRETS.basicKey}` });
      const dir = project({});
      const view = await runClient("npm", basicHome, dir, ["view", "@acme/sdk", "versions", "--json"]);
      expect(view.code, view.out).toBe(0);
      expect(JSON.parse(view.out.trim().split("\n\n")[0] as string)).toEqual(["0.9.0", "1.0.0", "2.0.0-beta.1"]);
      const keyHome = clientHome(registry, { token: NPM_SECRETS.basicKey });
      const latest = await runClient("npm", keyHome, project({}), ["install", "@acme/sdk"]);
      expect(latest.code, latest.out).toBe(0);
      const yanked = await runClient("npm", keyHome, project({}), ["install", "@acme/sdk@0.9.0"]);
      expect(yanked.code, yanked.out).toBe(0);
      expect(yanked.out).toContain("npm warn deprecated @acme/sdk@0.9.0: broken build, use 1.0.0");
      const anonymous = await runClient("npm", clientHome(registry, {}), dir, ["view", "@acme/sdk"]);
      expect(anonymous.code).not.toBe(0);
      expect(anonymous.out).toContain("E401");
    });

    it("npm publish, dist-tag and deprecate round trip; a version is published once; a license may not publish", async () => {
      const work = mkdtempSync(join(tmpdir(), "re-npm-pub-"));
      const admin = clientHome(registry, { token: NPM_SECRETS.admin });
      const pkgDir = join(work, "src", "@acme+sdk-1.2.0");
      npmPack(work, join(work, "out"), { name: "@acme/sdk", version: "1.2.0", dependencies: { "@acme/core": "^1.0.0" } });
      const published = await runClient("npm", admin, pkgDir, ["publish"]);
      expect(published.code, `${published.out}\n${running.logs()}`).toBe(0);
      const pro = clientHome(registry, { token: NPM_SECRETS.proToken });
      const view = await runClient("npm", pro, work, ["view", "@acme/sdk", "dist-tags.latest"]);
      expect(view.out.trim()).toBe("1.2.0");
      const install = await runClient("npm", pro, project({ "@acme/sdk": "1.2.0" }), ["install"]);
      expect(install.code, install.out).toBe(0);

      const again = await runClient("npm", admin, pkgDir, ["publish"]);
      expect(again.code).not.toBe(0);
      expect(again.out).toContain("You cannot publish over the previously published versions: 1.2.0.");
      // npm 11 refuses an existing version itself; the server refuses it too, as npm's registry does.
      const tgz = readFileSync(join(work, "out", "acme-sdk-1.2.0.tgz"));
      const body = {
        name: "@acme/sdk", "dist-tags": { latest: "1.2.0" },
        versions: { "1.2.0": { name: "@acme/sdk", version: "1.2.0", dist: { integrity: `sha512-${createHash("sha512").update(tgz).digest("base64")}` } } },
        _attachments: { "@acme/sdk-1.2.0.tgz": { content_type: "application/octet-stream", data: tgz.toString("base64"), length: tgz.byteLength } },
      };
      const put = await fetch(`${registry}@acme%2fsdk`, { method: "PUT", headers: { authorization: `Bearer ${NPM_SECRETS.admin}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(put.status).toBe(403);
      expect(((await put.json()) as { error: string }).error).toBe("You cannot publish over the previously published versions: 1.2.0.");
      const next = join(work, "src", "@acme+sdk-1.3.0");
      npmPack(work, join(work, "out"), { name: "@acme/sdk", version: "1.3.0" });
      const license = await runClient("npm", pro, next, ["publish", "--tag", "next"]);
      expect(license.code).not.toBe(0);
      expect(license.out).toContain("This token may not publish");

      const add = await runClient("npm", admin, work, ["dist-tag", "add", "@acme/sdk@1.0.0", "lts"]);
      expect(add.code, add.out).toBe(0);
      const ls = await runClient("npm", pro, work, ["dist-tag", "ls", "@acme/sdk"]);
      expect(ls.out).toContain("lts: 1.0.0");
      expect(ls.out).toContain("latest: 1.2.0");
      const rm = await runClient("npm", admin, work, ["dist-tag", "rm", "@acme/sdk", "lts"]);
      expect(rm.code, rm.out).toBe(0);
      expect((await runClient("npm", pro, work, ["dist-tag", "ls", "@acme/sdk"])).out).not.toContain("lts");

      const deprecate = await runClient("npm", admin, work, ["deprecate", "@acme/sdk@1.0.0", "use 1.2.0"]);
      expect(deprecate.code, deprecate.out).toBe(0);
      const warned = await runClient("npm", pro, project({ "@acme/sdk": "1.0.0" }), ["install"]);
      expect(warned.code, warned.out).toBe(0);
      expect(warned.out).toContain("npm warn deprecated @acme/sdk@1.0.0: use 1.2.0");

      const product = clientHome(registry, { token: NPM_SECRETS.product });
      const extraDir = join(work, "src", "@acme+extra-0.1.0");
      npmPack(work, join(work, "out"), { name: "@acme/extra", version: "0.1.0", dependencies: { "@acme/sdk": "^1.2.0" } });
      const created = await runClient("npm", product, extraDir, ["publish"]);
      expect(created.code, created.out).toBe(0);
      const chain = project({ "@acme/extra": "0.1.0" });
      const chained = await runClient("npm", pro, chain, ["install"]);
      expect(chained.code, chained.out).toBe(0);
      expect(JSON.parse(readFileSync(join(chain, "node_modules", "@acme", "sdk", "package.json"), "utf8")).version).toBe("1.2.0");
    });
  });
}
