/**
 * The deployments the publish e2e runs its scenario on: memory in-process over node:http, SQLite
 * (`serve --db --seed`) and PostgreSQL (two `serve` processes on one database and one blob folder,
 * writes on the first and reads on the second). Each starts from a copy of examples/demo.
 */
import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { SdkEvent } from "../../src/engines/publish/events.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { toNodeListener } from "../../src/node/http.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { ROOT, startListening, type Started } from "../helpers/process.js";
import { startPgCluster, type PgCluster } from "../sql/pg-cluster.js";

/** The demo the targets serve. */
export const DEMO = join(ROOT, "examples", "demo");

/** A running deployment: where to write, where to read (another server on PostgreSQL), its logs, how to stop it. */
export interface Running {
  writer: string;
  reader: string;
  /** The handler's `onEvent` calls, when the target runs in this process. */
  events?: SdkEvent[];
  logs(): string;
  stop(): Promise<void>;
  /** Restart the reading server on the same store and blob folder (its origin may change). */
  restart?(): Promise<void>;
}

/** A store to run the scenario on. */
export interface Target {
  name: string;
  /** True when {@link Running.events} is recorded. */
  inProcess?: boolean;
  /** True when {@link Running.restart} exists (the store outlives the process). */
  durable?: boolean;
  start(dir: string): Promise<Running>;
}

/** A copy of the demo (dataset and blobs) in `dir`, so uploads and imports never touch examples/. */
function copyDemo(dir: string): string {
  cpSync(DEMO, dir, { recursive: true });
  return join(dir, "dataset.json");
}

/** `release-engines serve …args --port 0`, with the one spawn helper. */
async function serve(args: string[]): Promise<Started> {
  return startListening(["src/cli.ts", "serve", ...args, "--port", "0", "--log-format", "text"]);
}

/** The last 40 lines of a log. */
export const tail = (text: string) => text.split("\n").slice(-40).join("\n");

/** Every target, memory first (the fastest to fail). */
export const TARGETS: Target[] = [
  {
    name: "memory, in-process over node:http",
    inProcess: true,
    async start(dir) {
      const { dataset } = await loadDatasetFile(copyDemo(dir));
      const store = createWritableMemoryStore(dataset);
      const events: SdkEvent[] = [];
      const handler = createFetchHandler({ store, blobs: createFileBlobStorage({ root: dir }), onEvent: (event) => void events.push(event) });
      const server: Server = createServer(toNodeListener(handler));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        writer: origin,
        reader: origin,
        events,
        logs: () => "(in-process: no server log)",
        stop: () => new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      };
    },
  },
  {
    name: "SQLite, serve --db --seed",
    durable: true,
    async start(dir) {
      const args = ["--db", join(dir, "x.sqlite"), "--seed", join(DEMO, "dataset.json")];
      let server = await serve(args);
      const running: Running = {
        writer: server.origin,
        reader: server.origin,
        logs: () => server.output(),
        stop: async () => void (await server.stop()),
        async restart() {
          await server.stop();
          server = await serve(args);
          running.writer = running.reader = server.origin;
        },
      };
      return running;
    },
  },
  {
    name: "PostgreSQL, two serve processes on one database (write on A, read on B)",
    durable: true,
    async start(dir) {
      const cluster: PgCluster = await startPgCluster();
      const servers: Started[] = [];
      let url = "";
      const stop = async () => {
        for (const s of servers) await s.stop();
        cluster.destroy();
      };
      try {
        url = await cluster.createDatabase("e2epub");
        const file = copyDemo(dir);
        const imported = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["src/cli.ts", "import", file, "--database-url", url], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
        if (imported.status !== 0) throw new Error(`import failed (${imported.status}): ${imported.stdout}${imported.stderr}`);
        // One blob folder for both: what A's upload URL writes under <dir>/artifacts/, B reads.
        for (let i = 0; i < 2; i++) servers.push(await serve(["--database-url", url, "--blobs", dir]));
      } catch (error) {
        await stop();
        throw error;
      }
      const a = servers[0] as Started;
      const running: Running = {
        writer: a.origin,
        reader: (servers[1] as Started).origin,
        logs: () => `--- server A (writer)\n${tail(a.output())}\n--- server B (reader)\n${tail((servers[1] as Started).output())}`,
        stop,
        async restart() {
          await (servers[1] as Started).stop();
          servers[1] = await serve(["--database-url", url, "--blobs", dir]);
          running.reader = servers[1].origin;
        },
      };
      return running;
    },
  },
];

