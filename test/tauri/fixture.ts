/**
 * The Tauri dataset: Keygen's upgrade.feature vectors (§3.4) plus the SPEC's differences (10–14a).
 */
import type { DatasetFile } from "../../src/dataset/schema.js";

export const ACCOUNT = "10000000-0000-4000-8000-000000000001";

const uuid = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** Release ids by `<package>@<version>`. */
export const REL = {
  "app1@1.0.0": uuid(101), "app1@1.1.0": uuid(102), "app1@1.2.0-beta.1": uuid(103),
  "app2@1.0.0-beta.1": uuid(111), "app2@1.0.1-beta.1": uuid(112), "app2@2.0.0-beta.1": uuid(113),
  "app3@1.0.0+build.7": uuid(121), "app3@1.0.1": uuid(122),
  "app4@1.0.0": uuid(131), "app4@1.0.0+1": uuid(132),
  "app5@1.0.0": uuid(141), "app5@1.1.0": uuid(142), "app5@1.2.0": uuid(143), "app5@1.3.0": uuid(144), "app5@1.4.0": uuid(145), "app5@1.5.0": uuid(146),
  "licapp@1.0.0": uuid(151), "licapp@1.1.0": uuid(152), "licapp2@2.0.0": uuid(153), "licapp2@2.1.0": uuid(154),
  "closedapp@1.0.0": uuid(161), "closedapp@1.1.0": uuid(162),
  "none@5.0.0": uuid(171), "none@5.1.0": uuid(172), "none@6.0.0": uuid(173),
} as const;

/** Artifact ids the tests name. */
export const ART = {
  app1Linux110: uuid(1001), app1MacTgz110: uuid(1002), app1Linux120b: uuid(1003), app2Exe200: uuid(1004), app2Exe101: uuid(1005),
  app5Linux120: uuid(1006), app5Mac110: uuid(1007), app3Linux101: uuid(1008), licLinux110: uuid(1009),
} as const;

export const TOKENS = {
  admin: "admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaav3",
  suspended: "activ-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbv3",
} as const;

const sig = (name: string) => btoa(`untrusted comment: signature from tauri secret key\n${name}\n`);

/** The dataset; every release PUBLISHED unless said otherwise. */
export function tauriDataset(): DatasetFile {
  const rel = (name: keyof typeof REL, extra: Record<string, unknown>, product = "app") => {
    const [pkg, version] = name.split("@") as [string, string];
    return { id: REL[name], product, package: pkg === "none" ? null : pkg, version, status: "PUBLISHED" as const, ...extra };
  };
  const art = (release: keyof typeof REL, filename: string, platform: string | null, arch: string | null, created: string, extra: Record<string, unknown> = {}) => ({
    release: REL[release], filename, platform, arch, created, filesize: 10, checksum: "a".repeat(64), status: "UPLOADED" as const, signature: sig(filename + created), ...extra,
  });
  return {
    accounts: [{
      id: ACCOUNT, slug: "test1", name: "Test 1", secretKey: "test1-secret-key-0123456789abcdef",
      products: [
        { code: "app", name: "App", distributionStrategy: "OPEN" },
        { code: "lic", name: "Licensed", distributionStrategy: "LICENSED" },
        { code: "closed", name: "Closed", distributionStrategy: "CLOSED" },
      ],
      packages: [
        { product: "app", key: "app1", name: "App 1", engine: "tauri" },
        { product: "app", key: "app2", name: "App 2", engine: "tauri" },
        { product: "app", key: "app3", name: "App 3", engine: "tauri" },
        { product: "app", key: "app4", name: "App 4", engine: "tauri" },
        { product: "app", key: "app5", name: "App 5", engine: "tauri" },
        { product: "app", key: "pyapp", name: "Py", engine: "pypi" },
        { product: "app", key: "plain", name: "Plain", engine: null },
        { product: "lic", key: "licapp", name: "Licensed app", engine: "tauri" },
        { product: "lic", key: "licapp2", name: "Licensed app 2", engine: "tauri" },
        { product: "closed", key: "closedapp", name: "Closed app", engine: "tauri" },
      ],
      entitlements: [{ code: "PRO" }],
      releases: [
        // Keygen §3.4, package app1.
        rel("app1@1.0.0", { description: "foo", created: "2023-08-01T00:00:00Z" }),
        rel("app1@1.1.0", { description: "bar", created: "2023-08-15T00:00:00Z", backdated: "2023-01-01T00:00:00Z" }),
        rel("app1@1.2.0-beta.1", { created: "2023-09-01T00:00:00Z" }),
        // Keygen §3.4, package app2 (beta channel).
        rel("app2@1.0.0-beta.1", { created: "2023-08-01T00:00:00Z" }),
        rel("app2@1.0.1-beta.1", { created: "2023-08-02T00:00:00Z" }),
        rel("app2@2.0.0-beta.1", { created: "2023-08-03T00:00:00Z" }),
        // SPEC 11 and 13: build metadata.
        rel("app3@1.0.0+build.7", { created: "2024-01-01T00:00:00Z" }),
        rel("app3@1.0.1", { created: "2024-01-02T00:00:00Z" }),
        rel("app4@1.0.0", { created: "2024-01-01T00:00:00Z" }),
        rel("app4@1.0.0+1", { created: "2024-01-02T00:00:00Z" }),
        // SPEC 10 and 10a: the newest upgrade that has a signed artifact for the platform.
        rel("app5@1.0.0", { created: "2024-02-01T00:00:00Z" }),
        rel("app5@1.1.0", { created: "2024-02-02T00:00:00Z" }),
        rel("app5@1.2.0", { created: "2024-02-03T00:00:00Z" }),
        rel("app5@1.3.0", { created: "2024-02-04T00:00:00Z" }),
        rel("app5@1.4.0", { created: "2024-02-05T00:00:00Z", status: "DRAFT" }),
        rel("app5@1.5.0", { created: "2024-02-06T00:00:00Z", status: "YANKED" }),
        // Licensed product: an entitlement on the upgrade (licapp) and on the current release (licapp2).
        rel("licapp@1.0.0", { created: "2024-03-01T00:00:00Z" }, "lic"),
        rel("licapp@1.1.0", { created: "2024-03-02T00:00:00Z", entitlements: ["PRO"] }, "lic"),
        rel("licapp2@2.0.0", { created: "2024-03-01T00:00:00Z", entitlements: ["PRO"] }, "lic"),
        rel("licapp2@2.1.0", { created: "2024-03-02T00:00:00Z" }, "lic"),
        rel("closedapp@1.0.0", { created: "2024-03-01T00:00:00Z" }, "closed"),
        rel("closedapp@1.1.0", { created: "2024-03-02T00:00:00Z" }, "closed"),
        // Package-less releases of the OPEN product (the upgrade endpoint's `?package=`).
        rel("none@5.0.0", { created: "2024-04-01T00:00:00Z", tag: "five" }),
        rel("none@5.1.0", { created: "2024-04-02T00:00:00Z" }),
        rel("none@6.0.0", { created: "2024-04-03T00:00:00Z", entitlements: ["PRO"] }),
      ],
      artifacts: [
        art("app1@1.0.0", "myapp.AppImage", "linux", "x86_64", "2023-08-01T00:00:00Z"),
        art("app1@1.1.0", "myapp.AppImage", "linux", "x86_64", "2023-08-15T00:00:00Z", { id: ART.app1Linux110 }),
        art("app1@1.1.0", "myapp.app", "darwin", "x86_64", "2023-08-16T00:00:00Z", { filetype: "app" }),
        art("app1@1.1.0", "myapp.app.tar.gz", "darwin", "x86_64", "2023-08-15T00:00:00Z", { id: ART.app1MacTgz110 }),
        art("app1@1.1.0", "myapp.app.tar.gz.sig", "darwin", "x86_64", "2023-08-17T00:00:00Z"),
        art("app1@1.2.0-beta.1", "myapp.AppImage", "linux", "x86_64", "2023-09-01T00:00:00Z", { id: ART.app1Linux120b }),
        art("app2@2.0.0-beta.1", "myapp-setup.exe", "windows", "i686", "2023-08-03T00:00:00Z", { id: ART.app2Exe200 }),
        art("app2@2.0.0-beta.1", "myapp.msi", "windows", "i686", "2023-08-04T00:00:00Z"),
        art("app2@1.0.1-beta.1", "myapp-setup.exe", "windows", "i686", "2023-08-02T00:00:00Z", { id: ART.app2Exe101 }),
        art("app3@1.0.1", "app3.AppImage", "linux", "x86_64", "2024-01-02T00:00:00Z", { id: ART.app3Linux101 }),
        art("app4@1.0.0+1", "app4.AppImage", "linux", "x86_64", "2024-01-02T00:00:00Z"),
        art("app5@1.1.0", "app5.AppImage", "linux", "x86_64", "2024-02-02T00:00:00Z"),
        art("app5@1.1.0", "app5.app.tar.gz", "darwin", "aarch64", "2024-02-02T00:00:00Z", { id: ART.app5Mac110 }),
        art("app5@1.2.0", "app5.AppImage", "linux", "x86_64", "2024-02-03T00:00:00Z", { id: ART.app5Linux120 }),
        art("app5@1.2.0", "app5.app.tar.gz", "darwin", "aarch64", "2024-02-03T00:00:00Z", { signature: null }),
        art("app5@1.4.0", "app5.AppImage", "linux", "x86_64", "2024-02-05T00:00:00Z"),
        art("app5@1.5.0", "app5.AppImage", "linux", "x86_64", "2024-02-06T00:00:00Z"),
        art("licapp@1.1.0", "lic.AppImage", "linux", "x86_64", "2024-03-02T00:00:00Z", { id: ART.licLinux110 }),
        art("licapp2@2.1.0", "lic2.AppImage", "linux", "x86_64", "2024-03-02T00:00:00Z"),
        art("closedapp@1.1.0", "closed.AppImage", "linux", "x86_64", "2024-03-02T00:00:00Z"),
      ],
      policies: [{ id: "10000000-0000-4000-8000-000000002001", product: "lic", name: "Std", authenticationStrategy: "MIXED", expirationStrategy: "RESTRICT_ACCESS" }],
      users: [{ id: "10000000-0000-4000-8000-000000004001", email: "admin@test", role: "admin" }],
      licenses: [
        { id: "10000000-0000-4000-8000-000000003001", policy: "10000000-0000-4000-8000-000000002001", key: "LIC-KEY" },
        { id: "10000000-0000-4000-8000-000000003002", policy: "10000000-0000-4000-8000-000000002001", key: "LIC-PRO", entitlements: ["PRO"] },
        { id: "10000000-0000-4000-8000-000000003003", policy: "10000000-0000-4000-8000-000000002001", key: "LIC-SUSP", suspended: true },
      ],
      tokens: [
        { bearer: { type: "user", id: "10000000-0000-4000-8000-000000004001" }, token: TOKENS.admin },
        { bearer: { type: "license", id: "10000000-0000-4000-8000-000000003003" }, token: TOKENS.suspended },
      ],
    }],
  };
}
