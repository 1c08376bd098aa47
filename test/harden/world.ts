/**
 * Shared setup of the hardening tests: the conformance dataset (every engine, every distribution
 * strategy) behind `createFetchHandler` with the embedded signed blob storage over in-memory bytes.
 */
import { createSignedBlobStorage } from "../../src/blobs/signed.js";
import { utf8 } from "../../src/core/encoding.js";
import { createFetchHandler, type FetchHandlerOptions } from "../../src/http/fetch.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/types.js";
import { conformanceDatasetFile, IDS, TOKENS } from "../../src/testing/fixture.js";
import { loadDataset } from "../../src/dataset/load.js";

export { IDS, TOKENS };

/** A fixed clock inside the conformance dataset's validity. */
export const NOW = new Date("2026-03-01T12:00:30Z");

/** A request handler. */
export type Handler = (request: Request) => Promise<Response>;

/** The conformance dataset with a blob key on every uploaded artifact, so downloads 303 and blobs serve. */
export async function hardenStore(): Promise<Store> {
  const dataset = await loadDataset(conformanceDatasetFile());
  const withBlobs = { ...dataset, artifacts: dataset.artifacts.map((a) => (a.status === "UPLOADED" ? { ...a, blob: `${a.id}.bin` } : a)) };
  return createMemoryStore(withBlobs);
}

/** Bytes of every blob: the artifact id repeated, so a body names the artifact it came from. */
export function blobBytes(key: string): Uint8Array {
  return utf8(`blob:${key}`);
}

/** The signed blob storage over {@link blobBytes}; only keys of known artifacts exist. */
export function memoryBlobs(known: ReadonlySet<string>) {
  return createSignedBlobStorage({
    open: async (key) => {
      if (!known.has(key)) return null;
      const bytes = blobBytes(key);
      return { body: new Blob([bytes as BlobPart]).stream(), size: bytes.length };
    },
  });
}

/** A handler over {@link hardenStore} with blobs and a fixed clock. */
export async function hardenHandler(extra: Partial<FetchHandlerOptions> = {}): Promise<{ handler: Handler; store: Store }> {
  const store = await hardenStore();
  const known = new Set(Object.values(IDS).map((id) => `${id}.bin`));
  const handler = createFetchHandler({ store, blobs: memoryBlobs(known), now: () => NOW, ...extra });
  return { handler, store };
}

/** Authorization header values of the conformance dataset's principals. */
export const AUTH = {
  admin: `Bearer ${TOKENS.admin}`,
  product: `Bearer ${TOKENS.product}`,
  license: `Bearer ${TOKENS.license}`,
  user: `Bearer ${TOKENS.user}`,
  licenseKey: "License PRO-KEY",
  basicLicense: `Basic ${btoa("license:PRO-KEY")}`,
} as const;
