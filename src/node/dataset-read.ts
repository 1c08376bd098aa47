/**
 * @module node/dataset-read — a dataset file's bytes read into shared memory, and their SHA-256 worked
 * out on another thread while this one parses them (at 100,000 releases the file is ~250 MB: the
 * digest is ~130 ms, the parse ~900 ms). Light on purpose: serve starts the read before it loads the
 * server's modules, so the two overlap.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/** A dataset file's bytes, or why they could not be read. Never a rejection: a read started early may be awaited late. */
export type DatasetBytes = { bytes: Buffer; error?: undefined } | { bytes?: undefined; error: NodeJS.ErrnoException };

/** Bytes asked of the file per read. */
const CHUNK = 16 * 2 ** 20;
/** Bytes asked of a file already read to the size its stat gave, to tell its end from more. */
const PROBE = 64 * 1024;

/** Read a file whole into a buffer over a SharedArrayBuffer (as `readFile` reads it: to its end, however its size changes meanwhile). */
export async function readDatasetBytes(path: string): Promise<DatasetBytes> {
  try {
    const handle = await open(path, "r");
    try {
      let buffer = Buffer.from(new SharedArrayBuffer((await handle.stat()).size));
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          // Full: more only when the file grew since its stat (or is not a regular file).
          const probe = Buffer.allocUnsafe(PROBE);
          const { bytesRead } = await handle.read(probe, 0, PROBE, null);
          if (bytesRead === 0) break;
          const larger = Buffer.from(new SharedArrayBuffer(Math.max(buffer.length * 2, length + bytesRead)));
          buffer.copy(larger, 0, 0, length);
          probe.copy(larger, length, 0, bytesRead);
          buffer = larger;
          length += bytesRead;
          continue;
        }
        const { bytesRead } = await handle.read(buffer, length, Math.min(CHUNK, buffer.length - length), null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return { bytes: buffer.subarray(0, length) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
}

/** The worker: the hex SHA-256 of the shared bytes it is handed. */
const DIGEST_WORKER = `const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
parentPort.postMessage(createHash("sha256").update(new Uint8Array(workerData.buffer, workerData.offset, workerData.length)).digest("hex"));`;

/** The hex SHA-256 of some bytes, on this thread (native: hundreds of MB at 100,000 releases). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Below this many bytes the digest (~0.5 ms per MiB) costs less than starting a worker (~35 ms of CPU). */
const WORKER_MIN_BYTES = 32 * 2 ** 20;

/**
 * The hex SHA-256 of `bytes`, worked out on a worker thread when they are large, lie in a
 * SharedArrayBuffer (they must not change until it answers) and this process may run on more than
 * one core (on one, the worker would only add its start); else, or when no worker can start, here.
 */
export function sha256Beside(bytes: Uint8Array, cores = availableParallelism()): Promise<string> {
  if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.byteLength < WORKER_MIN_BYTES || cores < 2) return Promise.resolve(sha256Hex(bytes));
  return new Promise((resolve) => {
    let done = false;
    const fallback = () => {
      if (done) return;
      done = true;
      resolve(sha256Hex(bytes));
    };
    try {
      const worker = new Worker(DIGEST_WORKER, { eval: true, workerData: { buffer: bytes.buffer, offset: bytes.byteOffset, length: bytes.byteLength } });
      worker.once("message", (hex: unknown) => {
        if (done) return;
        done = true;
        resolve(String(hex));
      });
      worker.once("error", fallback);
      worker.once("exit", fallback);
    } catch {
      fallback();
    }
  });
}
