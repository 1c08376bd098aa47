/**
 * The 204 reason `no-uploaded-artifact-for-platform`: the newest upgrade the caller may see has a
 * signed file for the platform whose bytes are not uploaded yet, told apart from having no signed
 * file at all — and a caller who may not see that release gets exactly the answer it would get if
 * the release did not exist.
 */
import { describe, expect, it } from "vitest";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { get, handlerFor } from "./support.js";

type ArtifactStatus = "WAITING" | "PROCESSING" | "UPLOADED" | "FAILED";
interface Rel { version: string; entitlements?: string[]; status?: "PUBLISHED" | "DRAFT"; linux?: ArtifactStatus; signed?: boolean }

/** One OPEN and one LICENSED product, each with a Tauri package holding `releases` (1.0.0 always). */
function dataset(releases: Rel[]): DatasetFile {
  const all: Rel[] = [{ version: "1.0.0" }, ...releases];
  const pkgs = ["open-app", "lic-app"] as const;
  return {
    accounts: [{
      slug: "pend", name: "Pending", secretKey: "pending-secret-key-0123456789",
      products: [{ code: "open", name: "Open", distributionStrategy: "OPEN" }, { code: "lic", name: "Licensed", distributionStrategy: "LICENSED" }],
      packages: [{ product: "open", key: "open-app", name: "Open", engine: "tauri" }, { product: "lic", key: "lic-app", name: "Lic", engine: "tauri" }],
      entitlements: [{ code: "PRO" }],
      releases: pkgs.flatMap((pkg) => all.map((r) => ({
        product: pkg === "open-app" ? "open" : "lic", package: pkg, version: r.version, status: r.status ?? "PUBLISHED", entitlements: r.entitlements ?? [],
      }))),
      artifacts: pkgs.flatMap((pkg) => all.filter((r) => r.linux !== undefined).map((r) => ({
        release: `${pkg}@${r.version}`, filename: "app.AppImage.tar.gz", platform: "linux", arch: "x86_64",
        signature: r.signed === false ? null : "c2ln", status: r.linux as ArtifactStatus, filesize: 1, checksum: "a".repeat(64),
      }))),
      policies: [{ product: "lic", name: "Std", authenticationStrategy: "LICENSE" }],
      licenses: [{ policy: "Std", key: "PLAIN-KEY" }, { policy: "Std", key: "PRO-KEY", entitlements: ["PRO"] }],
    }],
  };
}

async function check(file: DatasetFile, pkg: string, query: string, key?: string): Promise<Response> {
  const handler = await handlerFor(file);
  return get(handler, `/v1/accounts/pend/engines/tauri/${pkg}?${query}`, key === undefined ? {} : { Authorization: `License ${key}` });
}
const LINUX = "platform=linux&arch=x86_64&version=1.0.0";
const reason = (res: Response) => res.headers.get("release-engines-reason");

/** Status, every header and the body: what a caller can observe. */
async function observed(res: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
  return { status: res.status, headers: [...res.headers.entries()].sort(), body: await res.text() };
}

describe("a signed file that is not uploaded yet", () => {
  it.each(["WAITING", "PROCESSING", "FAILED"] as const)("%s: 204 no-uploaded-artifact-for-platform, not no-signed-artifact", async (status) => {
    const res = await check(dataset([{ version: "1.1.0", linux: status }]), "open-app", LINUX);
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("no-uploaded-artifact-for-platform");
    expect(await res.text()).toBe("");
  });
  it("the same file once UPLOADED is the update", async () => {
    const res = await check(dataset([{ version: "1.1.0", linux: "UPLOADED" }]), "open-app", LINUX);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: string }).version).toBe("1.1.0");
  });
  it("another platform, an unsigned file, or no file at all stay no-signed-artifact-for-platform", async () => {
    expect(reason(await check(dataset([{ version: "1.1.0", linux: "WAITING" }]), "open-app", "platform=darwin&arch=aarch64&version=1.0.0"))).toBe("no-signed-artifact-for-platform");
    expect(reason(await check(dataset([{ version: "1.1.0", linux: "WAITING", signed: false }]), "open-app", LINUX))).toBe("no-signed-artifact-for-platform");
    expect(reason(await check(dataset([{ version: "1.1.0" }]), "open-app", LINUX))).toBe("no-signed-artifact-for-platform");
  });
  it("an older upgrade that is uploaded is still offered over a newer one that is not", async () => {
    const res = await check(dataset([{ version: "1.1.0", linux: "UPLOADED" }, { version: "1.2.0", linux: "WAITING" }]), "open-app", LINUX);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: string }).version).toBe("1.1.0");
  });
  it("a license that may see the release is told the same", async () => {
    const file = dataset([{ version: "1.1.0", linux: "WAITING", entitlements: ["PRO"] }]);
    expect(reason(await check(file, "lic-app", LINUX, "PRO-KEY"))).toBe("no-uploaded-artifact-for-platform");
  });
});

describe("a caller who may not see the release gets the answer of a release that does not exist", () => {
  const cases: Array<[string, Rel, string | undefined]> = [
    ["entitlement the license lacks", { version: "1.1.0", linux: "WAITING", entitlements: ["PRO"] }, "PLAIN-KEY"],
    ["DRAFT release, license", { version: "1.1.0", linux: "WAITING", status: "DRAFT" }, "PRO-KEY"],
    ["DRAFT release, anonymous on an OPEN product", { version: "1.1.0", linux: "WAITING", status: "DRAFT" }, undefined],
  ];
  it.each(cases)("%s", async (_what, hidden, key) => {
    const pkg = key === undefined ? "open-app" : "lic-app";
    const withHidden = await observed(await check(dataset([hidden]), pkg, LINUX, key));
    const without = await observed(await check(dataset([]), pkg, LINUX, key));
    expect(withHidden).toEqual(without);
    expect(withHidden.headers).toContainEqual(["release-engines-reason", "up-to-date"]);
  });
  it("a visible upgrade without a file beside a hidden one with a pending file: no-signed, as if the hidden one did not exist", async () => {
    const visible: Rel = { version: "1.1.0" };
    const hidden: Rel = { version: "1.2.0", linux: "WAITING", entitlements: ["PRO"] };
    const withHidden = await observed(await check(dataset([visible, hidden]), "lic-app", LINUX, "PLAIN-KEY"));
    expect(withHidden).toEqual(await observed(await check(dataset([visible]), "lic-app", LINUX, "PLAIN-KEY")));
    expect(withHidden.headers).toContainEqual(["release-engines-reason", "no-signed-artifact-for-platform"]);
  });
});
