/**
 * A tiny harness for resolver tests: a package of given versions in the run's test store (memory,
 * or SQL per `RE_TEST_STORE`), so the store's findUpgrade is what these tests exercise.
 */
import { loadDataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { parseConstraint, resolveUpgrade, type UpgradeRequest } from "../../src/engines/upgrade.js";
import { ADMIN_SCOPE, type Scope } from "../../src/access/scope.js";
import { closeStore, makeStore } from "../helpers/store.js";

/** A release of the test package: a version, or a version with status and entitlements. */
export type VersionSpec = string | { version: string; status?: "DRAFT" | "PUBLISHED" | "YANKED"; entitlements?: string[]; created?: string };

/**
 * Resolve the upgrade of `current` among `versions` (all in one OPEN product's package) and return
 * its version, or null.
 */
export async function upgradeOf(
  versions: readonly VersionSpec[],
  current: string,
  options: { channel?: string; constraint?: string; scope?: Scope } = {},
): Promise<string | null> {
  const file: DatasetFile = {
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789",
      products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }],
      packages: [{ product: "app", key: "pkg", name: "Pkg", engine: "tauri" }],
      entitlements: [{ code: "PRO" }],
      releases: versions.map((v, i) => {
        const spec = typeof v === "string" ? { version: v } : v;
        return {
          product: "app", package: "pkg", version: spec.version, status: spec.status ?? "PUBLISHED",
          entitlements: spec.entitlements ?? [], created: spec.created ?? new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
        };
      }),
    }],
  };
  const dataset = await loadDataset(file);
  const currentRelease = dataset.releases.find((r) => r.version === current);
  if (currentRelease === undefined) throw new Error(`no release ${current}`);
  const request: UpgradeRequest = { current: currentRelease };
  if (options.channel !== undefined) request.channel = options.channel;
  if (options.constraint !== undefined) request.range = parseConstraint(options.constraint);
  const accountId = (dataset.accounts[0] as { id: string }).id;
  const store = await makeStore(dataset);
  try {
    const found = await resolveUpgrade({ store, accountId, scope: options.scope ?? ADMIN_SCOPE }, request);
    return found?.version ?? null;
  } finally {
    await closeStore(store);
  }
}
