/**
 * @module engines/tauri/artifact — which artifact of a release a Tauri updater gets.
 */
import type { Artifact } from "../../model/records.js";

/** Installer kinds newer Tauri v2 clients name in `{os}-{arch}-{bundle}` keys. */
export type TauriBundle = "appimage" | "deb" | "rpm" | "app" | "msi" | "nsis";

/** The installer kind a bundle file is, from its name; null when it is none Tauri installs. */
export function bundleTypeOf(filename: string): TauriBundle | null {
  const name = filename.toLowerCase();
  if (/\.appimage(\.tar\.gz)?$/.test(name)) return "appimage";
  if (name.endsWith(".deb")) return "deb";
  if (name.endsWith(".rpm")) return "rpm";
  if (name.endsWith(".app.tar.gz")) return "app";
  if (/\.msi(\.zip)?$/.test(name)) return "msi";
  if (/(\.nsis\.zip|\.exe)$/.test(name)) return "nsis";
  return null;
}

/**
 * True when an artifact may answer an updater: it has a platform, an arch and a filetype, is not a
 * `.sig` file, and carries a signature (the updater rejects unsigned updates).
 */
export function isTauriEligible(artifact: Artifact): boolean {
  return artifact.platform !== null && artifact.arch !== null && artifact.filetype !== null &&
    artifact.filetype !== "sig" && artifact.signature !== null && artifact.signature !== "";
}

/** Keygen's priority as a sortable tuple: `.zip`/`.gz` first, then `.nsis.zip`, then `.exe` (lower wins). */
function rank(filename: string): [number, number, number] {
  const name = filename.toLowerCase();
  return [name.endsWith(".zip") || name.endsWith(".gz") ? 0 : 1, name.endsWith(".nsis.zip") ? 0 : 1, name.endsWith(".exe") ? 0 : 1];
}

/** Order artifacts by Keygen's priority, then newest created, then id (descending), so every store agrees. */
export function compareTauriArtifacts(a: Artifact, b: Artifact): number {
  const ra = rank(a.filename);
  const rb = rank(b.filename);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The artifact an updater on `platform`/`arch` gets among a release's artifacts; null when none is eligible. */
export function pickTauriArtifact(artifacts: readonly Artifact[], platform: string, arch: string): Artifact | null {
  const eligible = artifacts.filter((a) => isTauriEligible(a) && a.platform === platform && a.arch === arch);
  eligible.sort(compareTauriArtifacts);
  return eligible[0] ?? null;
}
