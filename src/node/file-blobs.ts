/**
 * @module node/file-blobs — the embedded default blob storage: files under one folder on local disk.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { createSignedBlobStorage, type SignedBlobStorageOptions } from "../blobs/signed.js";
import type { BlobStorage } from "../blobs/types.js";
import { safeRelativePath } from "../dataset/load.js";
import { createFileUploadSink } from "./file-uploads.js";

/** Options of {@link createFileBlobStorage}. */
export interface FileBlobStorageOptions extends Omit<SignedBlobStorageOptions, "open" | "uploads"> {
  /** The folder blob keys are relative to; nothing outside it is ever read. */
  root: string;
  /** Take uploads into `<root>/artifacts/` (through `<root>/.uploads/`); default true. */
  uploads?: boolean;
}

/**
 * Signed-URL blob storage over a folder; keys that leave the folder (`..`, absolute, symlinks out) are
 * refused. It takes uploads too (see {@link createFileUploadSink}), up to `maxUploadBytes` each.
 */
export function createFileBlobStorage(options: FileBlobStorageOptions): BlobStorage {
  // Resolved on first use, so a missing root is a 404 then, never an unhandled rejection now.
  let rootPromise: Promise<string | null> | undefined;
  const { uploads, ...signed } = options;
  return createSignedBlobStorage({
    ...signed,
    ...(uploads !== false ? { uploads: createFileUploadSink(options.root) } : {}),
    async open(blobKey) {
      const rel = safeRelativePath(blobKey);
      if (rel === null) return null;
      rootPromise ??= realpath(resolve(options.root)).catch(() => null);
      const root = await rootPromise;
      if (root === null) {
        rootPromise = undefined;
        return null;
      }
      let full: string;
      try {
        full = await realpath(resolve(root, rel));
      } catch {
        return null;
      }
      const prefix = root.endsWith(sep) ? root : root + sep;
      if (!full.startsWith(prefix)) return null;
      const info = await stat(full).catch(() => null);
      if (info === null || !info.isFile()) return null;
      const stream = createReadStream(full);
      return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, size: info.size };
    },
  });
}
