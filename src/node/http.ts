/**
 * @module node/http — serve a fetch handler with node:http, streaming bodies both ways.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { EngineResult } from "../core/result.js";
import type { RequestLike } from "../http/fetch.js";

/** A node:http request as a web `Request` (bodies are only read for methods that have one). */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** A node:http request as the handler's lighter request shape (no body, no `AbortSignal`), for GET and HEAD. */
function toRequestLike(req: IncomingMessage, origin: string): RequestLike {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return { url: new URL(req.url ?? "/", origin).href, method: req.method ?? "GET", headers };
}

/** Bodies up to this size with a known length are written in one piece rather than streamed. */
const SMALL_BODY = 1024 * 1024;

/** Write a web `Response` to a node:http response, streaming its body. */
export async function sendWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === "set-cookie") return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (length <= SMALL_BODY) {
    res.end(new Uint8Array(await response.arrayBuffer()));
    return;
  }
  await pipeStream(response.body, res);
}

/** Stream a body to a node:http response, honouring back-pressure; the stream is cancelled if the client goes away. */
async function pipeStream(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((r) => res.once("drain", () => r()));
    }
    res.end();
  } catch {
    res.destroy();
  }
}

type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The request a node:http request stands for, or null after answering 400 for one that has none. */
function requestOf(req: IncomingMessage, res: ServerResponse): RequestLike | null {
  const host = req.headers.host && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : "localhost";
  try {
    const method = req.method ?? "GET";
    return method === "GET" || method === "HEAD" ? toRequestLike(req, `http://${host}`) : toWebRequest(req, `http://${host}`);
  } catch {
    res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request");
    return null;
  }
}

function failed(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
  res.end();
}

/** A node:http listener that answers with a fetch handler. */
export function toNodeListener(handler: (request: RequestLike) => Promise<Response>): NodeListener {
  return (req, res) => {
    const request = requestOf(req, res);
    if (request !== null) handler(request).then((response) => sendWebResponse(response, res)).catch(() => failed(res));
  };
}

/** Write a finalized engine result to a node:http response: known bodies in one write, streams piece by piece. */
export async function sendResult(result: EngineResult, res: ServerResponse): Promise<void> {
  res.writeHead(result.status, result.headers);
  const body = result.body;
  if (body === null) res.end();
  else if (typeof body === "string" || body instanceof Uint8Array) res.end(body);
  else await pipeStream(body, res);
}

/** A node:http listener over a request handler that answers plain results (no `Response` per request). */
export function toResultListener(handle: (request: RequestLike) => Promise<EngineResult>): NodeListener {
  return (req, res) => {
    const request = requestOf(req, res);
    if (request !== null) handle(request).then((result) => sendResult(result, res)).catch(() => failed(res));
  };
}

/** Start a node:http server for a fetch handler, or for a listener; resolves once it listens. */
export function serveFetchHandler(handler: ((request: RequestLike) => Promise<Response>) | { listener: NodeListener }, options: { port: number; host: string }): Promise<Server> {
  const listener = typeof handler === "function" ? toNodeListener(handler) : handler.listener;
  const server = createServer({ maxHeaderSize: 16 * 1024 }, listener);
  server.keepAliveTimeout = 5_000;
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolvePromise(server);
    });
  });
}
