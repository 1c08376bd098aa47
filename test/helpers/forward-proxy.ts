/**
 * A plain HTTP forward proxy that sends every request to one server, keeping its `Host` header: real
 * clients (pip `--proxy`, curl `-x`) then reach made-up host names such as `pypi.dl.test` without DNS.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A started proxy: its URL and a stop. */
export interface ForwardProxy {
  url: string;
  /** Host headers of the requests it forwarded, in order. */
  hosts: string[];
  stop: () => Promise<void>;
}

/** Start a proxy on 127.0.0.1 that forwards absolute-form requests (`GET http://host/path`) to `target` (an origin). */
export async function startForwardProxy(target: string): Promise<ForwardProxy> {
  const to = new URL(target);
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://invalid");
    hosts.push(req.headers.host ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hosts, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
