/**
 * One HTTP/1.1 request written to a socket byte for byte, so that the request target reaches the
 * server exactly as given (`//host/…`, `/\host/…`, absolute-form), which `fetch` would normalise.
 */
import * as net from "node:net";

/** A parsed raw answer: status, lower-cased headers and the body as text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole answer as received (head and body). */
  text: string;
}

/** Send `METHOD target` with a Host of the server (unless `headers` gives one) and read the answer to the end. */
export function rawRequest(origin: string, method: string, target: string, headers: Record<string, string> = {}, body = ""): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${method} ${target}`)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m === null || end < 0) return reject(new Error(`no HTTP answer to ${method} ${target}: ${JSON.stringify(text.slice(0, 200))}`));
      const out: Record<string, string> = {};
      for (const line of text.slice(0, end).split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(m[1]), headers: out, body: text.slice(end + 4), text });
    });
    socket.on("connect", () => {
      const all: Record<string, string> = { Host: `${hostname}:${port}`, Connection: "close", ...headers };
      if (body !== "") all["Content-Length"] = String(Buffer.byteLength(body));
      const head = [`${method} ${target} HTTP/1.1`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`)].join("\r\n");
      socket.write(`${head}\r\n\r\n${body}`);
    });
  });
}
