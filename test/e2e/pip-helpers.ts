/**
 * Helpers of the real-pip end-to-end tests: hand-built wheels, the dataset, the server and an
 * isolated pip (clients.md "Running real pip here").
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Build `<dist>-<version>-py3-none-any.whl` in `dir` with python3's zipfile; returns its METADATA text. */
export function buildWheel(dir: string, dist: string, version: string, requiresPython?: string): { filename: string; metadata: string } {
  const script = String.raw`
import base64, hashlib, sys, zipfile
dir, dist, version, rp = sys.argv[1:5]
name = dist.replace("_", "-")
meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + (f"Requires-Python: {rp}\n" if rp else "")
files = {
  f"{dist}/__init__.py": f"VERSION = {version!r}\n",
  f"{dist}-{version}.dist-info/METADATA": meta,
  f"{dist}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: handmade\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def rec(data):
  d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
  return f"sha256={d},{len(data)}"
record = "".join(f"{p},{rec(c.encode())}\n" for p, c in files.items()) + f"{dist}-{version}.dist-info/RECORD,,\n"
files[f"{dist}-{version}.dist-info/RECORD"] = record
fn = f"{dist}-{version}-py3-none-any.whl"
with zipfile.ZipFile(f"{dir}/{fn}", "w", zipfile.ZIP_DEFLATED) as z:
  for p, c in files.items():
    z.writestr(zipfile.ZipInfo(p, (2020, 1, 1, 0, 0, 0)), c)
sys.stdout.write(meta)
`;
  const metadata = execFileSync("python3", ["-c", script, dir, dist, version, requiresPython ?? ""], { encoding: "utf8" });
  return { filename: `${dist}-${version}-py3-none-any.whl`, metadata };
}

/** Result of one pip run. */
export interface PipRun {
  code: number;
  out: string;
}

/** Run pip isolated from this machine's configuration (no config files, no PIP_* variables, no cache, no prompts). */
export function runPip(home: string, args: string[]): Promise<PipRun> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, PIP_CONFIG_FILE: "/dev/null" };
  const base = ["-m", "pip", args[0] as string, "--disable-pip-version-check", "--no-cache-dir", "--no-input", "--no-deps", ...args.slice(1)];
  return new Promise((resolve) => {
    execFile("python3", base, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/** Files pip saved into a folder. */
export function saved(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Start `release-engines serve` on a free port; resolves with its base URL and the child. */
export function startCli(dataFile: string, cwd: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(cwd, "node_modules/tsx/dist/cli.mjs"), "src/cli.ts", "serve", "--data", dataFile, "--port", "0"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 30_000);
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, child });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}${err}`));
    });
  });
}

/** Stop a child started by {@link startCli}. */
export function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Fixed ids of the e2e dataset's releases (versions repeat across packages). */
const REL = (n: number) => `00000000-0000-4000-8000-00000000e${String(n).padStart(3, "0")}`;

/** Raw admin token of the e2e dataset. */
export const ADMIN_TOKEN = "admin-abababababababababababababababababababababababababababababababv3";

/**
 * Build the wheels and write the dataset in `dir`: OPEN `open-pkg` (0.1.0, 0.2.0 with PEP 658
 * metadata, yanked 0.3.0, 0.4.0 needing Python < 3), LICENSED `lic-pkg` (1.0.0, 1.1.0 needing PRO,
 * yanked 1.2.0, yanked 1.3.0 needing PRO), OPEN `tamper-pkg`; licenses BASIC-KEY, PRO-KEY and
 * suspended SUSP-KEY; an admin token.
 */
export function writeE2eDataset(dir: string): string {
  const open = ["0.1.0", "0.2.0", "0.3.0", "0.4.0"].map((v) => buildWheel(dir, "open_pkg", v));
  const lic = ["1.0.0", "1.1.0", "1.2.0", "1.3.0"].map((v) => buildWheel(dir, "lic_pkg", v));
  const tamper = buildWheel(dir, "tamper_pkg", "1.0.0");
  fs.writeFileSync(path.join(dir, `${open[1]?.filename}.metadata`), open[1]?.metadata as string);
  const art = (release: string, filename: string, extra: Record<string, unknown> = {}) => ({ release, filename, file: filename, ...extra });
  const dataset = {
    accounts: [{
      slug: "demo", name: "Demo", secretKey: "e2e-secret-key-0123456789abcdef",
      products: [
        { code: "open", name: "Open", distributionStrategy: "OPEN" },
        { code: "lic", name: "Licensed", distributionStrategy: "LICENSED" },
      ],
      packages: [
        { product: "open", key: "Open_Pkg", name: "Open Pkg", engine: "pypi" },
        { product: "lic", key: "lic-pkg", name: "Lic Pkg", engine: "pypi" },
        { product: "open", key: "tamper-pkg", name: "Tamper Pkg", engine: "pypi" },
      ],
      entitlements: [{ code: "PRO" }],
      releases: [
        { id: REL(1), product: "open", package: "open-pkg", version: "0.1.0", status: "PUBLISHED", created: "2026-01-01T00:00:00Z" },
        { id: REL(2), product: "open", package: "open-pkg", version: "0.2.0", status: "PUBLISHED", created: "2026-01-02T00:00:00Z" },
        { id: REL(3), product: "open", package: "open-pkg", version: "0.3.0", status: "YANKED", created: "2026-01-03T00:00:00Z", metadata: { yankedReason: "broken build" } },
        { id: REL(4), product: "open", package: "open-pkg", version: "0.4.0", status: "PUBLISHED", created: "2026-01-04T00:00:00Z" },
        { id: REL(5), product: "lic", package: "lic-pkg", version: "1.0.0", status: "PUBLISHED", created: "2026-01-01T00:00:00Z" },
        { id: REL(6), product: "lic", package: "lic-pkg", version: "1.1.0", status: "PUBLISHED", created: "2026-01-02T00:00:00Z", entitlements: ["PRO"] },
        { id: REL(7), product: "open", package: "tamper-pkg", version: "1.0.0", status: "PUBLISHED", created: "2026-01-01T00:00:00Z" },
        // The write path keeps a yank's reason in `metadata.yankReason`.
        { id: REL(8), product: "lic", package: "lic-pkg", version: "1.2.0", status: "YANKED", created: "2026-01-03T00:00:00Z", metadata: { yankReason: "bad wheel" } },
        { id: REL(9), product: "lic", package: "lic-pkg", version: "1.3.0", status: "YANKED", created: "2026-01-04T00:00:00Z", entitlements: ["PRO"] },
      ],
      artifacts: [
        art(REL(1), open[0]?.filename as string),
        art(REL(2), open[1]?.filename as string),
        art(REL(2), `${open[1]?.filename}.metadata`),
        art(REL(3), open[2]?.filename as string),
        art(REL(4), open[3]?.filename as string, { metadata: { requiresPython: "<3" } }),
        art(REL(5), lic[0]?.filename as string),
        art(REL(6), lic[1]?.filename as string),
        art(REL(7), tamper.filename),
        art(REL(8), lic[2]?.filename as string),
        art(REL(9), lic[3]?.filename as string),
      ],
      policies: [{ product: "lic", name: "Std", authenticationStrategy: "LICENSE" }],
      licenses: [
        { policy: "Std", key: "BASIC-KEY" },
        { policy: "Std", key: "PRO-KEY", entitlements: ["PRO"] },
        { policy: "Std", key: "SUSP-KEY", entitlements: ["PRO"], suspended: true },
      ],
      users: [{ email: "admin@demo.test", role: "admin" }],
      tokens: [{ bearer: { type: "user", id: "admin@demo.test" }, token: ADMIN_TOKEN }],
    }],
  };
  const file = path.join(dir, "dataset.json");
  fs.writeFileSync(file, JSON.stringify(dataset, null, 2));
  return file;
}
