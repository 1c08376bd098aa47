/**
 * SQLite's kept answers without a promise (sql/cache's kept-answer lookups, store/wrap `keptReadOf`,
 * and license key authentications remembered between changes), on a real file behind the real
 * handler: a warm request makes no statement but its one change check (a read of the wal-index header,
 * node/sqlite-wal-index, not `PRAGMA data_version`); a write through this
 * server drops what was kept and is seen on the very next request; a commit by another connection on
 * the file (a store's, or SQL by hand) is seen on the next request, a license suspended by hand
 * included; and a license expires to the millisecond while answered from what was kept. Then, on a
 * feed whose check is a statement (PostgreSQL's while not listening): no kept answer where a check is due.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { cacheReads, STALE_MS } from "../../src/sql/cache.js";
import { createSqliteStore, importDataset, type SqlStore } from "../../src/sqlite.js";
import { NOT_KEPT } from "../../src/store/sync-reads.js";
import { keptReadOf, wrapStore } from "../../src/store/wrap.js";
import { conformanceDataset, IDS } from "../../src/testing/fixture.js";

const ACME = "http://localhost/v1/accounts/acme";
const TAURI = `${ACME}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0`;
const PYPI = `${ACME}/engines/pypi/simple/acme-tools/`;
const DOWNLOAD = `${ACME}/artifacts/${IDS.artWhl200}`;
const LICENSE = { authorization: "License PRO-KEY" };

/**
 * Statements run on every better-sqlite3 connection of this process, the change checks counted apart:
 * `PRAGMA data_version` (`pragmas`) and reads of a wal-index header (48 bytes at offset 0), both `checks`.
 */
const counted = { statements: 0, checks: 0, pragmas: 0 };
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const readSync = ((...args: unknown[]) => {
    if (args[3] === 48 && args[4] === 0) counted.checks++;
    return (fs.readSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.readSync;
  return { ...fs, readSync, default: { ...fs, readSync } };
});
{
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const name of ["all", "get", "run", "iterate"]) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      if (this.source === "PRAGMA data_version") {
        counted.checks++;
        counted.pragmas++;
      }
      else counted.statements++;
      return original.apply(this, args);
    };
  }
}
/** What `fn` ran: statements and change checks. */
async function counting(fn: () => Promise<unknown>): Promise<{ statements: number; checks: number }> {
  const before = { ...counted };
  await fn();
  return { statements: counted.statements - before.statements, checks: counted.checks - before.checks };
}
/** How many `PRAGMA data_version` ran in `fn`. */
async function pragmas(fn: () => Promise<unknown>): Promise<number> {
  const before = counted.pragmas;
  await fn();
  return counted.pragmas - before;
}

describe("SQLite kept answers without a promise", () => {
  let dir: string;
  let file: string;
  let store: SqlStore;
  let peer: SqlStore;
  let byHand: InstanceType<typeof Database>;
  const clock: { now: Date | null } = { now: null };
  let get: (url: string, headers?: Record<string, string>) => Promise<Response>;
  const tauriVersion = async () => {
    const res = await get(TAURI, LICENSE);
    return res.status === 200 ? String(((await res.json()) as { version: string }).version) : res.status;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "re-kept-"));
    file = join(dir, "kept.sqlite");
    const seed = createSqliteStore({ filename: file });
    await importDataset(seed, await conformanceDataset());
    await seed.close();
    store = createSqliteStore({ filename: file });
    peer = createSqliteStore({ filename: file });
    byHand = new Database(file);
    const handler = createFetchHandler({ store, now: () => clock.now ?? new Date() });
    get = (url, headers = {}) => handler(new Request(url, { headers }));
  });
  afterAll(async () => {
    await store?.close();
    await peer?.close();
    byHand?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers a warm request with no statement but its one change check", async () => {
    const routes: [string, Record<string, string>][] = [[TAURI, {}], [TAURI, LICENSE], [PYPI, LICENSE], [DOWNLOAD, LICENSE], [`${ACME}/engines`, {}]];
    for (const [url, headers] of routes) await get(url, headers);
    for (const [url, headers] of routes) {
      let status = 0;
      const ran = await counting(async () => void (status = (await get(url, headers)).status));
      expect(status, url).toBeLessThan(400);
      expect(ran, url).toEqual({ statements: 0, checks: 1 });
      // The file is in WAL mode: its check reads the wal-index header, no statement at all.
      expect(await pragmas(() => get(url, headers)), url).toBe(0);
    }
  });

  it("drops a kept answer at a write through this store: the next read answers the write", async () => {
    const wrapped = wrapStore(store);
    const keptRelease = keptReadOf(wrapped, "getRelease");
    expect(keptRelease).toBeDefined();
    const read = keptRelease as NonNullable<typeof keptRelease>;
    await wrapped.getRelease(IDS.account, IDS.relTauri120);
    expect(read(IDS.account, IDS.relTauri120)).toMatchObject({ id: IDS.relTauri120, status: "PUBLISHED" });
    // A kept answer is the very promise kept: asking the method again makes nothing new.
    expect(wrapped.getRelease(IDS.account, IDS.relTauri120)).toBe(wrapped.getRelease(IDS.account, IDS.relTauri120));

    expect(await tauriVersion()).toBe("1.2.0");
    await store.setReleaseStatus(IDS.account, IDS.relTauri120, "YANKED", new Date(), "bad build");
    expect(read(IDS.account, IDS.relTauri120)).toBe(NOT_KEPT);
    expect(await tauriVersion()).toBe("1.1.0");
    expect((await wrapped.getRelease(IDS.account, IDS.relTauri120))?.status).toBe("YANKED");
    expect(read(IDS.account, IDS.relTauri120)).toMatchObject({ status: "YANKED" });
    await store.setReleaseStatus(IDS.account, IDS.relTauri120, "PUBLISHED", new Date());
    expect(await tauriVersion()).toBe("1.2.0");
  });

  it("sees a commit by another connection on the next request: another store's, or SQL by hand", async () => {
    expect(await tauriVersion()).toBe("1.2.0");
    await peer.setReleaseStatus(IDS.account, IDS.relTauri120, "YANKED", new Date(), "bad build");
    expect(await tauriVersion()).toBe("1.1.0");
    byHand.prepare("UPDATE releases SET status = 'PUBLISHED' WHERE id = ?").run(IDS.relTauri120);
    expect(await tauriVersion()).toBe("1.2.0");

    // The account's kept answer, read at the start of a request, checks the file first.
    const wrapped = wrapStore(store);
    const account = keptReadOf(wrapped, "getAccount") as NonNullable<ReturnType<typeof keptReadOf<"getAccount">>>;
    await wrapped.getAccount("acme");
    expect(account("acme")).toMatchObject({ slug: "acme" });
    byHand.prepare("UPDATE accounts SET name = 'Renamed by hand' WHERE slug = 'acme'").run();
    expect(account("acme")).toBe(NOT_KEPT);
    expect((await wrapped.getAccount("acme"))?.name).toBe("Renamed by hand");
  });

  it("refuses a license suspended by another connection on the next request, though its authentication was remembered", async () => {
    expect((await get(DOWNLOAD, LICENSE)).status).toBe(200);
    expect(await counting(() => get(DOWNLOAD, LICENSE))).toEqual({ statements: 0, checks: 1 });
    byHand.prepare("UPDATE licenses SET suspended = 1 WHERE key = 'PRO-KEY'").run();
    try {
      const refused = await get(DOWNLOAD, LICENSE);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(await refused.json())).toContain("LICENSE_SUSPENDED");
      expect((await get(PYPI, LICENSE)).status).toBe(403);
    } finally {
      byHand.prepare("UPDATE licenses SET suspended = 0 WHERE key = 'PRO-KEY'").run();
    }
    expect((await get(DOWNLOAD, LICENSE)).status).toBe(200);
  });

  it("remembers no authentication on a store whose credential read was replaced: what it reports is seen on the next request", async () => {
    const other = createSqliteStore({ filename: file });
    try {
      const suspended = new Set<string>();
      const plain = other.getLicenseByKey;
      other.getLicenseByKey = async (accountId: string, key: string) => {
        const license = await plain(accountId, key);
        return license !== null && suspended.has(license.key) ? { ...license, suspended: true } : license;
      };
      const handler = createFetchHandler({ store: other });
      const status = async () => (await handler(new Request(DOWNLOAD, { headers: LICENSE }))).status;
      expect(await status()).toBe(200);
      expect(await status()).toBe(200);
      suspended.add("PRO-KEY");
      expect(await status()).toBe(403);
    } finally {
      await other.close();
    }
  });

  it("stops a license at its expiry to the millisecond, answered from kept answers", async () => {
    const expiry = "2031-01-01T00:00:00.000Z";
    byHand.prepare("UPDATE policies SET expiration_strategy = 'REVOKE_ACCESS' WHERE id = ?").run(IDS.policyLicensed);
    byHand.prepare("UPDATE licenses SET expiry = ? WHERE key = 'PRO-KEY'").run(expiry);
    try {
      clock.now = new Date(Date.parse(expiry) - 1000);
      expect((await get(DOWNLOAD, LICENSE)).status).toBe(200);
      clock.now = new Date(expiry);
      let status = 0;
      expect(await counting(async () => void (status = (await get(DOWNLOAD, LICENSE)).status))).toEqual({ statements: 0, checks: 1 });
      expect(status).toBe(200);
      clock.now = new Date(Date.parse(expiry) + 1);
      let res: Response | undefined;
      // Refused by the clock alone: what was kept is what the last request used.
      expect(await counting(async () => void (res = await get(DOWNLOAD, LICENSE)))).toEqual({ statements: 0, checks: 1 });
      expect(res?.status).toBe(403);
      expect(JSON.stringify(await res?.json())).toContain("LICENSE_EXPIRED");
      clock.now = new Date(Date.parse(expiry) - 1);
      expect((await get(DOWNLOAD, LICENSE)).status).toBe(200);
    } finally {
      clock.now = null;
      byHand.prepare("UPDATE licenses SET expiry = NULL WHERE key = 'PRO-KEY'").run();
      byHand.prepare("UPDATE policies SET expiration_strategy = 'RESTRICT_ACCESS' WHERE id = ?").run(IDS.policyLicensed);
    }
  });
});

describe("kept answers when the change check must wait (PostgreSQL without a live feed)", () => {
  it("answers nothing without a promise where a check is due, and kept answers once the check is made", async () => {
    let version = "1";
    let checks = 0;
    let live = false;
    const onChange: (() => void)[] = [];
    const store = { getAccount: async (slug: string) => ({ slug, version }), getPolicy: async (id: string) => ({ id, version }) } as unknown as SqlStore;
    const { store: cached } = cacheReads(store, { live: () => live, version: async () => (checks++, version), subscribe: (fn) => void onChange.push(fn) });
    const wrapped = wrapStore(cached);
    const account = keptReadOf(wrapped, "getAccount") as unknown as (slug: string) => unknown;
    const policy = keptReadOf(wrapped, "getPolicy") as unknown as (a: string, id: string) => unknown;
    expect(await wrapped.getAccount("acme")).toEqual({ slug: "acme", version: "1" });
    expect(checks).toBe(1);
    // The start of a request checks first, and this feed's check is a statement: no kept answer.
    expect(account("acme")).toBe(NOT_KEPT);
    await wrapped.getPolicy("acc", "p");
    // A read after the request's check, within STALE_MS, is answered from what was kept.
    expect(policy("acc", "p")).toEqual({ id: "acc", version: "1" });
    version = "2";
    expect(await wrapped.getAccount("acme")).toEqual({ slug: "acme", version: "2" });
    expect(policy("acc", "p")).toBe(NOT_KEPT);
    await new Promise((r) => setTimeout(r, STALE_MS + 20));
    expect(await wrapped.getPolicy("acc", "p")).toEqual({ id: "acc", version: "2" });
    await new Promise((r) => setTimeout(r, STALE_MS + 20));
    // Stale: a check is due even for a read that does not start a request.
    expect(policy("acc", "p")).toBe(NOT_KEPT);
    // While changes are pushed no check is due: kept answers at once, and a pushed change drops them.
    live = true;
    for (const fn of onChange) fn();
    await wrapped.getAccount("acme");
    const before = checks;
    expect(account("acme")).toEqual({ slug: "acme", version: "2" });
    version = "3";
    for (const fn of onChange) fn();
    expect(account("acme")).toBe(NOT_KEPT);
    expect(await wrapped.getAccount("acme")).toEqual({ slug: "acme", version: "3" });
    expect(checks).toBe(before);
  });
});
