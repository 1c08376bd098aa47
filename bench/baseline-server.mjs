/**
 * @module bench/baseline-server — W3's floor: a bare node:http server answering each route's
 * status, content type, `Location` and body captured from `release-engines serve`, as constants; with
 * `--same-headers`, every header of the captured answer (a spec entry's `allHeaders`) as well.
 * Usage: node bench/baseline-server.mjs SPEC.json [--same-headers] (prints `listening on http://HOST:PORT`).
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
/** `--same-headers`: answer with every header the captured answer had (`allHeaders`), not only its type, location and coding. */
const sameHeaders = process.argv[3] === "--same-headers";
const routes = new Map(Object.entries(spec).map(([name, r]) => {
  const headers = { ...(sameHeaders ? r.allHeaders : r.headers) };
  const body = Buffer.from(r.bodyBase64, "base64");
  if (r.status !== 204 && r.status !== 304) headers["content-length"] = String(body.byteLength);
  return [`/${name}`, { status: r.status, headers, body: r.status === 204 || r.status === 304 ? null : body }];
}));
const server = createServer((req, res) => {
  const route = routes.get(req.url.split("?")[0]);
  if (route === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(route.status, route.headers);
  res.end(route.body);
});
server.keepAliveTimeout = 5_000;
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => process.exit(0));
