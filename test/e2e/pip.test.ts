/**
 * Real pip against `release-engines serve` (PEP 691 JSON path): pip installs exactly the files each
 * caller is entitled to, and nothing else.
 */
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, runPip, saved, startCli, stopChild, writeE2eDataset } from "./pip-helpers.js";

let dir: string;
let base: string;
let child: ChildProcess | undefined;
let n = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-pip-"));
  const file = writeE2eDataset(dir);
  const started = await startCli(file, process.cwd());
  child = started.child;
  base = started.url;
});
afterAll(async () => {
  await stopChild(child);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The index URL, with `user:pass@` credentials when given. */
const index = (cred?: string) => {
  const u = new URL(`${base}/v1/accounts/demo/engines/pypi/simple/`);
  if (cred !== undefined) {
    const [user, pass] = cred.split(":");
    u.username = user as string;
    u.password = pass as string;
  }
  return u.toString();
};

async function download(req: string, cred?: string, extra: string[] = []) {
  const out = path.join(dir, `out${++n}`);
  const run = await runPip(dir, ["download", "-vv", "--index-url", index(cred), "-d", out, ...extra, req]);
  return { ...run, files: saved(out) };
}

/** The request lines pip logged at -vv: `GET <path> <status>`. */
const requests = (out: string) => [...out.matchAll(/"GET (\S+) HTTP\/1\.1" (\d{3})/g)].map((m) => `${(m[1] as string).split("?")[0]} ${m[2]}`);

describe("pip, JSON path", { timeout: 60_000 }, () => {
  it("downloads the newest non-yanked, Python-compatible file of an OPEN project anonymously, fetching PEP 658 metadata first", async () => {
    const run = await download("open-pkg");
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["open_pkg-0.2.0-py3-none-any.whl"]);
    expect(run.out).toContain("as application/vnd.pypi.simple.v1+json");
    const seen = requests(run.out);
    const page = seen.findIndex((r) => r.endsWith("/simple/open-pkg/ 200"));
    const meta = seen.findIndex((r) => /open_pkg-0\.2\.0-py3-none-any\.whl\.metadata 303$/.test(r));
    const wheel = seen.findIndex((r) => /artifacts\/[^/]+\/open_pkg-0\.2\.0-py3-none-any\.whl 303$/.test(r));
    expect(page).toBeGreaterThanOrEqual(0);
    expect(meta).toBeGreaterThan(page);
    expect(wheel).toBeGreaterThan(meta);
  });

  it("installs into a target folder and the module imports", async () => {
    const target = path.join(dir, "target");
    const run = await runPip(dir, ["install", "--index-url", index(), "--target", target, "open-pkg"]);
    expect(run.code, run.out).toBe(0);
    const version = execFileSync("python3", ["-c", "import open_pkg; print(open_pkg.VERSION)"], { env: { PATH: process.env.PATH ?? "", PYTHONPATH: target }, encoding: "utf8" });
    expect(version.trim()).toBe("0.2.0");
  });

  it("accepts a non-normalised requirement name", async () => {
    const run = await download("Open.PKG==0.1.0");
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["open_pkg-0.1.0-py3-none-any.whl"]);
  });

  it("installs a pinned yanked version with pip's warning, for admins and anonymous callers of an OPEN project alike (SPEC 19)", async () => {
    for (const cred of [`token:${ADMIN_TOKEN}`, undefined]) {
      const run = await download("open-pkg==0.3.0", cred);
      expect(run.code, run.out).toBe(0);
      expect(run.files).toEqual(["open_pkg-0.3.0-py3-none-any.whl"]);
      expect(run.out).toMatch(/is a yanked version/);
      expect(run.out).toContain("Reason for being yanked: broken build");
    }
  });

  it("installs a LICENSED project's pinned yanked version for a license that would see it published, and skips it otherwise (SPEC 19)", async () => {
    const pinned = await download("lic-pkg==1.2.0", "license:BASIC-KEY");
    expect(pinned.code, pinned.out).toBe(0);
    expect(pinned.files).toEqual(["lic_pkg-1.2.0-py3-none-any.whl"]);
    expect(pinned.out).toContain("Reason for being yanked: bad wheel");
    // Unpinned, pip takes the newest release that is not yanked: 1.0.0 without PRO, 1.1.0 with it.
    expect((await download("lic-pkg", "license:BASIC-KEY")).files).toEqual(["lic_pkg-1.0.0-py3-none-any.whl"]);
    expect((await download("lic-pkg", "license:PRO-KEY")).files).toEqual(["lic_pkg-1.1.0-py3-none-any.whl"]);
    // A yanked release needing PRO: PRO-KEY installs it pinned; BASIC-KEY does not even see it.
    const pro = await download("lic-pkg==1.3.0", "license:PRO-KEY");
    expect(pro.code, pro.out).toBe(0);
    expect(pro.files).toEqual(["lic_pkg-1.3.0-py3-none-any.whl"]);
    const hidden = await download("lic-pkg==1.3.0", "license:BASIC-KEY");
    expect(hidden.code).not.toBe(0);
    expect(hidden.out).toContain("No matching distribution found for lic-pkg==1.3.0");
    expect(hidden.out).not.toContain("lic_pkg-1.3.0");
  });

  it("fails without credentials on a LICENSED project", async () => {
    const run = await download("lic-pkg");
    expect(run.code).not.toBe(0);
    expect(run.out).toContain("No matching distribution found for lic-pkg");
    expect(requests(run.out)).toContain("/v1/accounts/demo/engines/pypi/simple/lic-pkg/ 401");
  });

  it("downloads a LICENSED project with `license:<key>` in the index URL, newest entitled file", async () => {
    const run = await download("lic-pkg", "license:PRO-KEY");
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["lic_pkg-1.1.0-py3-none-any.whl"]);
  });

  it("chooses the older file when the license lacks the newer release's entitlement", async () => {
    const run = await download("lic-pkg", "license:BASIC-KEY");
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["lic_pkg-1.0.0-py3-none-any.whl"]);
    const pinned = await download("lic-pkg==1.1.0", "license:BASIC-KEY");
    expect(pinned.code).not.toBe(0);
  });

  it("downloads with an admin token as `token:<token>`", async () => {
    const run = await download("lic-pkg", `token:${ADMIN_TOKEN}`);
    expect(run.code, run.out).toBe(0);
    expect(run.files).toEqual(["lic_pkg-1.1.0-py3-none-any.whl"]);
  });

  it("fails for a suspended license", async () => {
    const run = await download("lic-pkg", "license:SUSP-KEY");
    expect(run.code).not.toBe(0);
    expect(run.files).toEqual([]);
    expect(requests(run.out)).toContain("/v1/accounts/demo/engines/pypi/simple/lic-pkg/ 403");
  });

  it("fails with a hash mismatch when a blob is tampered with after loading", async () => {
    const file = path.join(dir, "tamper_pkg-1.0.0-py3-none-any.whl");
    fs.appendFileSync(file, "tampered");
    const run = await download("tamper-pkg");
    expect(run.code).not.toBe(0);
    expect(run.out).toContain("THESE PACKAGES DO NOT MATCH THE HASHES");
  });
});
