/**
 * Artifact choice among a release's files (keygen-engines.md 36–38, SPEC 10) and bundle kinds.
 */
import { describe, expect, it } from "vitest";
import type { Artifact } from "../../src/model/records.js";
import { bundleTypeOf, isTauriEligible, pickTauriArtifact } from "../../src/engines/tauri/artifact.js";

let n = 0;
function artifact(filename: string, extra: Partial<Artifact> = {}): Artifact {
  n += 1;
  const ext = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? null;
  return {
    id: `20000000-0000-4000-8000-${String(n).padStart(12, "0")}`, accountId: "20000000-0000-4000-8000-000000000000",
    releaseId: "20000000-0000-4000-8000-000000000001", filename, filetype: ext, platform: "windows", arch: "x86_64",
    filesize: 1, checksum: null, signature: `sig:${filename}`, status: "UPLOADED", metadata: {},
    created: "2024-01-01T00:00:00.000Z", updated: "2024-01-01T00:00:00.000Z", blob: null, ...extra,
  };
}
const pick = (list: Artifact[], platform = "windows", arch = "x86_64") => pickTauriArtifact(list, platform, arch)?.filename ?? null;

describe("pickTauriArtifact", () => {
  it("prefers .tar.gz over the bare bundle and never picks a .sig (36)", () => {
    const list = ["x.app", "x.app.tar.gz", "x.app.tar.gz.sig"].map((f) => artifact(f, { platform: "darwin", arch: "aarch64" }));
    expect(pick(list, "darwin", "aarch64")).toBe("x.app.tar.gz");
    expect(pick([artifact("x.AppImage", { platform: "linux" }), artifact("x.AppImage.tar.gz", { platform: "linux" })], "linux")).toBe("x.AppImage.tar.gz");
  });
  it(".nsis.zip beats .msi.zip, .exe and .msi; .exe beats .msi (37)", () => {
    expect(pick(["setup.exe", "x.msi.zip", "setup.nsis.zip", "x.msi", "setup.nsis.zip.sig"].map((f) => artifact(f)))).toBe("setup.nsis.zip");
    expect(pick([artifact("x.msi"), artifact("setup.exe")])).toBe("setup.exe");
    expect(pick([artifact("x.MSI.ZIP"), artifact("setup.exe")])).toBe("x.MSI.ZIP");
  });
  it("ties go to the newest created (37)", () => {
    const older = artifact("a.msi", { created: "2024-01-01T00:00:00.000Z" });
    const newer = artifact("b.msi", { created: "2024-02-01T00:00:00.000Z" });
    expect(pick([older, newer])).toBe("b.msi");
    expect(pick([newer, older])).toBe("b.msi");
  });
  it("never picks an artifact without platform, arch, filetype or signature, or of another platform (38, SPEC 10)", () => {
    expect(pick([artifact("a.zip", { platform: null })])).toBeNull();
    expect(pick([artifact("a.zip", { arch: null })])).toBeNull();
    expect(pick([artifact("a", { filetype: null })])).toBeNull();
    expect(pick([artifact("a.zip", { signature: null })])).toBeNull();
    expect(pick([artifact("a.zip", { signature: "" })])).toBeNull();
    expect(pick([artifact("a.zip", { platform: "linux" })])).toBeNull();
    expect(pick([artifact("a.zip", { arch: "i686" }), artifact("b.exe")])).toBe("b.exe");
    expect(isTauriEligible(artifact("a.sig"))).toBe(false);
  });
});

describe("bundleTypeOf", () => {
  it.each([
    ["My App.AppImage", "appimage"], ["my.AppImage.tar.gz", "appimage"], ["my_1.0_amd64.deb", "deb"], ["my-1.0.x86_64.rpm", "rpm"],
    ["My.app.tar.gz", "app"], ["my_1.0_x64_en-US.msi", "msi"], ["my.msi.zip", "msi"], ["my_1.0_x64-setup.exe", "nsis"],
    ["my-setup.nsis.zip", "nsis"], ["my.tar.gz", null], ["my.dmg", null], ["my.app.tar.gz.sig", null],
  ])("%s is %s", (filename, kind) => {
    expect(bundleTypeOf(filename)).toBe(kind);
  });
});
