/**
 * Shared helpers for the Tauri and upgrade tests: a handler over a dataset file, and the Tauri
 * updater's own acceptance rules (clients.md A.5) as assertions.
 */
import { expect } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import type { DatasetFile } from "../../src/dataset/schema.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { makeStore } from "../helpers/store.js";

/** A fetch handler serving `file` from the run's test store (memory, or SQL per `RE_TEST_STORE`). */
export async function handlerFor(file: DatasetFile, now = new Date("2026-06-01T00:00:00Z")): Promise<(request: Request) => Promise<Response>> {
  const store = await makeStore(await loadDataset(file));
  return createFetchHandler({ store, now: () => now });
}

/** A fetch handler serving `file` from a memory store always (property tests build hundreds of stores). */
export async function memoryHandlerFor(file: DatasetFile, now = new Date("2026-06-01T00:00:00Z")): Promise<(request: Request) => Promise<Response>> {
  return createFetchHandler({ store: createMemoryStore(await loadDataset(file)), now: () => now });
}

/** GET a path (or absolute URL) with optional headers. */
export function get(handler: (request: Request) => Promise<Response>, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = path.startsWith("http") ? path : `http://localhost${path}`;
  return handler(new Request(url, { headers }));
}

// The semver crate's grammar after the updater strips leading `v`s (clients.md A.5).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// RFC 3339 date-time as the `time` crate parses it.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Assert a dynamic-update answer is one the Tauri updater accepts (or a 204 with an empty body); returns the JSON body on 200. */
export async function expectTauriAcceptable(res: Response): Promise<Record<string, unknown> | null> {
  if (res.status === 204) {
    expect(await res.text()).toBe("");
    return null;
  }
  expect(res.status).toBe(200);
  const body = JSON.parse(await res.text()) as Record<string, unknown>;
  expect(typeof body.version).toBe("string");
  expect((body.version as string).replace(/^v+/, "")).toMatch(SEMVER);
  expect(typeof body.url).toBe("string");
  expect(() => new URL(body.url as string)).not.toThrow();
  expect(typeof body.signature).toBe("string");
  expect((body.signature as string).length).toBeGreaterThan(0);
  if ("pub_date" in body) {
    expect(typeof body.pub_date).toBe("string");
    expect(body.pub_date as string).toMatch(RFC3339);
  }
  if ("notes" in body) expect(typeof body.notes).toBe("string");
  expect("platforms" in body).toBe(false);
  return body;
}
