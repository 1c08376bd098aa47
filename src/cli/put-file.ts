/**
 * @module cli/put-file — the upload PUT: a file's bytes sent from disk to a signed upload URL with
 * node:http(s), `Content-Length` set, one chunk in flight at a time through one reused buffer, so
 * memory stays flat whatever the size.
 */
import { open } from "node:fs/promises";
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { CHUNK_BYTES } from "./file-info.js";

/** What the storage answered. */
export interface PutResult {
  status: number;
  /** The first 64 KiB of the answer (an error document, S3's XML, or nothing). */
  body: string;
}

const MAX_BODY = 64 * 1024;

/** A slice of the file (a multipart upload's part) and headers the signed URL needs (`x-amz-checksum-sha256`). */
export interface PutPart {
  /** Where the bytes start in the file (default 0). */
  offset?: number;
  headers?: Record<string, string>;
}

function write(req: ClientRequest, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => req.write(chunk, (error) => (error ? reject(error) : resolve())));
}

/**
 * PUT `size` bytes of a file (from `part.offset`, default the start) to a URL. No credentials are sent (the URL is signed; it may
 * be another host, such as an object store). `onBytes` sees each chunk once the socket took it.
 * An early answer (a refusal before the body is done) stops the sending.
 * @throws {Error} when the connection fails before an answer arrives, or the file is shorter than `size`.
 */
export async function putFile(url: URL, path: string, size: number, contentType: string, onBytes: (n: number) => void, userAgent: string, part: PutPart = {}): Promise<PutResult> {
  const file = await open(path, "r");
  const offset = part.offset ?? 0;
  try {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method: "PUT", headers: { ...part.headers, "Content-Length": String(size), "Content-Type": contentType, "User-Agent": userAgent } });
    let answered = false;
    const response = new Promise<PutResult>((resolve, reject) => {
      req.once("response", (res: IncomingMessage) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
        });
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.once("error", reject);
      });
      req.once("error", (error) => {
        if (!answered) reject(error);
      });
    });
    let done = false;
    const sending = (async () => {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let sent = 0;
      while (sent < size && !answered) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - sent), offset + sent);
        if (bytesRead === 0) throw new Error(`${path} is shorter than its ${size} bytes: it changed during the upload`);
        // The callback fires once the socket has the bytes, so the buffer can be read into again.
        await write(req, buffer.subarray(0, bytesRead));
        sent += bytesRead;
        onBytes(bytesRead);
      }
      if (!answered) req.end();
      done = true;
    })();
    // A failed read or write ends the request; its 'error' rejects `response` (unless answered already).
    sending.catch((error: unknown) => req.destroy(error as Error));
    try {
      return await response;
    } finally {
      // Answered before the body was done (an early refusal): stop sending.
      if (!done) req.destroy();
      await sending.catch(() => {});
    }
  } finally {
    await file.close();
  }
}
