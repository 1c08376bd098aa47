/**
 * electron-updater's built-in Keygen provider (npm `electron-updater`, `out/providers/KeygenProvider.js`)
 * as a real client, in Node without Electron (issue 17 item 3). The provider class is constructed
 * standalone with an updater-like object; its executor is electron-updater's own
 * `ElectronHttpExecutor` with only `createRequest` swapped from `electron.net` to `node:https`
 * (the transport), so redirects, the header stripping on cross-origin hops and the sha512 check of a
 * download are electron-updater's code. The provider always speaks HTTPS, so the handler listens on
 * TLS with a throwaway self-signed certificate.
 *
 * What it asks (Keygen docs, electron-builder's Keygen publisher): `GET
 * /v1/accounts/<account>/artifacts/<channel>[-mac].yml?product=<product>` with `Accept:
 * application/vnd.api+json` and `Keygen-Version: 1.1`, following the 303; then each file of the
 * update info at `/artifacts/<file>?product=<product>`. keygen-api
 * `release_artifacts_controller.rb` narrows the filename lookup by `?product=`, so another
 * product's newer `latest.yml` is never the answer.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { toNodeListener } from "../../src/node/http.js";
import { makeStore } from "../helpers/store.js";

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { KeygenProvider } = require("electron-updater/out/providers/KeygenProvider.js") as { KeygenProvider: any };
const { ElectronHttpExecutor } = require("electron-updater/out/electronHttpExecutor.js") as { ElectronHttpExecutor: any };
const { CancellationToken } = require("builder-util-runtime") as { CancellationToken: any };

const ACCOUNT = "e1000000-0000-4000-8000-000000000001";
const APP = "e1000000-0000-4000-8000-000000000011";
const OTHER = "e1000000-0000-4000-8000-000000000012";
const KEY = "ELECTRON-APP-KEY";
const OTHER_KEY = "ELECTRON-OTHER-KEY";

let dir: string;
let server: https.Server;
let host: string;
let cert: Buffer;
const sha512 = new Map<string, string>();

/** An electron-updater channel file for one installer, as electron-builder writes it. */
function channelFile(version: string, file: string, bytes: Buffer): string {
  const hash = createHash("sha512").update(bytes).digest("base64");
  return `version: ${version}\nfiles:\n  - url: ${file}\n    sha512: ${hash}\n    size: ${bytes.length}\npath: ${file}\nsha512: ${hash}\nreleaseDate: '2026-01-20T00:00:00.000Z'\n`;
}

function writeDataset(): string {
  const releases: NonNullable<DatasetFile["accounts"][number]["releases"]> = [];
  const artifacts: NonNullable<DatasetFile["accounts"][number]["artifacts"]> = [];
  const add = (product: string, version: string, day: number, n: number) => {
    const rid = `e1000000-0000-4000-8000-0000000001${String(n).padStart(2, "0")}`;
    releases.push({ id: rid, product, version, status: "PUBLISHED", created: `2026-01-${String(day).padStart(2, "0")}T00:00:00Z` });
    const win = `MyApp-Setup-${version}.exe`;
    const mac = `MyApp-${version}-mac.zip`;
    const files: Array<[string, Buffer]> = [
      [win, Buffer.from(`${product} windows installer ${version}\n`)],
      [mac, Buffer.from(`${product} mac zip ${version}\n`)],
    ];
    files.push(["latest.yml", Buffer.from(channelFile(version, win, files[0]![1]))], ["latest-mac.yml", Buffer.from(channelFile(version, mac, files[1]![1]))]);
    files.forEach(([filename, bytes], j) => {
      const blob = `blobs/${n}-${j}.bin`;
      fs.writeFileSync(path.join(dir, blob), bytes);
      sha512.set(`${product}|${filename}`, createHash("sha512").update(bytes).digest("base64"));
      artifacts.push({ release: rid, filename, file: blob, created: `2026-01-${String(day).padStart(2, "0")}T00:00:0${j}Z` });
    });
  };
  fs.mkdirSync(path.join(dir, "blobs"));
  add("app", "1.0.0", 5, 1);
  add("app", "1.1.0", 20, 2);
  // Another product of the account, newer and OPEN: without `?product=` its latest.yml would win.
  add("other", "9.9.9", 25, 3);
  const data: DatasetFile = {
    accounts: [{
      id: ACCOUNT, slug: "electron", name: "Electron", secretKey: "electron-secret-key-0123456789abcdef",
      products: [
        { id: APP, code: "app", name: "My App", distributionStrategy: "LICENSED" },
        { id: OTHER, code: "other", name: "Other", distributionStrategy: "OPEN" },
      ],
      releases,
      artifacts,
      policies: [
        { id: "e1000000-0000-4000-8000-000000000041", product: "app", name: "App", authenticationStrategy: "LICENSE" },
        { id: "e1000000-0000-4000-8000-000000000042", product: "other", name: "Other", authenticationStrategy: "LICENSE" },
      ],
      licenses: [
        { policy: "e1000000-0000-4000-8000-000000000041", key: KEY },
        { policy: "e1000000-0000-4000-8000-000000000042", key: OTHER_KEY },
      ],
    }],
  };
  const file = path.join(dir, "dataset.json");
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

/** electron-updater's executor, speaking node:https (trusting the test certificate) instead of electron.net. */
class NodeTransportExecutor extends ElectronHttpExecutor {
  createRequest(options: any, callback: (response: unknown) => void) {
    const request = https.request({ ...options, ca: cert }, callback);
    return request;
  }
}

/** A KeygenProvider as electron-updater's AppUpdater builds it (`provider: keygen` in app-update.yml). */
function provider(platform: "win32" | "darwin", license: string | null, product = APP) {
  const updater = { channel: "latest", isAddNoCacheQuery: false };
  const p = new KeygenProvider({ provider: "keygen", account: ACCOUNT, product, host }, updater, { executor: new NodeTransportExecutor(), platform, isUseMultipleRangeRequest: true });
  if (license !== null) p.setRequestHeaders({ Authorization: `License ${license}` });
  return p;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "electron-updater-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
  cert = fs.readFileSync(path.join(dir, "cert.pem"));
  const { dataset, root } = await loadDatasetFile(writeDataset());
  let listener: ReturnType<typeof toNodeListener> = (_req, res) => res.end();
  server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert }, (req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `localhost:${(server.address() as AddressInfo).port}`;
  const handler = createFetchHandler({ store: await makeStore(dataset), blobs: createFileBlobStorage({ root }), baseUrl: `https://${host}` });
  listener = toNodeListener(handler);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("electron-updater's KeygenProvider against release-engines (KeygenProvider.js, release_artifacts_controller.rb)", () => {
  it("a licensed Windows app finds latest.yml of its own product's newest release and downloads the installer with its sha512 checked", async () => {
    const p = provider("win32", KEY);
    const info = await p.getLatestVersion();
    expect(info.version).toBe("1.1.0");
    expect(info.path).toBe("MyApp-Setup-1.1.0.exe");
    const [file] = p.resolveFiles(info);
    expect(file.url.href).toBe(`https://${host}/v1/accounts/${ACCOUNT}/artifacts/MyApp-Setup-1.1.0.exe?product=${APP}`);
    const dest = path.join(dir, "download.exe");
    // The updater's own download: headers of the provider, sha512 from the channel file (DigestTransform).
    await p.executor.download(file.url, dest, { headers: { Authorization: `License ${KEY}` }, sha512: file.info.sha512, cancellationToken: new CancellationToken() });
    expect(fs.readFileSync(dest, "utf8")).toBe("app windows installer 1.1.0\n");
  });

  it("a licensed macOS app finds latest-mac.yml and its zip", async () => {
    const p = provider("darwin", KEY);
    const info = await p.getLatestVersion();
    expect(info.version).toBe("1.1.0");
    const [file] = p.resolveFiles(info);
    expect(file.url.pathname).toBe(`/v1/accounts/${ACCOUNT}/artifacts/MyApp-1.1.0-mac.zip`);
    expect(file.info.sha512).toBe(sha512.get("app|MyApp-1.1.0-mac.zip"));
    const dest = path.join(dir, "download.zip");
    await p.executor.download(file.url, dest, { headers: { Authorization: `License ${KEY}` }, sha512: file.info.sha512, cancellationToken: new CancellationToken() });
    expect(fs.readFileSync(dest, "utf8")).toBe("app mac zip 1.1.0\n");
  });

  it("a download whose bytes do not match the channel file's sha512 is refused by the updater", async () => {
    const p = provider("win32", KEY);
    const [file] = p.resolveFiles(await p.getLatestVersion());
    const wrong = sha512.get("app|MyApp-Setup-1.0.0.exe");
    await expect(p.executor.download(file.url, path.join(dir, "bad.exe"), { headers: { Authorization: `License ${KEY}` }, sha512: wrong, cancellationToken: new CancellationToken() }))
      .rejects.toThrow(/sha512 checksum mismatch/);
  });

  it("license-gated: no license, or another product's license, finds no update (404 → ERR_UPDATER_LATEST_VERSION_NOT_FOUND)", async () => {
    for (const license of [null, OTHER_KEY]) {
      await expect(provider("win32", license).getLatestVersion()).rejects.toMatchObject({ code: "ERR_UPDATER_LATEST_VERSION_NOT_FOUND" });
    }
  });

  it("the other, OPEN product's app gets its own 9.9.9, and a product the account lacks gets nothing", async () => {
    expect((await provider("win32", null, OTHER).getLatestVersion()).version).toBe("9.9.9");
    await expect(provider("win32", KEY, "e1000000-0000-4000-8000-0000000000ff").getLatestVersion()).rejects.toMatchObject({ code: "ERR_UPDATER_LATEST_VERSION_NOT_FOUND" });
  });
});
