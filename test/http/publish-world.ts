/**
 * The world of the publishing suites: the conformance dataset with a writer of every kind (admin,
 * developer, read-only and support users, a token for each product), a writable store of the run's
 * backend, a blob storage that mints upload URLs and records removals, and JSON:API request helpers.
 */
import type { BlobStorage } from "../../src/blobs/types.js";
import { loadDataset } from "../../src/dataset/load.js";
import type { SdkEvent } from "../../src/engines/publish/events.js";
import { createFetchHandler, type FetchHandlerOptions } from "../../src/http/fetch.js";
import type { Artifact } from "../../src/model/records.js";
import { conformanceDatasetFile, IDS, TOKENS } from "../../src/testing/fixture.js";
import type { WritableStore } from "../../src/store/write.js";
import { makeWritableStore } from "../helpers/store.js";

export { IDS, TOKENS };

/** Tokens of the extra principals this world adds. */
export const MORE_TOKENS = {
  developer: "dev-5555555555555555555555555555555555555555555555555555555555555555v3",
  readOnly: "ro-6666666666666666666666666666666666666666666666666666666666666666v3",
  support: "sup-7777777777777777777777777777777777777777777777777777777777777777v3",
  productApp: "prod-8888888888888888888888888888888888888888888888888888888888888888v3",
} as const;

/** Every kind of caller, by name: an Authorization header value, or null for anonymous. */
export const CALLERS = {
  admin: `Bearer ${TOKENS.admin}`,
  developer: `Bearer ${MORE_TOKENS.developer}`,
  readOnly: `Bearer ${MORE_TOKENS.readOnly}`,
  support: `Bearer ${MORE_TOKENS.support}`,
  /** The product token of `cli` (IDS.productLicensed). */
  product: `Bearer ${TOKENS.product}`,
  /** The product token of `app` (IDS.productOpen). */
  productApp: `Bearer ${MORE_TOKENS.productApp}`,
  licenseKey: "License PRO-KEY",
  licenseToken: `Bearer ${TOKENS.license}`,
  user: `Bearer ${TOKENS.user}`,
  anonymous: null,
} as const;

/** A caller's name. */
export type Caller = keyof typeof CALLERS;

/** The conformance dataset with the extra users and tokens. */
export async function publishDataset() {
  const file = conformanceDatasetFile();
  const acme = file.accounts[0] as (typeof file.accounts)[number];
  acme.users = [
    ...(acme.users ?? []),
    { id: "00000000-0000-4000-8000-000000004003", email: "dev@acme.test", role: "developer" },
    { id: "00000000-0000-4000-8000-000000004004", email: "ro@acme.test", role: "read-only" },
    { id: "00000000-0000-4000-8000-000000004005", email: "sup@acme.test", role: "support-agent" },
  ];
  acme.tokens = [
    ...(acme.tokens ?? []),
    { id: "00000000-0000-4000-8000-000000005005", bearer: { type: "user", id: "00000000-0000-4000-8000-000000004003" }, token: MORE_TOKENS.developer },
    { id: "00000000-0000-4000-8000-000000005006", bearer: { type: "user", id: "00000000-0000-4000-8000-000000004004" }, token: MORE_TOKENS.readOnly },
    { id: "00000000-0000-4000-8000-000000005007", bearer: { type: "user", id: "00000000-0000-4000-8000-000000004005" }, token: MORE_TOKENS.support },
    { id: "00000000-0000-4000-8000-000000005008", bearer: { type: "product", id: IDS.productOpen }, token: MORE_TOKENS.productApp },
  ];
  return loadDataset(file);
}

/** A blob storage that mints upload URLs under `/v1/uploads/` and remembers what it was asked to remove. */
export function recordingBlobs(): BlobStorage & { removed: string[]; uploads: string[] } {
  const removed: string[] = [];
  const uploads: string[] = [];
  return {
    removed,
    uploads,
    async presign({ artifact, origin }) {
      return `${origin}/v1/blobs/${artifact.id}?sig=test`;
    },
    async presignUpload({ artifact, origin, ttl, now }) {
      const url = `${origin}/v1/uploads/${artifact.id}?expires=${Math.floor(now.getTime() / 1000) + ttl}&sig=test`;
      uploads.push(url);
      return url;
    },
    async remove(_account, artifact: Artifact) {
      removed.push(artifact.id);
    },
  };
}

/** A handler over a fresh writable store, with the events it emitted. */
export interface World {
  store: WritableStore;
  handler: ReturnType<typeof createFetchHandler>;
  events: SdkEvent[];
  blobs: ReturnType<typeof recordingBlobs>;
  /** A request to `/v1/accounts/acme/<path>` as `caller`, with a JSON:API body when one is given. */
  call(method: string, path: string, caller: Caller, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** The instant every world's clock reads. */
export const NOW = new Date("2026-03-01T12:00:00.000Z");

/** A new world (its own store, so tests do not see each other's writes). */
export async function makeWorld(options: Partial<FetchHandlerOptions> = {}): Promise<World> {
  const store = await makeWritableStore(await publishDataset());
  const events: SdkEvent[] = [];
  const blobs = recordingBlobs();
  const handler = createFetchHandler({ store, blobs, now: () => NOW, onEvent: (e) => void events.push(e), ...options });
  const call = (method: string, path: string, caller: Caller, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { accept: "application/vnd.api+json", ...headers };
    const auth = CALLERS[caller];
    if (auth !== null) h.authorization = auth;
    const init: RequestInit = { method, headers: h, redirect: "manual" };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/vnd.api+json";
    }
    const url = path.startsWith("http") ? path : `http://localhost:8080/v1/accounts/acme${path}`;
    return handler(new Request(url, init));
  };
  return { store, handler, events, blobs, call };
}

/** A JSON:API error document's first error. */
export async function firstError(res: Response): Promise<{ title: string; detail: string; code?: string; source?: { pointer?: string; parameter?: string; header?: string } }> {
  const body = (await res.json()) as { errors: Array<{ title: string; detail: string; code?: string; source?: Record<string, string> }> };
  return body.errors[0] as never;
}

/** A release creation document. */
export function releaseDoc(attributes: Record<string, unknown>, relationships: Record<string, unknown> = {}) {
  return {
    data: {
      type: "releases",
      attributes: { channel: "stable", ...attributes },
      relationships: { product: { data: { type: "products", id: IDS.productLicensed } }, ...relationships },
    },
  };
}

/** An artifact creation document for a release. */
export function artifactDoc(release: string, attributes: Record<string, unknown>) {
  return { data: { type: "artifacts", attributes, relationships: { release: { data: { type: "releases", id: release } } } } };
}

/** A package creation document. */
export function packageDoc(attributes: Record<string, unknown>, product: string = IDS.productLicensed) {
  return { data: { type: "packages", attributes, relationships: { product: { data: { type: "products", id: product } } } } };
}
