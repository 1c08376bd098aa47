import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import { createPostgresStore } from "../../src/postgres.js";
import { createSqliteStore, importDataset, type SqlStore } from "../../src/sqlite.js";
import { ADMIN_SCOPE, ANONYMOUS_SCOPE } from "../../src/access/scope.js";
import { IDS, conformanceDataset, conformanceDatasetFile } from "../../src/testing.js";
import { keyPrefix, parseStrict } from "../../src/core/version.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

const dir = mkdtempSync(join(tmpdir(), "re-extras-"));
let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(() => {
  cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  name: string;
  open(): Promise<{ store: SqlStore; exec(text: string): Promise<void> }>;
}
let n = 0;
const backends: Backend[] = [
  {
    name: "sqlite",
    async open() {
      const file = join(dir, `extras-${n++}.sqlite`);
      const store = createSqliteStore({ filename: file });
      await store.migrate();
      return { store, exec: async (text) => { const db = new Database(file); db.pragma("foreign_keys = ON"); try { db.exec(text); } finally { db.close(); } } };
    },
  },
  {
    name: "postgres",
    async open() {
      const name = `extras_${n++}`;
      const store = createPostgresStore({ connectionString: await cluster.createDatabase(name) });
      await store.migrate();
      return { store, exec: async (text) => void (await cluster.query(name, text)) };
    },
  },
];

for (const backend of backends) {
  describe(`SQL store extras: ${backend.name}`, () => {
    it("bumps a package's revision for every change, direct SQL included, and no other package's", async () => {
      const { store, exec } = await backend.open();
      const summary = await importDataset(store, await conformanceDataset());
      expect(summary.written).toBeGreaterThan(50);
      const rev = () => store.getPackageRevision(IDS.account, IDS.pkgPypi);
      const other = await store.getPackageRevision(IDS.account, IDS.pkgTauri);
      const account = await store.getAccountRevision(IDS.account);
      let last = await rev();
      const changes = [
        `UPDATE releases SET status = 'YANKED' WHERE id = '${IDS.relPypi110}'`,
        `UPDATE artifacts SET status = 'FAILED' WHERE id = '${IDS.artWhl100}'`,
        `DELETE FROM artifacts WHERE id = '${IDS.artWhlWaiting}'`,
        `UPDATE packages SET name = 'Renamed' WHERE id = '${IDS.pkgPypi}'`,
        `UPDATE products SET distribution_strategy = 'OPEN' WHERE id = '${IDS.productLicensed}'`,
      ];
      for (const change of changes) {
        await exec(change);
        // A change by hand reaches a store's kept reads when it is announced (PostgreSQL) or checked: within 100 ms.
        const t0 = Date.now();
        let now = await rev();
        while (now === last && Date.now() - t0 < 100) {
          await new Promise((r) => setTimeout(r, 2));
          now = await rev();
        }
        expect(now, change).not.toBe(last);
        last = now;
      }
      expect(await store.getPackageRevision(IDS.account, IDS.pkgTauri)).toBe(other);
      expect(await store.getAccountRevision(IDS.account)).not.toBe(account);
      // The direct changes are visible to queries at once.
      expect((await store.getRelease(IDS.account, IDS.relPypi110))?.status).toBe("YANKED");
      expect((await store.listPackages(IDS.account, "pypi", ANONYMOUS_SCOPE)).map((p) => p.id)).toContain(IDS.pkgPypi);
      await store.close();
    });

    it("importing twice writes nothing the second time, and revisions stay put", async () => {
      const { store } = await backend.open();
      const dataset = await conformanceDataset();
      await importDataset(store, dataset);
      const rev = await store.getPackageRevision(IDS.account, IDS.pkgPypi);
      const account = await store.getAccountRevision(IDS.account);
      expect(await importDataset(store, dataset)).toMatchObject({ accounts: 2, written: 0, deleted: 0, plan: {}, dryRun: false });
      expect(await store.getPackageRevision(IDS.account, IDS.pkgPypi)).toBe(rev);
      expect(await store.getAccountRevision(IDS.account)).toBe(account);
      await store.close();
    });

    it("merges by default: records the file lacks stay; a dry run plans and changes nothing", async () => {
      const { store } = await backend.open();
      await importDataset(store, await conformanceDataset());
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as (typeof file.accounts)[number];
      acme.releases = (acme.releases ?? []).filter((r) => r.id !== IDS.relPypiDraft);
      acme.artifacts = (acme.artifacts ?? []).filter((a) => a.id !== IDS.artWhlDraft);
      acme.releases.push({ product: "cli", version: "60.0.0", status: "PUBLISHED" });
      const smaller = await loadDataset(file);
      const before = await store.getPackageRevision(IDS.account, IDS.pkgPypi);
      const planned = await importDataset(store, smaller, { prune: true, dryRun: true });
      expect(planned).toMatchObject({ dryRun: true, deleted: 2, written: 1, plan: { releases: { add: 1, change: 0, delete: 1 }, artifacts: { add: 0, change: 0, delete: 1 } } });
      expect(await store.getRelease(IDS.account, IDS.relPypiDraft)).not.toBeNull();
      expect(await store.getReleaseByVersion(IDS.account, IDS.productLicensed, null, "60.0.0", ADMIN_SCOPE)).toBeNull();
      expect(await store.getPackageRevision(IDS.account, IDS.pkgPypi)).toBe(before);
      const merged = await importDataset(store, smaller);
      expect(merged).toMatchObject({ dryRun: false, deleted: 0, written: 1, plan: { releases: { add: 1, change: 0, delete: 0 } } });
      expect(await store.getRelease(IDS.account, IDS.relPypiDraft)).not.toBeNull();
      expect((await store.getReleaseByVersion(IDS.account, IDS.productLicensed, null, "60.0.0", ADMIN_SCOPE))?.status).toBe("PUBLISHED");
      await store.close();
    });

    it("with prune, mirrors the file: records it no longer has are deleted, only in its accounts, and revisions move", async () => {
      const { store } = await backend.open();
      await importDataset(store, await conformanceDataset());
      const before = await store.getPackageRevision(IDS.account, IDS.pkgPypi);
      const other = await store.getPackageRevision(IDS.account, IDS.pkgTauri);
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as (typeof file.accounts)[number];
      acme.releases = (acme.releases ?? []).filter((r) => r.id !== IDS.relPypiDraft);
      acme.artifacts = (acme.artifacts ?? []).filter((a) => a.id !== IDS.artWhlDraft);
      const summary = await importDataset(store, await loadDataset(file), { prune: true });
      expect(summary).toMatchObject({ accounts: 2, written: 0, deleted: 2, plan: { releases: { add: 0, change: 0, delete: 1 }, artifacts: { add: 0, change: 0, delete: 1 } } });
      expect(await store.getRelease(IDS.account, IDS.relPypiDraft)).toBeNull();
      expect(await store.getRelease(IDS.account, IDS.relPypi110)).not.toBeNull();
      expect(await store.getPackageRevision(IDS.account, IDS.pkgPypi)).not.toBe(before);
      expect(await store.getPackageRevision(IDS.account, IDS.pkgTauri)).toBe(other);
      // The other account's file omitted: its records stay.
      const second = conformanceDatasetFile();
      second.accounts = [second.accounts[1]] as typeof second.accounts;
      expect((await importDataset(store, await loadDataset(second), { prune: true })).deleted).toBe(0);
      expect(await store.getRelease(IDS.account, IDS.relPypi110)).not.toBeNull();
      await store.close();
    });

    it("imports more rows than one statement carries, and re-imports them writing nothing", async () => {
      const { store } = await backend.open();
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as (typeof file.accounts)[number];
      const extra = 10_050;
      for (let i = 0; i < extra; i++) acme.releases?.push({ product: "cli", version: `50.${Math.floor(i / 100)}.${i % 100}`, status: "PUBLISHED" });
      const dataset = await loadDataset(file);
      const first = await importDataset(store, dataset);
      expect(first.written).toBeGreaterThan(extra);
      expect((await store.getReleaseByVersion(IDS.account, IDS.productLicensed, null, "50.100.49", ADMIN_SCOPE))?.status).toBe("PUBLISHED");
      expect(await importDataset(store, dataset)).toMatchObject({ accounts: 2, written: 0, deleted: 0, plan: {}, dryRun: false });
      acme.releases = (acme.releases ?? []).filter((r) => !r.version.startsWith("50."));
      expect(await importDataset(store, await loadDataset(file), { prune: true })).toMatchObject({ accounts: 2, written: 0, deleted: extra });
      await store.close();
    }, 60_000);

    it("rolls a failing import back entirely", async () => {
      const { store } = await backend.open();
      await importDataset(store, await conformanceDataset());
      const before = await store.getPackageRevision(IDS.account, IDS.pkgPypi);
      // Valid on its own, but its account takes a slug another account already has in the database.
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as (typeof file.accounts)[number];
      acme.releases = (acme.releases ?? []).filter((r) => r.id !== IDS.relPypiDraft);
      acme.artifacts = (acme.artifacts ?? []).filter((a) => a.id !== IDS.artWhlDraft);
      file.accounts.push({ id: "00000000-0000-4000-8000-0000000000aa", slug: "other", name: "Clash", secretKey: "clash-secret-key-0123456789" });
      file.accounts = [file.accounts[0], file.accounts[2]] as typeof file.accounts;
      await expect(importDataset(store, await loadDataset(file))).rejects.toThrow();
      expect((await store.getRelease(IDS.account, IDS.relPypiDraft))?.version).toBe("3.0.0");
      expect(await store.getPackageRevision(IDS.account, IDS.pkgPypi)).toBe(before);
      expect(await store.getAccount("00000000-0000-4000-8000-0000000000aa")).toBeNull();
      await store.close();
    });

    it("migrates a version 1 database to version 2, filling the build columns from stored versions", async () => {
      const { store, exec } = await backend.open();
      await importDataset(store, await conformanceDataset());
      await store.close();
      // Turn it back into what schema version 1 left: no build columns, version 1 recorded.
      await exec("ALTER TABLE releases DROP COLUMN build_word");
      await exec("ALTER TABLE releases DROP COLUMN build_num");
      await exec("DELETE FROM schema_migrations WHERE version >= 2");
      const reopened = backend.name === "sqlite"
        ? createSqliteStore({ filename: join(dir, `extras-${n - 1}.sqlite`) })
        : createPostgresStore({ connectionString: cluster.url(`extras_${n - 1}`) });
      const range = { minKey: keyPrefix(2), maxKey: keyPrefix(3), buildWord: "build", buildNum: 7 };
      const q = { accountId: IDS.account, productId: IDS.productLicensed, packageId: IDS.pkgPypi, afterKey: parseStrict("1.0.0")?.key as string, channels: ["stable"] as const, scope: ADMIN_SCOPE };
      expect((await reopened.findUpgrade({ ...q, range }))?.id).toBe(IDS.relPypi200build);
      expect(await reopened.findUpgrade({ ...q, range: { ...range, buildNum: 8 } })).toBeNull();
      // Re-importing the file after the backfill writes nothing: the backfill wrote what an import writes.
      expect((await importDataset(reopened, await conformanceDataset())).written).toBe(0);
      await reopened.close();
    });

    it("records its schema version and refuses a newer one", async () => {
      const { store, exec } = await backend.open();
      await exec("INSERT INTO schema_migrations (version, applied) VALUES (99, 'future')");
      await store.close();
      const reopened = backend.name === "sqlite"
        ? createSqliteStore({ filename: join(dir, `extras-${n - 1}.sqlite`) })
        : createPostgresStore({ connectionString: cluster.url(`extras_${n - 1}`) });
      await expect(reopened.getAccount("acme")).rejects.toThrow(/schema is version 99/);
      await reopened.close();
    });
  });
}

describe("SQLite query plans", () => {
  it("answers every store query through an index, never a scan of a record table", async () => {
    const file = join(dir, "plans.sqlite");
    const store = createSqliteStore({ filename: file });
    await importDataset(store, await conformanceDataset());
    const spy = vi.spyOn(Database.prototype, "prepare");
    const key = (v: string) => parseStrict(v)?.key as string;
    const A = IDS.account;
    const OWN_ONLY = { all: false, products: [IDS.productLicensed], grants: [], licensedProducts: [], ownOnly: true };
    const WINDOWED = { ...ANONYMOUS_SCOPE, grants: [{ productId: IDS.productLicensed, entitlements: ["PRO"], cutoff: "2026-02-01T00:00:00Z", window: "either" as const }] };
    await store.getAccount("acme");
    await store.getProduct(A, "cli");
    await store.getProducts(A, [IDS.productOpen]);
    await store.getPackage(A, "acme-tools", "pypi");
    await store.listPackages(A, "pypi", ANONYMOUS_SCOPE);
    await store.listEngines(A, ANONYMOUS_SCOPE, { order: "asc", limit: 5, after: IDS.engineUnused });
    await store.countEngines(A, ANONYMOUS_SCOPE);
    await store.getEngine(A, "pypi", ANONYMOUS_SCOPE);
    await store.getRelease(A, IDS.relPypi100);
    await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "1.0.0", ADMIN_SCOPE);
    await store.findRelease(A, "latest", ANONYMOUS_SCOPE, { productId: IDS.productLicensed });
    await store.findUpgrade({ accountId: A, productId: IDS.productOpen, packageId: IDS.pkgTauri, afterKey: key("1.0.0"), channels: ["stable", "beta"], scope: ANONYMOUS_SCOPE, range: { minKey: keyPrefix(1), maxKey: keyPrefix(2) }, artifact: { platform: "linux", arch: "x86_64" } });
    await store.findUpgrade({ accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi, afterKey: key("1.0.0"), channels: ["stable"], scope: WINDOWED, range: { minKey: keyPrefix(2), maxKey: keyPrefix(3), buildWord: "build", buildNum: 7 } });
    await store.listPackages(A, "pypi", OWN_ONLY);
    await store.listEngines(A, OWN_ONLY, { order: "asc", limit: 5 });
    await store.findArtifact(A, "app.AppImage", OWN_ONLY);
    await store.getReleaseByVersion(A, IDS.productLicensed, IDS.pkgPypi, "1.0.0", WINDOWED);
    await store.getArtifact(A, IDS.artWhl100);
    await store.listReleaseArtifacts(A, IDS.relTauri120, ANONYMOUS_SCOPE, { platform: "linux", arch: "x86_64" });
    await store.listPackageArtifacts(A, IDS.pkgPypi, ANONYMOUS_SCOPE);
    await store.findRawArtifact({ accountId: A, productId: IDS.productLicensed, packageId: null, release: "latest", artifact: "tool_linux_amd64", scope: ANONYMOUS_SCOPE });
    await store.findArtifact(A, "app.AppImage", ANONYMOUS_SCOPE);
    await store.getPackageRevision(A, IDS.pkgPypi);
    await store.getLicenseByKey(A, "PRO-KEY");
    await store.listUserLicenses(A, IDS.userAlice);
    await store.getTokenByDigest(A, "0".repeat(64));
    const queries = [...new Set(spy.mock.calls.map((c) => c[0] as string))].filter((q) => /^\s*SELECT/i.test(q));
    spy.mockRestore();
    expect(queries.length).toBeGreaterThan(15);
    const db = new Database(file, { readonly: true });
    for (const q of queries) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...Array<null>(q.split("?").length - 1).fill(null)) as Array<{ detail: string }>).map((r) => r.detail);
      // A full scan of a table (by any alias, index order or not); json_each and subquery results are fine.
      const scans = plan.filter((d) => /^SCAN /.test(d) && !/VIRTUAL TABLE|^SCAN \(|^SCAN CONSTANT/.test(d));
      expect(scans, `${q}\n${plan.join("\n")}`).toEqual([]);
      if (process.env.SHOW_PLANS) console.log(plan.join(" / "));
    }
    db.close();
    await store.close();
  });
});
