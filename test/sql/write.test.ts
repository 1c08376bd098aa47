/**
 * The SQL write path beyond the shared suite (runWriteConformance runs in sqlite.test.ts and
 * postgres.test.ts): the schema migration that adds its unique indexes, more races across two
 * servers, rollback of a refused write, and the columns and instants it stores.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SCOPE, type Scope } from "../../src/access/scope.js";
import { uuidV5 } from "../../src/core/uuid.js";
import { parseStrict } from "../../src/core/version.js";
import { createPostgresStore } from "../../src/postgres.js";
import { createSqliteStore, importDataset, type SqlStore } from "../../src/sqlite.js";
import type { NewRelease } from "../../src/store/write.js";
import { loadDataset } from "../../src/dataset/load.js";
import { IDS, conformanceDataset, conformanceDatasetFile } from "../../src/testing.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

const A = IDS.account;
const AT = new Date("2026-02-01T00:00:00.000Z");
const PAGE = { order: "desc" as const, limit: 100 };
const SHA = "d".repeat(64);

let cluster: PgCluster;
const dir = mkdtempSync(join(tmpdir(), "re-sqlwrite-"));
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(() => {
  cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** One backend: fresh databases, a store and a peer (another server) on each, and raw SQL on it. */
interface Backend {
  name: "sqlite" | "postgres";
  /** A fresh database holding the conformance dataset; returns its location. */
  fresh(): Promise<string>;
  open(where: string): SqlStore;
  exec(where: string, text: string): Promise<Array<Record<string, unknown>>>;
}

let serial = 0;
const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    async fresh() {
      const file = join(dir, `w${serial++}.sqlite`);
      const store = createSqliteStore({ filename: file });
      await importDataset(store, await conformanceDataset());
      await store.close();
      return file;
    },
    open: (file) => createSqliteStore({ filename: file }),
    async exec(file, text) {
      const db = new Database(file);
      try {
        const stmt = db.prepare(text);
        return stmt.reader ? (stmt.all() as Array<Record<string, unknown>>) : (stmt.run(), []);
      } finally {
        db.close();
      }
    },
  },
  {
    name: "postgres",
    async fresh() {
      const name = `w${serial++}`;
      const url = await cluster.createDatabase(name);
      const store = createPostgresStore({ connectionString: url });
      await importDataset(store, await conformanceDataset());
      await store.close();
      return name;
    },
    open: (name) => createPostgresStore({ connectionString: cluster.url(name) }),
    exec: async (name, text) => (await cluster.query(name, text)).rows as Array<Record<string, unknown>>,
  },
];

let counter = 0;
function newRelease(extra: Partial<NewRelease> = {}): NewRelease {
  counter += 1;
  return {
    productId: IDS.productLicensed, packageId: IDS.pkgPypi, version: `8.${counter}.0`, channel: "stable", status: "PUBLISHED",
    tag: null, name: null, description: null, entitlements: [], metadata: {}, backdated: null, ...extra,
  };
}
const conflict = (code: string, pointer?: string) => ({ status: 422, code, detail: expect.any(String), ...(pointer ? { source: { pointer } } : {}) });

/** The new indexes of the write-path migration. */
const NEW_INDEXES = ["releases_tag", "artifacts_release_filename", "engines_account_key", "releases_created", "artifacts_created", "packages_created"];

for (const backend of BACKENDS) {
  describe(`SQL writes: ${backend.name}`, () => {
    const opened: SqlStore[] = [];
    let where: string;
    let store: SqlStore;
    let peer: SqlStore;
    const open = (at: string) => {
      const s = backend.open(at);
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      where = await backend.fresh();
      store = open(where);
      peer = open(where);
    });
    // Each test's pools are closed after it (PostgreSQL allows the cluster 60 connections in all).
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const indexes = async (at: string) => {
      const rows = await backend.exec(at, backend.name === "sqlite"
        ? "SELECT name FROM sqlite_master WHERE type = 'index'"
        : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'");
      return rows.map((r) => String(r.name));
    };
    const schemaVersion = async (at: string) => Number((await backend.exec(at, "SELECT max(version) AS v FROM schema_migrations"))[0]?.v);

    describe("schema migration", () => {
      /** Put a database back to the schema before the write path's migration (what an older release left). */
      const downgrade = async (at: string) => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
        const version = await schemaVersion(at);
        for (const name of NEW_INDEXES) await backend.exec(at, `DROP INDEX ${name}`);
        await backend.exec(at, "CREATE INDEX engines_key ON engines (account_id, key)");
        // The write path's migration and every one after it (those are written to run again).
        await backend.exec(at, `DELETE FROM schema_migrations WHERE version >= ${writeVersion()}`);
        return version;
      };
      /** The write path's migration: version 3 on SQLite, 4 on PostgreSQL. */
      const writeVersion = () => (backend.name === "sqlite" ? 3 : 4);

      it("moves an existing database forward, keeping its data", async () => {
        const version = await downgrade(where);
        expect(await indexes(where)).not.toContain("releases_tag");
        const upgraded = open(where);
        expect((await upgraded.getRelease(A, IDS.relPypi110))?.tag).toBe("latest");
        expect(await schemaVersion(where)).toBe(version);
        expect(await indexes(where)).toEqual(expect.arrayContaining(NEW_INDEXES));
        expect(await indexes(where)).not.toContain("engines_key");
        await expect(upgraded.createRelease(A, newRelease({ tag: "latest" }), AT)).rejects.toMatchObject(conflict("TAG_TAKEN", "/data/attributes/tag"));
      });

      it("refuses, naming them, rows that break a new unique index, and changes nothing", async () => {
        const version = await downgrade(where);
        // Rows no import writes (the dataset loader refuses them): a second 'latest' tag, a second filename.
        await backend.exec(where, `INSERT INTO releases (id, account_id, product_id, package_id, version, version_key, channel, status, tag, created, updated)
          VALUES ('00000000-0000-4000-8000-00000000a001', '${A}', '${IDS.productLicensed}', '${IDS.pkgPypi}', '5.0.0', '${parseStrict("5.0.0")?.key}', 'stable', 'PUBLISHED', 'latest', '2026-01-20T00:00:00.000Z', '2026-01-20T00:00:00.000Z')`);
        await backend.exec(where, `INSERT INTO artifacts (id, account_id, release_id, filename, status, created, updated)
          VALUES ('00000000-0000-4000-8000-00000000a002', '${A}', '${IDS.relPypi100}', 'acme_tools-1.0.0-py3-none-any.whl', 'UPLOADED', '2026-01-20T00:00:00.000Z', '2026-01-20T00:00:00.000Z')`);
        const blocked = open(where);
        const error = await blocked.getAccount(A).then(() => null, (e: unknown) => e as Error);
        expect(error?.message).toMatch(/releases of one product and package share a tag: product_id="[^"]+" package_slot="[^"]+" tag="latest" \(2 rows\)/);
        expect(error?.message).toMatch(/artifacts of one release share a filename: release_id="[^"]+" filename="acme_tools-1.0.0-py3-none-any.whl" \(2 rows\)/);
        expect(error?.message).toMatch(/the database was not changed/);
        expect(await schemaVersion(where)).toBe(writeVersion() - 1);
        expect(await indexes(where)).toContain("engines_key");
        expect(await indexes(where)).not.toContain("engines_account_key");
        // Once the duplicates are gone, the next query migrates (a failed migration is retried).
        await backend.exec(where, "DELETE FROM releases WHERE id = '00000000-0000-4000-8000-00000000a001'");
        await backend.exec(where, "DELETE FROM artifacts WHERE id = '00000000-0000-4000-8000-00000000a002'");
        expect((await blocked.getAccount(A))?.slug).toBe("acme");
        expect(await schemaVersion(where)).toBe(version);
      });
    });

    it("a re-import may move a tag to another release and swap two filenames (the unique indexes hold between rows)", async () => {
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as NonNullable<(typeof file.accounts)[number]>;
      const releases = acme.releases ?? [];
      delete (releases.find((r) => r.id === IDS.relPypi110) as { tag?: string | null }).tag;
      // The new holder of `latest` comes first, so a plain row-by-row upsert would meet the old one.
      releases.unshift({ id: "00000000-0000-4000-8000-00000000b001", product: "cli", package: "acme-tools", version: "1.5.0", status: "PUBLISHED", tag: "latest" });
      const a = (acme.artifacts ?? []).find((x) => x.id === IDS.artTauri120Linux) as { filename: string };
      const b = (acme.artifacts ?? []).find((x) => x.id === IDS.artTauri120LinuxGz) as { filename: string };
      [a.filename, b.filename] = [b.filename, a.filename];
      await importDataset(store, await loadDataset(file));
      expect((await peer.findRelease(A, "latest", ADMIN_SCOPE, { packageId: IDS.pkgPypi }))?.id).toBe("00000000-0000-4000-8000-00000000b001");
      expect((await peer.getArtifact(A, IDS.artTauri120Linux))?.artifact.filename).toBe("app.AppImage.tar.gz");
      expect((await peer.getArtifact(A, IDS.artTauri120LinuxGz))?.artifact.filename).toBe("app.AppImage");
      expect(await importDataset(store, await loadDataset(file))).toMatchObject({ written: 0, deleted: 0 });
    });

    it("a merging import meeting a tag published through the API says so and changes nothing; --prune makes the file the truth", async () => {
      await store.createRelease(A, newRelease({ tag: "from-api" }), AT);
      const file = conformanceDatasetFile();
      const acme = file.accounts[0] as NonNullable<(typeof file.accounts)[number]>;
      (acme.releases ?? []).push({ id: "00000000-0000-4000-8000-00000000b002", product: "cli", package: "acme-tools", version: "1.6.0", status: "PUBLISHED", tag: "from-api" });
      const revision = await peer.getPackageRevision(A, IDS.pkgPypi);
      await expect(importDataset(store, await loadDataset(file))).rejects.toThrow(/cannot import: a tag in the file is already used by a record the file does not hold \(TAG_TAKEN\).*--prune.*nothing was changed/);
      expect(await peer.getRelease(A, "00000000-0000-4000-8000-00000000b002")).toBeNull();
      expect(await peer.getPackageRevision(A, IDS.pkgPypi)).toBe(revision);
      await importDataset(store, await loadDataset(file), { prune: true });
      expect((await peer.findRelease(A, "from-api", ADMIN_SCOPE, { packageId: IDS.pkgPypi }))?.id).toBe("00000000-0000-4000-8000-00000000b002");
    });

    describe("atomic writes", () => {
      it("a refused write leaves nothing: no engine row, no revision moved", async () => {
        const before = await store.getAccountRevision(A);
        await expect(store.createPackage(A, { productId: IDS.productLicensed, key: "acme-tools", name: "Dup", engine: "oci", metadata: {} }, AT)).rejects.toMatchObject(conflict("KEY_TAKEN", "/data/attributes/key"));
        expect(await store.getEngine(A, "oci", ADMIN_SCOPE)).toBeNull();
        expect(await store.getAccountRevision(A)).toBe(before);
        const pkgBefore = await store.getPackageRevision(A, IDS.pkgPypi);
        await expect(store.createRelease(A, newRelease({ entitlements: ["PRO", "NOPE"] }), AT)).rejects.toMatchObject(conflict("ENTITLEMENT_NOT_FOUND", "/data/relationships/entitlement"));
        expect(await store.getPackageRevision(A, IDS.pkgPypi)).toBe(pkgBefore);
      });

      it("a package of a new engine makes the engine row an import would (same id, Keygen's name)", async () => {
        await store.createPackage(A, { productId: IDS.productOpen, key: "new-oci", name: "OCI", engine: "oci", metadata: {} }, AT);
        expect(await peer.getEngine(A, "oci", ADMIN_SCOPE)).toMatchObject({ id: uuidV5(`engine:${A}:oci`), key: "oci", name: "OCI", created: AT.toISOString() });
        const pkg = await store.createPackage(A, { productId: IDS.productOpen, key: "to-raw", name: "R", engine: null, metadata: {} }, AT);
        await store.updatePackage(A, pkg.id, { engine: "raw" }, AT);
        expect((await store.getEngine(A, "raw", ADMIN_SCOPE))?.name).toBe("Raw");
      });

      it("an id already used is ID_TAKEN at /data/id", async () => {
        await expect(store.createRelease(A, newRelease({ id: IDS.relPypi100 }), AT)).rejects.toMatchObject(conflict("ID_TAKEN", "/data/id"));
        await expect(store.createPackage(A, { id: IDS.pkgTauri, productId: IDS.productOpen, key: "fresh", name: "F", engine: null, metadata: {} }, AT)).rejects.toMatchObject(conflict("ID_TAKEN", "/data/id"));
      });

      it("ids that are not UUIDs find nothing instead of failing", async () => {
        expect(await store.updateRelease(A, "not-a-uuid", { name: "x" }, AT)).toBeNull();
        expect(await store.deleteArtifact(A, "x")).toBeNull();
        expect(await store.completeArtifact(A, "x", { filesize: 1, sha256: SHA, blob: "b" }, AT)).toBeNull();
        expect((await store.listReleases(A, ADMIN_SCOPE, {}, { order: "desc", limit: 5, after: "nope" })).items).toEqual([]);
      });
    });

    describe("what a release stores", () => {
      it("Keygen's pre-release and build split, for upgrade constraints", async () => {
        const build = await store.createRelease(A, newRelease({ version: "8.90.0+build.3" }), AT);
        const beta = await store.createRelease(A, newRelease({ version: "8.91.0-beta.2", channel: "beta" }), AT);
        const query = { accountId: A, productId: IDS.productLicensed, packageId: IDS.pkgPypi, afterKey: parseStrict("8.89.0")?.key as string, channels: ["stable", "beta"] as const, scope: ADMIN_SCOPE };
        const range = { minKey: parseStrict("8.0.0")?.key as string, maxKey: parseStrict("9.0.0-0")?.key as string };
        expect((await peer.findUpgrade({ ...query, range: { ...range, buildWord: "build", buildNum: 3 } }))?.id).toBe(build.id);
        expect(await peer.findUpgrade({ ...query, range: { ...range, buildWord: "build", buildNum: 4 } })).toBeNull();
        expect((await peer.findUpgrade({ ...query, range: { ...range, preWord: "beta", preNum: 2 } }))?.id).toBe(beta.id);
      });

      it("backdated as a canonical instant, so a license window compares instants, not text", async () => {
        const rel = await store.createRelease(A, newRelease({ backdated: "2026-01-04T00:00:00Z" }), AT);
        expect(rel.backdated).toBe("2026-01-04T00:00:00.000Z");
        const windowed: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: [], cutoff: "2026-01-04T00:00:00.000Z" }], licensedProducts: [IDS.productLicensed] };
        expect((await peer.findRelease(A, rel.id, windowed))?.id).toBe(rel.id);
        const moved = await store.updateRelease(A, rel.id, { backdated: "2026-01-05T00:00:00+00:00" }, AT);
        expect(moved?.backdated).toBe("2026-01-05T00:00:00.000Z");
        // The peer's next request (getAccount starts one: a caching store checks for changes there).
        await peer.getAccount(A);
        expect(await peer.findRelease(A, rel.id, windowed)).toBeNull();
      });
    });

    describe("revisions across servers", () => {
      it("a write on one server moves the revisions the other reads, for every package it touches", async () => {
        // The peer keeps its reads until it learns of the change: checked at its next request, or by a direct
        // caller like this one when its last check is over 100 ms old (2 s allowed: the machine may be loaded).
        const moved = async (read: () => Promise<unknown>, from: unknown) => {
          const t0 = Date.now();
          let now = await read();
          while (now === from && Date.now() - t0 < 2_000) {
            await new Promise((r) => setTimeout(r, 2));
            now = await read();
          }
          return now;
        };
        const r0 = await peer.getPackageRevision(A, IDS.pkgPypi);
        const rel = await store.createRelease(A, newRelease(), AT);
        const r1 = await moved(() => peer.getPackageRevision(A, IDS.pkgPypi), r0);
        expect(r1).not.toBe(r0);
        expect((await peer.findRelease(A, rel.version, ADMIN_SCOPE, { packageId: IDS.pkgPypi }))?.id).toBe(rel.id);
        // Out of the package into none: the package it left moves.
        await store.updateRelease(A, rel.id, { packageId: null }, AT);
        const r2 = await moved(() => peer.getPackageRevision(A, IDS.pkgPypi), r1);
        expect(r2).not.toBe(r1);
        // And into another package: that one moves too.
        const otherBefore = await peer.getPackageRevision(A, IDS.pkgTauri);
        const tauriRel = await store.createRelease(A, newRelease({ productId: IDS.productOpen, packageId: IDS.pkgOpenPypi }), AT);
        await store.updateRelease(A, tauriRel.id, { packageId: IDS.pkgTauri }, AT);
        expect(await moved(() => peer.getPackageRevision(A, IDS.pkgTauri), otherBefore)).not.toBe(otherBefore);
        // Deleting a package moves the account's catalogue revision.
        const account = await peer.getAccountRevision(A);
        expect(await store.deletePackage(A, IDS.pkgClosed)).toHaveLength(1);
        expect(await moved(() => peer.getAccountRevision(A), account)).not.toBe(account);
        expect(await peer.findArtifact(A, IDS.artClosed, ADMIN_SCOPE)).toBeNull();
      });

      it("a release of no package and its artifacts move the account revision, by the API or by hand; a package's own leave it", async () => {
        const revision = async () => String((await backend.exec(where, `SELECT revision FROM account_revisions WHERE account_id = '${A}'`))[0]?.revision);
        const moves = async (write: () => Promise<unknown>) => {
          const before = await revision();
          await write();
          return (await revision()) !== before;
        };
        const rel = await store.createRelease(A, newRelease({ packageId: null }), AT);
        expect(await moves(async () => {})).toBe(false);
        expect(await moves(() => store.updateRelease(A, rel.id, { name: "renamed" }, AT))).toBe(true);
        const art = await store.createArtifact(A, { releaseId: rel.id, filename: "tool.tar.gz", filetype: "tar.gz", filesize: 1, platform: "linux", arch: "amd64", signature: null, checksum: null, metadata: {} }, AT);
        expect(await moves(() => backend.exec(where, `UPDATE artifacts SET filename = 'tool2.tar.gz' WHERE id = '${art.id}'`))).toBe(true);
        expect(await moves(() => store.deleteArtifact(A, art.id))).toBe(true);
        expect(await moves(() => backend.exec(where, `UPDATE releases SET status = 'YANKED' WHERE id = '${IDS.relCli110}'`))).toBe(true);
        expect(await moves(() => store.deleteRelease(A, rel.id))).toBe(true);
        // A package's release and artifact: only that package's revision (its pages' caches hold across other writes).
        const inPackage = await store.createRelease(A, newRelease(), AT);
        expect(await moves(() => store.updateRelease(A, inPackage.id, { name: "renamed" }, AT))).toBe(false);
        expect(await moves(() => backend.exec(where, `UPDATE artifacts SET filename = 'x.whl' WHERE id = '${IDS.artWhl100}'`))).toBe(false);
      });
    });

    describe("races across two servers", () => {
      const race = <T>(n: number, run: (s: SqlStore, i: number) => Promise<T>) => Promise.allSettled(Array.from({ length: n }, (_, i) => run(i % 2 === 0 ? store : peer, i)));
      const outcome = (results: PromiseSettledResult<unknown>[]) => ({
        won: results.filter((r) => r.status === "fulfilled").length,
        reasons: results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown),
      });

      it("one package key: one wins, the rest KEY_TAKEN", async () => {
        const { won, reasons } = outcome(await race(10, (s) => s.createPackage(A, { productId: IDS.productOpen, key: "contested", name: "C", engine: "pypi", metadata: {} }, AT)));
        expect(won).toBe(1);
        for (const r of reasons) expect(r).toMatchObject(conflict("KEY_TAKEN", "/data/attributes/key"));
      });

      it("one new engine wanted by many new packages: all win, one engine row", async () => {
        const { won } = outcome(await race(10, (s, i) => s.createPackage(A, { productId: IDS.productOpen, key: `gem-${i}`, name: "G", engine: "rubygems", metadata: {} }, AT)));
        expect(won).toBe(10);
        const engines = await store.listEngines(A, ADMIN_SCOPE, { order: "asc", limit: 100 });
        expect(engines.filter((e) => e.key === "rubygems")).toHaveLength(1);
      });

      it("one tag: one wins, the rest TAG_TAKEN", async () => {
        const releases = await Promise.all(Array.from({ length: 10 }, () => store.createRelease(A, newRelease(), AT)));
        const { won, reasons } = outcome(await race(10, (s, i) => s.updateRelease(A, (releases[i] as { id: string }).id, { tag: "contested-tag" }, AT)));
        expect(won).toBe(1);
        for (const r of reasons) expect(r).toMatchObject(conflict("TAG_TAKEN", "/data/attributes/tag"));
        expect((await store.listReleases(A, ADMIN_SCOPE, { packageId: IDS.pkgPypi }, PAGE)).items.filter((r) => r.tag === "contested-tag")).toHaveLength(1);
      });

      it("one filename: one wins, the rest FILENAME_TAKEN", async () => {
        const rel = await store.createRelease(A, newRelease(), AT);
        const { won, reasons } = outcome(await race(10, (s) => s.createArtifact(A, {
          releaseId: rel.id, filename: "same.whl", filetype: "whl", filesize: 1, platform: null, arch: null, signature: null, checksum: null, metadata: {},
        }, AT)));
        expect(won).toBe(1);
        for (const r of reasons) expect(r).toMatchObject(conflict("FILENAME_TAKEN", "/data/attributes/filename"));
      });

      it("a completion racing a failure: the artifact ends UPLOADED or FAILED whole, never a mix", async () => {
        const rel = await store.createRelease(A, newRelease(), AT);
        const art = await store.createArtifact(A, { releaseId: rel.id, filename: "x.whl", filetype: "whl", filesize: 1, platform: null, arch: null, signature: null, checksum: null, metadata: {} }, AT);
        await Promise.allSettled([store.completeArtifact(A, art.id, { filesize: 1, sha256: SHA, blob: "x" }, AT), peer.failArtifact(A, art.id, "timeout", AT)]);
        const final = (await peer.getArtifact(A, art.id))?.artifact;
        if (final?.status === "UPLOADED") expect(final).toMatchObject({ blob: "x", checksum: SHA });
        else expect(final).toMatchObject({ status: "FAILED", blob: null, metadata: { failureReason: "timeout" } });
      });
    });

    it.runIf(backend.name === "postgres")("a release deleted by a racing transaction after the check is RELEASE_NOT_FOUND, not a crash", async () => {
      const rel = await store.createRelease(A, newRelease(), AT);
      const other = new pg.Client({ connectionString: cluster.url(where) });
      await other.connect();
      try {
        await other.query("BEGIN");
        await other.query("DELETE FROM releases WHERE id = $1", [rel.id]);
        // The create sees the release (the delete is not committed), then waits on its row for the foreign key check.
        const create = store.createArtifact(A, { releaseId: rel.id, filename: "late.whl", filetype: "whl", filesize: 1, platform: null, arch: null, signature: null, checksum: null, metadata: {} }, AT);
        const settled = create.then(() => "created", (e: unknown) => e);
        await new Promise((r) => setTimeout(r, 300));
        await other.query("COMMIT");
        expect(await settled).toMatchObject(conflict("RELEASE_NOT_FOUND", "/data/relationships/release"));
      } finally {
        await other.end();
      }
    });

    describe("lists", () => {
      it("keyset pages in both orders, with totals under filters", async () => {
        const all = await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed }, PAGE);
        expect(all.total).toBe(all.items.length);
        const asc = await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed }, { order: "asc", limit: 100 });
        expect(asc.items.map((r) => r.id)).toEqual([...all.items].reverse().map((r) => r.id));
        const pivot = all.items[2]?.id as string;
        const next = await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed }, { order: "desc", limit: 2, after: pivot });
        expect(next.items.map((r) => r.id)).toEqual(all.items.slice(3, 5).map((r) => r.id));
        expect(next.total).toBe(all.total);
        const back = await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed }, { order: "asc", limit: 2, after: pivot });
        expect(back.items.map((r) => r.id)).toEqual([all.items[1]?.id, all.items[0]?.id]);
        // A keyset row outside the list (another product's release) ends it, as in memory.
        expect((await store.listReleases(A, ADMIN_SCOPE, { productId: IDS.productLicensed }, { order: "desc", limit: 5, after: IDS.relTauri100 })).items).toEqual([]);
        const arts = await store.listArtifacts(A, ADMIN_SCOPE, { packageId: IDS.pkgPypi }, PAGE);
        const artsNext = await store.listArtifacts(A, ADMIN_SCOPE, { packageId: IDS.pkgPypi }, { order: "desc", limit: 3, after: arts.items[0]?.artifact.id as string });
        expect(artsNext.items.map((x) => x.artifact.id)).toEqual(arts.items.slice(1, 4).map((x) => x.artifact.id));
        expect(artsNext.total).toBe(arts.total);
      });
    });
  });
}

describe("SQLite query plans of the write path", () => {
  it("every list, lookup and change goes through an index, never a scan of a record table nor a sort", async () => {
    const file = join(dir, "write-plans.sqlite");
    const store = createSqliteStore({ filename: file });
    await importDataset(store, await conformanceDataset());
    const spy = vi.spyOn(Database.prototype, "prepare");
    const LICENSE: Scope = { all: false, products: [], grants: [{ productId: IDS.productLicensed, entitlements: ["PRO"], cutoff: null }], licensedProducts: [IDS.productLicensed] };
    for (const scope of [ADMIN_SCOPE, LICENSE]) {
      await store.listAllPackages(A, scope, {}, PAGE);
      await store.listAllPackages(A, scope, { productId: IDS.productOpen, engine: "pypi" }, { order: "asc", limit: 2, after: IDS.pkgTauri });
      await store.listReleases(A, scope, {}, { order: "desc", limit: 2, offset: 1 });
      await store.listReleases(A, scope, { productId: IDS.productLicensed, packageId: IDS.pkgPypi, channel: "stable", status: "PUBLISHED", version: "1.0.0" }, { order: "asc", limit: 2, after: IDS.relPypi100 });
      await store.listArtifacts(A, scope, {}, PAGE);
      await store.listArtifacts(A, scope, { releaseId: IDS.relTauri120, platform: "linux", arch: "x86_64", filetype: "AppImage", status: "UPLOADED" }, { order: "desc", limit: 2, after: IDS.artTauri120Linux });
      await store.listArtifacts(A, scope, { productId: IDS.productLicensed, packageId: IDS.pkgPypi }, PAGE);
    }
    await store.getEntitlements(A, ["PRO", IDS.account]);
    const pkg = await store.createPackage(A, { productId: IDS.productOpen, key: "plan", name: "P", engine: "oci", metadata: {} }, AT);
    await store.updatePackage(A, pkg.id, { name: "Q", engine: "npm" }, AT);
    const rel = await store.createRelease(A, newRelease({ productId: IDS.productOpen, packageId: pkg.id, entitlements: ["PRO"] }), AT);
    await store.updateRelease(A, rel.id, { tag: "t", packageId: IDS.pkgOpenPypi, entitlements: ["EXTRA"] }, AT);
    await store.setReleaseStatus(A, rel.id, "YANKED", AT, "why");
    const art = await store.createArtifact(A, { releaseId: rel.id, filename: "p.whl", filetype: "whl", filesize: 1, platform: null, arch: null, signature: null, checksum: null, metadata: {} }, AT);
    await store.updateArtifact(A, art.id, { signature: "s" }, AT);
    await store.failArtifact(A, art.id, "r", AT);
    await store.completeArtifact(A, art.id, { filesize: 1, sha256: SHA, blob: "b" }, AT);
    await store.deleteArtifact(A, art.id);
    await store.deleteRelease(A, rel.id);
    await store.deletePackage(A, IDS.pkgPypi);
    const queries = [...new Set(spy.mock.calls.map((c) => c[0] as string))].filter((q) => /^\s*(SELECT|UPDATE|DELETE|INSERT)/i.test(q) && !/schema_migrations/.test(q));
    spy.mockRestore();
    expect(queries.length).toBeGreaterThan(25);
    const db = new Database(file, { readonly: true });
    for (const q of queries) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...Array<null>(q.split("?").length - 1).fill(null)) as Array<{ detail: string }>).map((r) => r.detail);
      const scans = plan.filter((d) => /^SCAN /.test(d) && !/VIRTUAL TABLE|^SCAN \(|^SCAN CONSTANT/.test(d));
      expect(scans, `${q}\n${plan.join("\n")}`).toEqual([]);
      // Pages come in index order (the (account, created, id) indexes), not sorted after reading every row.
      expect(plan.filter((d) => /TEMP B-TREE/.test(d)), `${q}\n${plan.join("\n")}`).toEqual([]);
      if (process.env.SHOW_PLANS) console.log(q.slice(0, 60).replace(/\s+/g, " "), "=>", plan.join(" / "));
    }
    db.close();
    await store.close();
  });
});
