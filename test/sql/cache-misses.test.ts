/**
 * Every kind of write a PostgreSQL read cache could miss (sql/cache over sql/pg-changes): each is
 * made on another server or by hand in the database, then read through a server that checks the
 * revisions per request (seen by its very next request) and one that listens for them (seen once
 * the notification arrives). Releases of no package and their artifacts moved no revision before
 * schema version 7, nor did a TRUNCATE, so both servers kept answering what they had read before.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, importDataset, type SqlStore } from "../../src/postgres.js";
import { conformanceDataset, IDS, TOKENS } from "../../src/testing/fixture.js";
import { digestToken } from "../../src/auth/tokens.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

const A = IDS.account;
const ALL = { all: true } as never;
const NEW_RELEASE = "00000000-0000-4000-8000-0000000009a1";
const NEW_ARTIFACT = "00000000-0000-4000-8000-0000000009a2";

/** One write and a read whose answer the write changes. */
interface Case {
  name: string;
  read: (store: SqlStore) => Promise<unknown>;
  write: () => Promise<unknown>;
}

describe("PostgreSQL read cache: every write is seen", () => {
  let cluster: PgCluster;
  let url: string;
  let writer: SqlStore;
  const servers: { mode: "check" | "listen"; store: SqlStore; pool: pg.Pool }[] = [];
  const sql = (text: string, params: unknown[] = []) => cluster.query("misses", text, params);

  beforeAll(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase("misses");
    writer = createPostgresStore({ connectionString: url, cache: "off" });
    await importDataset(writer, await conformanceDataset());
    for (const mode of ["check", "listen"] as const) {
      const pool = new pg.Pool({ connectionString: url, max: 3 });
      pool.on("error", () => {});
      servers.push({ mode, pool, store: createPostgresStore({ pool, cache: mode }) });
    }
    // Until the listener is live, a listening server checks per request: wait for it.
    await servers[1]!.store.getAccount("acme");
    for (let i = 0; i < 500; i++) {
      const n = (await sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")).rows[0]?.n;
      if (n === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) {
      await s.store.close();
      await s.pool.end();
    }
    await writer?.close();
    cluster?.destroy();
  });

  const release = (id: string) => async (s: SqlStore) => {
    const r = await s.getRelease(A, id);
    return r && `${r.status}:${r.packageId ?? "-"}`;
  };
  const artifact = (id: string) => async (s: SqlStore) => {
    const a = await s.getArtifact(A, id);
    return a && `${a.artifact.status}:${a.release.id}:${a.artifact.filename}`;
  };
  const digest = async () => digestToken((await writer.getAccount("acme"))!.secretKey, TOKENS.user);

  const cases: Case[] = [
    {
      name: "a release of no package created by another server",
      read: release(NEW_RELEASE),
      write: () => writer.createRelease(A, {
        id: NEW_RELEASE, productId: IDS.productLicensed, packageId: null, version: "7.0.0", channel: "stable", status: "PUBLISHED",
        tag: null, name: null, description: null, entitlements: [], metadata: {}, backdated: null,
      }, new Date()),
    },
    {
      name: "an artifact of a release of no package created by another server",
      read: artifact(NEW_ARTIFACT),
      write: () => writer.createArtifact(A, {
        id: NEW_ARTIFACT, releaseId: NEW_RELEASE, filename: "tool_7.tar.gz", filetype: "tar.gz", filesize: 1, platform: "linux", arch: "amd64",
        signature: null, checksum: null, metadata: {},
      }, new Date()),
    },
    { name: "a release of no package yanked by hand", read: release(IDS.relCli110), write: () => sql("UPDATE releases SET status = 'YANKED' WHERE id = $1", [IDS.relCli110]) },
    { name: "an artifact of a release of no package renamed by hand", read: artifact(IDS.artCli110), write: () => sql("UPDATE artifacts SET filename = 'tool_renamed' WHERE id = $1", [IDS.artCli110]) },
    { name: "an artifact of a release of no package deleted by hand", read: artifact(IDS.artCli100), write: () => sql("DELETE FROM artifacts WHERE id = $1", [IDS.artCli100]) },
    { name: "a release of no package deleted by hand", read: release(IDS.relCli100), write: () => sql("DELETE FROM releases WHERE id = $1", [IDS.relCli100]) },
    { name: "a release of no package deleted by another server", read: release(NEW_RELEASE), write: () => writer.deleteRelease(A, NEW_RELEASE) },
    { name: "an artifact moved from a release of a package to one of none", read: artifact(IDS.artWhl100), write: () => sql("UPDATE artifacts SET release_id = $1 WHERE id = $2", [IDS.relCliPro, IDS.artWhl100]) },
    { name: "a release moved into a package", read: release(IDS.relCliPro), write: () => sql("UPDATE releases SET package_id = $1 WHERE id = $2", [IDS.pkgPypi, IDS.relCliPro]) },
    { name: "a release moved out of its package", read: release(IDS.relCliPro), write: () => sql("UPDATE releases SET package_id = NULL WHERE id = $1", [IDS.relCliPro]) },
    { name: "a package deleted", read: (s) => s.getPackage(A, IDS.pkgClosed).then((p) => p?.id ?? null), write: () => sql("DELETE FROM artifacts WHERE release_id IN (SELECT id FROM releases WHERE package_id = $1); DELETE FROM releases WHERE package_id = $1; DELETE FROM packages WHERE id = $1".replace(/\$1/g, `'${IDS.pkgClosed}'`)) },
    { name: "a product's distribution strategy", read: (s) => s.getProduct(A, IDS.productLicensed).then((p) => p?.distributionStrategy), write: () => sql("UPDATE products SET distribution_strategy = 'OPEN' WHERE id = $1", [IDS.productLicensed]) },
    { name: "a policy's expiration strategy", read: (s) => s.getPolicy(A, IDS.policyLicensed).then((p) => p?.expirationStrategy), write: () => sql("UPDATE policies SET expiration_strategy = 'REVOKE_ACCESS' WHERE id = $1", [IDS.policyLicensed]) },
    { name: "a license suspended", read: (s) => s.getLicenseByKey(A, "PRO-KEY").then((l) => l?.suspended), write: () => sql("UPDATE licenses SET suspended = TRUE WHERE key = 'PRO-KEY'") },
    { name: "a license's user removed", read: (s) => s.getLicense(A, IDS.licensePro).then((l) => l?.userIds.join()), write: () => sql("DELETE FROM license_users WHERE license_id = $1", [IDS.licensePro]) },
    { name: "a license's entitlements", read: (s) => s.getLicense(A, IDS.licensePro).then((l) => l?.entitlements.join()), write: () => sql(`UPDATE licenses SET entitlements = '["PRO","EXTRA"]' WHERE id = $1`, [IDS.licensePro]) },
    { name: "an entitlement created", read: (s) => s.getEntitlements(A, ["NEW"]).then((e) => e.map((x) => x.code).join()), write: () => sql("INSERT INTO entitlements (id, account_id, code, name) VALUES ($1, $2, 'NEW', 'New')", ["00000000-0000-4000-8000-0000000009a3", A]) },
    { name: "a token revoked", read: async (s) => s.getTokenByDigest(A, await digest()).then((t) => t?.id ?? null), write: () => sql("DELETE FROM tokens WHERE id = $1", [IDS.tokenUser]) },
    {
      name: "a table truncated by hand (no row trigger fires)",
      read: async (s) => s.getTokenByDigest(A, await digestToken((await writer.getAccount("acme"))!.secretKey, TOKENS.admin)).then((t) => t?.id ?? null),
      write: () => sql("TRUNCATE tokens"),
    },
    { name: "a user banned", read: (s) => s.getUser(A, IDS.userAlice).then((u) => u?.banned), write: () => sql("UPDATE users SET banned = TRUE WHERE id = $1", [IDS.userAlice]) },
    { name: "an engine renamed", read: (s) => s.getEngine(A, "pypi", ALL).then((e) => e?.name ?? null), write: () => sql("UPDATE engines SET name = 'Python' WHERE account_id = $1 AND key = 'pypi'", [A]) },
    { name: "an account renamed", read: (s) => s.getAccount("acme").then((a) => a?.name), write: () => sql("UPDATE accounts SET name = 'Acme Two' WHERE id = $1", [A]) },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      // Each server has the answer kept (read twice, once per request).
      const before: unknown[] = [];
      for (const s of servers) {
        await s.store.getAccount("acme");
        before.push(await c.read(s.store));
        await s.store.getAccount("acme");
        expect(await c.read(s.store)).toEqual(before[before.length - 1]);
      }
      const truth = await c.read(writer);
      expect(before, "both servers answer what the database holds").toEqual([truth, truth]);
      await c.write();
      const after = await c.read(writer);
      expect(after, "the write changes what is read").not.toEqual(truth);
      const [check, listen] = servers;
      // The checking server: its very next request.
      await check!.store.getAccount("acme");
      expect(await c.read(check!.store), "the next request of a server that checks").toEqual(after);
      // The listening server: once the notification is in (it makes no statement per request meanwhile).
      let seen: unknown = undefined;
      for (let i = 0; i < 200; i++) {
        await listen!.store.getAccount("acme");
        seen = await c.read(listen!.store);
        if (JSON.stringify(seen) === JSON.stringify(after)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen, "a server that listens").toEqual(after);
    });
  }
});
