/**
 * @module node/dataset-file — read a dataset file from disk, with its artifact files.
 */
import { constants } from "node:fs";
import { open, readFile, realpath } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { DatasetError } from "../core/errors.js";
import { loadDataset, type Dataset } from "../dataset/load.js";

/** A loaded dataset and the folder its relative `file` paths (blob keys) resolve against. */
export interface LoadedDatasetFile {
  dataset: Dataset;
  root: string;
}

/**
 * Read, validate and load a dataset file; artifact files are read relative to its folder.
 * @throws {DatasetError} listing every problem; unreadable or non-JSON files are one problem.
 */
export async function loadDatasetFile(path: string): Promise<LoadedDatasetFile> {
  let text: string;
  try {
    // One read and one decode: `readFile(path, "utf8")` decodes a large file chunk by chunk into
    // a rope that JSON.parse must then flatten.
    text = (await readFile(path)).toString("utf8");
  } catch (error) {
    throw new DatasetError([{ path: "(file)", message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError([{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
  // The text can go before the records are built (it may be hundreds of megabytes).
  text = "";
  const root = await realpath(dirname(resolve(path)));
  const dataset = await loadDataset(json, {
    readFile: async (rel) => {
      try {
        const full = await realpath(resolve(root, rel));
        if (!full.startsWith(root + sep)) return null;
        return await readRegularFile(full, ARTIFACT_READ_TIMEOUT_MS);
      } catch (error) {
        if (error instanceof ArtifactReadError) throw error;
        return null;
      }
    },
  });
  return { dataset, root };
}

/** How long one artifact file may take to open and read before the load gives up on it. */
const ARTIFACT_READ_TIMEOUT_MS = 60_000;

/** An artifact file that exists but cannot be used (not a regular file, or too slow to read). */
class ArtifactReadError extends Error {}

/**
 * The bytes of a regular file. It is opened without blocking (a FIFO or device would otherwise hang
 * the open until a writer comes), checked to be a regular file, and read within `timeoutMs`.
 * @throws {ArtifactReadError} when it is not a regular file or the read takes too long.
 */
async function readRegularFile(path: string, timeoutMs: number): Promise<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ArtifactReadError(`not read within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const opening = open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let handle: Awaited<typeof opening> | undefined;
  try {
    handle = await Promise.race([opening, expired]);
    if (!(await handle.stat()).isFile()) throw new ArtifactReadError("not a regular file");
    return new Uint8Array(await Promise.race([handle.readFile(), expired]));
  } finally {
    clearTimeout(timer);
    // An open that only finishes after the timeout still gets its handle closed.
    if (handle !== undefined) await handle.close();
    else opening.then((late) => late.close()).catch(() => {});
  }
}
