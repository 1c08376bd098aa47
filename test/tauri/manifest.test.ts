/**
 * The static latest.json generator (SPEC 15; clients.md "Behaviours to test / Tauri" 9 and 11).
 */
import { describe, expect, it } from "vitest";
import { tauriManifest } from "../../src/engines/tauri/manifest.js";
import type { Artifact, Release } from "../../src/model/records.js";

const release: Release = {
  id: "30000000-0000-4000-8000-000000000001", accountId: "30000000-0000-4000-8000-000000000000", productId: "30000000-0000-4000-8000-000000000002",
  packageId: null, version: "1.2.0", versionKey: "", channel: "stable", status: "PUBLISHED", tag: null, name: null, description: "Fixes",
  entitlements: [], metadata: {}, created: "2024-05-01T10:00:00Z", updated: "2024-05-01T10:00:00Z", backdated: null, yanked: null,
};
let n = 0;
const sig = (s: string) => btoa(`untrusted comment: ${s}\nRUxyz\n`);
function art(filename: string, platform: string | null, arch: string | null, extra: Partial<Artifact> = {}): Artifact {
  n += 1;
  return {
    id: `30000000-0000-4000-8000-${String(100 + n).padStart(12, "0")}`, accountId: release.accountId, releaseId: release.id, filename,
    filetype: /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? null, platform, arch, filesize: 1, checksum: null, signature: sig(filename),
    status: "UPLOADED", metadata: {}, created: "2024-05-01T10:00:00.000Z", updated: "2024-05-01T10:00:00.000Z", blob: null, ...extra,
  };
}
const urlFor = (a: Artifact) => `https://dl.example.test/v1/accounts/acme/artifacts/${a.id}/${encodeURIComponent(a.filename)}`;

describe("tauriManifest", () => {
  const artifacts = [
    art("App.AppImage", "linux", "x86_64"),
    art("App.AppImage.tar.gz", "linux", "x86_64"),
    art("App.AppImage.tar.gz.sig", "linux", "x86_64"),
    art("app_1.2.0_amd64.deb", "linux", "x86_64"),
    art("app-1.2.0.aarch64.rpm", "linux", "aarch64"),
    art("App.app.tar.gz", "darwin", "aarch64"),
    art("App_x64-setup.exe", "windows", "x86_64"),
    art("App_x64.msi", "windows", "x86_64"),
    art("App_x64.msi.zip", "windows", "x86_64"),
    art("unsigned.app.tar.gz", "darwin", "x86_64", { signature: null }),
    art("wrapped.app.tar.gz", "darwin", "x86_64", { signature: `${sig("a")}\n${sig("b")}` }),
    art("raw-minisign.app.tar.gz", "darwin", "x86_64", { signature: "untrusted comment: minisign\nRUxyz" }),
    art("noplatform.AppImage", null, "x86_64"),
  ];
  const m = tauriManifest({ release, artifacts, urlFor });

  it("carries the release's version, notes and RFC 3339 pub_date", () => {
    expect(m.version).toBe("1.2.0");
    expect(m.notes).toBe("Fixes");
    expect(m.pub_date).toBe("2024-05-01T10:00:00.000Z");
    expect(tauriManifest({ release: { ...release, description: null }, artifacts, urlFor })).not.toHaveProperty("notes");
  });
  it("has a generic {os}-{arch} key per shipped platform, chosen by the dynamic engine's priority", () => {
    const byKey = (key: string) => artifacts.find((a) => urlFor(a) === m.platforms[key]?.url)?.filename;
    expect(byKey("linux-x86_64")).toBe("App.AppImage.tar.gz");
    expect(byKey("darwin-aarch64")).toBe("App.app.tar.gz");
    expect(byKey("windows-x86_64")).toBe("App_x64.msi.zip");
  });
  it("adds {os}-{arch}-{bundle} keys; .deb and .rpm only under their own key", () => {
    const byKey = (key: string) => artifacts.find((a) => urlFor(a) === m.platforms[key]?.url)?.filename;
    expect(byKey("linux-x86_64-appimage")).toBe("App.AppImage.tar.gz");
    expect(byKey("linux-x86_64-deb")).toBe("app_1.2.0_amd64.deb");
    expect(byKey("linux-aarch64-rpm")).toBe("app-1.2.0.aarch64.rpm");
    expect(m.platforms).not.toHaveProperty("linux-aarch64");
    expect(byKey("darwin-aarch64-app")).toBe("App.app.tar.gz");
    expect(byKey("windows-x86_64-nsis")).toBe("App_x64-setup.exe");
    expect(byKey("windows-x86_64-msi")).toBe("App_x64.msi.zip");
  });
  it("never has a malformed entry: unsigned, badly encoded or platform-less artifacts are left out", () => {
    expect(m.platforms).not.toHaveProperty("darwin-x86_64");
    expect(m.platforms).not.toHaveProperty("darwin-x86_64-app");
    for (const [key, entry] of Object.entries(m.platforms)) {
      expect(key).toMatch(/^[a-z0-9_]+-[a-z0-9_]+(-(appimage|deb|rpm|app|msi|nsis))?$/);
      expect(Object.keys(entry).sort()).toEqual(["signature", "url"]);
      expect(new URL(entry.url).protocol).toBe("https:");
      expect(entry.signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    }
  });
  it("drops entries whose URL is not absolute", () => {
    const relative = tauriManifest({ release, artifacts, urlFor: (a) => `/artifacts/${a.id}` });
    expect(relative.platforms).toEqual({});
  });
});
