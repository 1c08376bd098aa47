/**
 * @module node/file-uploads — where the embedded file storage writes uploads: a temporary file in
 * `<root>/.uploads/`, hashed as it is written, fsynced and renamed into place under its blob key.
 */
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, realpath, rename, rmdir, statfs, unlink, type FileHandle } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import type { PendingUpload, UploadSink } from "../blobs/receive.js";
import { SdkError } from "../core/errors.js";
import { safeRelativePath } from "../dataset/load.js";

/** The folder under the root temporary uploads are written to (on the same file system, so a rename is atomic). */
export const UPLOADS_FOLDER = ".uploads";
/** Blob keys this sink writes start with this folder; only those are ever removed. */
const OWN_PREFIX = "artifacts/";

/** An upload sink writing under `root`; blob keys that leave it, or that it did not write, are refused. */
export function createFileUploadSink(root: string): UploadSink {
  const base = resolve(root);
  /** The absolute path of a blob key inside the root; null for any key that is not plainly inside. */
  const pathOf = (blobKey: string): string | null => {
    const rel = safeRelativePath(blobKey);
    return rel === null || rel !== blobKey || !rel.startsWith(OWN_PREFIX) ? null : resolve(base, rel);
  };
  /** True when a folder (after symlinks) is still inside the root. */
  const inside = async (folder: string): Promise<boolean> => {
    const [real, top] = await Promise.all([realpath(folder), realpath(base)]);
    return real === top || real.startsWith(top.endsWith(sep) ? top : top + sep);
  };
  return {
    async begin({ sha512 }) {
      const folder = resolve(base, UPLOADS_FOLDER);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const temp = resolve(folder, randomBytes(16).toString("hex"));
      const handle = await open(temp, "wx+", 0o600);
      return pendingFile(handle, temp, sha512, async (blobKey) => {
        const full = pathOf(blobKey);
        if (full === null) throw new Error(`blob key '${blobKey}' is not one this storage writes`);
        await mkdir(dirname(full), { recursive: true });
        if (!(await inside(dirname(full)))) throw new Error(`blob key '${blobKey}' leaves the storage folder`);
        await rename(temp, full);
      });
    },
    async freeBytes() {
      const info = await statfs(base).catch(() => null);
      return info === null ? null : info.bavail * info.bsize;
    },
    async remove(blobKey) {
      const full = pathOf(blobKey);
      if (full === null) return;
      if (!(await inside(dirname(full)).catch(() => false))) return;
      await unlink(full).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      // Empty folders the upload made go too, up to (not including) `artifacts/`.
      for (let folder = dirname(full); folder.startsWith(resolve(base, OWN_PREFIX) + sep); folder = dirname(folder)) {
        if (!(await rmdir(folder).then(() => true, () => false))) break;
      }
    },
  };
}

/** A temporary file being written: hashed on the way in, moved by `move` on commit, unlinked on discard. */
function pendingFile(handle: FileHandle, temp: string, sha512: boolean, move: (blobKey: string) => Promise<void>): PendingUpload {
  const h256 = createHash("sha256");
  const h512 = sha512 ? createHash("sha512") : null;
  let position = 0;
  let closed = false;
  let digests: { sha256: string; sha512?: string } | undefined;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(chunk) {
      h256.update(chunk);
      h512?.update(chunk);
      let done = 0;
      try {
        while (done < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOSPC" || code === "EDQUOT") throw new SdkError(507, "The server ran out of room for the upload", { title: "Insufficient storage", code: "INSUFFICIENT_STORAGE", cause: error });
        throw error;
      }
    },
    async digests() {
      digests ??= { sha256: h256.digest("hex"), ...(h512 !== null ? { sha512: h512.digest("hex") } : {}) };
      return digests;
    },
    async read(offset, length) {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, position - offset)));
      if (buffer.byteLength === 0) return buffer;
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, offset);
      return buffer.subarray(0, bytesRead);
    },
    async commit(blobKey) {
      await handle.sync();
      await close();
      await move(blobKey);
    },
    async discard() {
      await close().catch(() => {});
      await unlink(temp).catch(() => {});
    },
  };
}

/** Temporary upload files are named with 32 hex digits; nothing else in the folder is touched. */
const TEMP_NAME = /^[0-9a-f]{32}$/;

/**
 * Remove what uploads cut short by a crash left in `<root>/.uploads/`: temporary files not written
 * to for `olderThanMs` (an upload in flight writes all the time, and a stalled one is closed by the
 * server's idle timeout long before). Returns how many were removed; a missing folder is none.
 */
export async function sweepUploadOrphans(root: string, olderThanMs: number, now = Date.now()): Promise<number> {
  const folder = resolve(root, UPLOADS_FOLDER);
  const names = await readdir(folder).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!TEMP_NAME.test(name)) continue;
    const path = resolve(folder, name);
    const info = await lstat(path).catch(() => null);
    if (info === null || !info.isFile() || now - info.mtimeMs < olderThanMs) continue;
    if (await unlink(path).then(() => true, () => false)) removed += 1;
  }
  return removed;
}
