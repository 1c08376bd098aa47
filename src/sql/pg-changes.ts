/**
 * @module sql/pg-changes — PostgreSQL's change feed: LISTEN on the revision triggers' channel on a
 * connection of its own, and one revision statement per request while that connection is down.
 */
import pg from "pg";
import type { ChangeFeed } from "./cache.js";
import { raw } from "./fragment.js";
import type { SqlClient } from "./client.js";
import { CHANGES_CHANNEL } from "./schema-postgres.js";

/** A feed plus its connection's controls. */
export interface PgChangeFeed extends ChangeFeed {
  /** Connect the listener (again after a drop, with back-off) until {@link PgChangeFeed.close}. */
  start(): void;
  /** Stop listening and close the connection. */
  close(): Promise<void>;
  /** The listening connection's backend pid while live (tests terminate it). */
  listenerPid(): number | null;
}

/** Every revision at once: equal text, nothing changed (revisions only grow; a deleted package bumps its account). */
const VERSION = raw(`SELECT (SELECT value FROM store_meta WHERE key = 'instance') AS instance,
  (SELECT coalesce(sum(revision), 0) FROM account_revisions) AS accounts,
  (SELECT coalesce(sum(revision), 0) || '/' || count(*) FROM package_revisions) AS packages`);

/** The feed over `client` (revision checks) and a dedicated connection made from `config` (LISTEN). */
export function pgChangeFeed(client: SqlClient, config: pg.ClientConfig, ensure: () => Promise<void>): PgChangeFeed {
  const listeners: (() => void)[] = [];
  const emit = () => {
    for (const fn of listeners) fn();
  };
  let conn: pg.Client | null = null;
  let isLive = false;
  let pid: number | null = null;
  let stopped = false;
  let started = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let pause = 50;

  const down = () => {
    if (isLive) {
      isLive = false;
      emit();
    }
    pid = null;
    const old = conn;
    conn = null;
    old?.end().catch(() => {});
    if (!stopped) {
      retry = setTimeout(connect, pause);
      (retry as { unref?: () => void }).unref?.();
      pause = Math.min(pause * 2, 2_000);
    }
  };

  const connect = async () => {
    retry = undefined;
    if (stopped) return;
    const c = new pg.Client({ ...config, keepAlive: true });
    conn = c;
    let failed = false;
    c.on("error", () => {
      if (!failed && conn === c) {
        failed = true;
        down();
      }
    });
    c.on("end", () => {
      if (!failed && conn === c) {
        failed = true;
        down();
      }
    });
    c.on("notification", (n) => {
      if (n.channel === CHANGES_CHANNEL) emit();
    });
    try {
      // The triggers that notify exist once the schema is migrated.
      await ensure();
      await c.connect();
      // The listener alone never keeps a process alive (a CLI that forgot close() still exits).
      (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      const res = await c.query(`LISTEN ${CHANGES_CHANNEL}; SELECT pg_backend_pid() AS pid`);
      const rows = (Array.isArray(res) ? res[res.length - 1] : res) as pg.QueryResult;
      if (stopped || conn !== c) return;
      pid = Number(rows.rows[0]?.pid ?? 0) || null;
      pause = 50;
      isLive = true;
      // What changed while nobody listened is not known: drop everything once more.
      emit();
    } catch {
      if (!failed && conn === c) {
        failed = true;
        down();
      }
    }
  };

  return {
    live: () => isLive,
    async version() {
      await ensure();
      const row = (await client.all(VERSION))[0] ?? {};
      return `${String(row.instance)}:${String(row.accounts)}:${String(row.packages)}`;
    },
    subscribe(fn) {
      listeners.push(fn);
    },
    start() {
      if (started || stopped) return;
      started = true;
      void connect();
    },
    async close() {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      isLive = false;
      const c = conn;
      conn = null;
      await c?.end().catch(() => {});
    },
    listenerPid: () => pid,
  };
}
