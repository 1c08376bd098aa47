/**
 * @module node/dataset-file — read a dataset file from disk, with its artifact files.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { DatasetError } from "../core/errors.js";
import { loadParsedDataset, type Dataset } from "../dataset/load.js";
import { readDatasetBytes, sha256Beside, sha256Hex, type DatasetBytes } from "./dataset-read.js";

/** A loaded dataset and the folder its relative `file` paths (blob keys) resolve against. */
export interface LoadedDatasetFile {
  dataset: Dataset;
  root: string;
  /**
   * The hex SHA-256 of the file's bytes and of every artifact file it read (by path): the same files
   * give the same digest, a change to any of them another (the memory store's `sourceDigest`).
   */
  digest: string;
}

/**
 * Read, validate and load a dataset file; artifact files are read relative to its folder. `reading`:
 * its bytes, when a caller started reading them earlier ({@link readDatasetBytes} of the same path).
 * @throws {DatasetError} listing every problem; unreadable or non-JSON files are one problem.
 */
export async function loadDatasetFile(path: string, reading: Promise<DatasetBytes> = readDatasetBytes(path)): Promise<LoadedDatasetFile> {
  const { json, digest: fileDigest } = await readJsonFile(path, reading);
  const root = await realpath(dirname(resolve(path)));
  const read = new Map<string, string | null>();
  const dataset = await loadParsedDataset(json, {
    readFile: async (rel) => {
      const bytes = await readArtifactFile(root, rel);
      read.set(rel, bytes === null ? null : sha256Hex(bytes));
      return bytes;
    },
  });
  return { dataset, root, digest: sourceDigest(fileDigest, read) };
}

/** One digest of the dataset file's digest and those of the artifact files read, in path order (reads may finish in any order). */
function sourceDigest(fileDigest: string, read: ReadonlyMap<string, string | null>): string {
  if (read.size === 0) return fileDigest;
  const files = [...read].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify([fileDigest, files])).digest("hex");
}

/** An artifact file's bytes, read relative to `root`; null when it is missing or outside `root`. @throws {ArtifactReadError}. */
async function readArtifactFile(root: string, rel: string): Promise<Uint8Array | null> {
  try {
    const full = await realpath(resolve(root, rel));
    if (!full.startsWith(root + sep)) return null;
    return await readRegularFile(full, ARTIFACT_READ_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof ArtifactReadError) throw error;
    return null;
  }
}

/**
 * The file's bytes parsed as JSON, and their digest (worked out on another thread meanwhile). A
 * function of its own, so that neither the bytes nor the text (each the size of the file) outlives
 * it: an async function keeps its temporaries in its suspended frame, and `loadDatasetFile` waits
 * for minutes on the records while they would stay reachable.
 * @throws {DatasetError} for an unreadable file or one that is not JSON.
 */
async function readJsonFile(path: string, reading: Promise<DatasetBytes>): Promise<{ json: unknown; digest: string }> {
  const read = await reading;
  if (read.error !== undefined) throw new DatasetError([{ path: "(file)", message: `cannot read ${path}: ${read.error.code ?? "error"}` }]);
  const digesting = sha256Beside(read.bytes);
  const json = parseJson(read.bytes);
  return { json, digest: await digesting };
}

/** One decode and one parse: `readFile(path, "utf8")` decodes a large file chunk by chunk into a rope that JSON.parse must then flatten. */
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new DatasetError([{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
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
