/**
 * @module cli/put-file — the upload PUT: a file streamed from disk to a signed upload URL with
 * node:http(s), `Content-Length` set, backpressure kept, never read whole into memory.
 */
import { createReadStream } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** What the storage answered. */
export interface PutResult {
  status: number;
  /** The first 64 KiB of the answer (an error document, S3's XML, or nothing). */
  body: string;
}

const MAX_BODY = 64 * 1024;

/**
 * PUT a file's bytes to a URL. No credentials are sent (the URL is signed; it may be another host,
 * such as an object store). `onBytes` sees each chunk as it is handed to the socket.
 * @throws {Error} when the connection fails before an answer arrives.
 */
export function putFile(url: URL, path: string, size: number, contentType: string, onBytes: (n: number) => void, userAgent: string): Promise<PutResult> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method: "PUT", headers: { "Content-Length": String(size), "Content-Type": contentType, "User-Agent": userAgent } });
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    let answered = false;
    file.on("data", (chunk) => onBytes((chunk as Buffer).length));
    file.once("error", (error) => req.destroy(error));
    req.once("response", (res: IncomingMessage) => {
      answered = true;
      // An early refusal (403, 413, …) ends the transfer: stop reading the file.
      if ((res.statusCode ?? 0) >= 300) file.destroy();
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
      });
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.once("error", (error) => reject(error));
    });
    req.once("error", (error) => {
      if (!answered) reject(error);
    });
    file.pipe(req);
  });
}
