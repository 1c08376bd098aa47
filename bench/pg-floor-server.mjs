/**
 * @module bench/pg-floor-server — W3's PostgreSQL floor: the bare node:http server of
 * bench/baseline-server.mjs that also makes, per request, the one statement a warm request of
 * `serve --database-url` makes (the change-version check), on a `pg` pool of the same size, then
 * answers the captured constant bytes. What is left between it and us is our own code.
 * Usage: node bench/pg-floor-server.mjs SPEC.json DATABASE_URL (prints `listening on http://HOST:PORT`).
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import pg from "pg";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const pool = new pg.Pool({ connectionString: process.argv[3], max: 10 });
const routes = new Map(Object.entries(spec).map(([name, r]) => {
  const headers = { ...r.headers };
  const body = Buffer.from(r.bodyBase64, "base64");
  if (r.status !== 204 && r.status !== 304) headers["content-length"] = String(body.byteLength);
  return [`/${name}`, { status: r.status, headers, body: r.status === 204 || r.status === 304 ? null : body }];
}));
// The text of src/sql/pg-changes.ts's VERSION statement, as a named (prepared) statement like ours.
const CHECK = {
  name: "floor_check",
  text: `SELECT (SELECT value FROM store_meta WHERE key = 'instance') AS instance,
  (SELECT coalesce(sum(revision), 0) FROM account_revisions) AS accounts,
  (SELECT coalesce(sum(revision), 0) || '/' || count(*) FROM package_revisions) AS packages`,
};
const server = createServer((req, res) => {
  const route = routes.get(req.url.split("?")[0]);
  if (route === undefined) {
    res.writeHead(404).end();
    return;
  }
  pool.query(CHECK).then(() => {
    res.writeHead(route.status, route.headers);
    res.end(route.body);
  }, (error) => {
    res.writeHead(500).end(String(error));
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => pool.end().finally(() => process.exit(0)));
