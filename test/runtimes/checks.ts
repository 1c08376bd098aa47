/**
 * The one set of HTTP checks every runtime answers: requests sent over a socket with node:http (no
 * decoding, no redirects followed), and what of an answer must agree across runtimes.
 */
import * as http from "node:http";
import { gunzipSync } from "node:zlib";
import { IDS, TOKENS } from "../../src/testing/fixture.js";

/** The Host every check is sent with, so absolute URLs and ETags do not depend on the port. */
export const HOST = "dl.runtimes.test";

const A = "/v1/accounts/acme";
const admin = { authorization: `Bearer ${TOKENS.admin}` };

/** One request of the matrix; `head` names the GET check a HEAD must agree with, `ifNoneMatch` the check whose ETag to send. */
export interface Check {
  name: string;
  method?: "GET" | "HEAD";
  path: string;
  headers?: Record<string, string>;
  status: number;
  ifNoneMatch?: string;
  /** The check whose `Location` this one requests (a 303 followed by hand). */
  follow?: string;
}

/** The shared checks, in order (a check may use an earlier one's answer). */
export const CHECKS: Check[] = [
  { name: "pypi index", path: `${A}/engines/pypi/simple/`, headers: { authorization: `Basic ${btoa("license:PRO-KEY")}` }, status: 200 },
  { name: "pypi project, identity", path: `${A}/engines/pypi/simple/acme-tools/`, headers: admin, status: 200 },
  { name: "pypi project, gzip", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { ...admin, "accept-encoding": "gzip, deflate, br;q=0" }, status: 200 },
  { name: "pypi project, JSON", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { ...admin, accept: "application/vnd.pypi.simple.v1+json" }, status: 200 },
  { name: "pypi project, 304 to node's ETag", path: `${A}/engines/pypi/simple/acme-tools/`, headers: admin, ifNoneMatch: "pypi project, identity", status: 304 },
  { name: "pypi project, gzip, 304 to node's ETag", path: `${A}/engines/pypi/simple/acme-tools/`, headers: { ...admin, "accept-encoding": "gzip" }, ifNoneMatch: "pypi project, gzip", status: 304 },
  { name: "pypi project, anonymous 401", path: `${A}/engines/pypi/simple/acme-tools/`, status: 401 },
  { name: "pypi project, 301 to the normalized name", path: `${A}/engines/pypi/simple/Acme_Tools`, status: 301 },
  { name: "tauri 200", path: `${A}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.0.0`, status: 200 },
  { name: "tauri 204", path: `${A}/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.2.0`, status: 204 },
  { name: "raw 303", path: `${A}/engines/raw/cli/latest/tool_linux_amd64`, headers: { authorization: "License PRO-KEY" }, status: 303 },
  { name: "raw 303, followed (same host: the credential goes along)", path: "", headers: { authorization: "License PRO-KEY" }, follow: "raw 303", status: 303 },
  { name: "artifact 303", path: `${A}/artifacts/${IDS.artOpen}`, status: 303 },
  { name: "artifact 303, followed to the blob", path: "", follow: "artifact 303", status: 200 },
  { name: "release upgrade", path: `${A}/releases/${IDS.relTauri100}/upgrade`, status: 200 },
  { name: "engines list", path: `${A}/engines`, status: 200 },
  { name: "401 bad token", path: `${A}/engines`, headers: { authorization: "Bearer nope" }, status: 401 },
  { name: "404 unknown account", path: "/v1/accounts/ghost/engines", status: 404 },
  { name: "404 unknown route", path: "/v2/nothing", status: 404 },
];

/** Every GET check but the 304s, also sent as HEAD. */
export const HEAD_CHECKS: Check[] = CHECKS.filter((c) => c.ifNoneMatch === undefined).map((c) => ({ ...c, name: `HEAD ${c.name}`, method: "HEAD" as const }));

/** Headers whose values must agree across runtimes (Date, Connection and the like are the runtime's own). */
const COMPARED = ["content-type", "content-encoding", "cache-control", "etag", "last-modified", "vary", "location", "www-authenticate", "x-content-type-options"];

/** What an answer showed on the wire. */
export interface Observed {
  status: number;
  /** The compared headers, and `content-length` unless the body is compressed (compressors differ in bytes, not in content). */
  headers: Record<string, string>;
  /** The body decoded (gunzipped when so encoded), error ids replaced. */
  body: string;
  /** Bytes of body received, as sent (before decoding). */
  wireBytes: number;
  /** The `Content-Length` sent, if any. */
  contentLength: string | null;
  /** The raw header values of the answer (for follow-ups: Location, ETag). */
  raw: http.IncomingHttpHeaders;
}

/** Send one request to `origin` with the {@link HOST} header and read the answer to its end. */
export function send(origin: string, method: string, target: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers: { host: HOST, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode as number, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${method} ${target} from ${origin}`)));
    req.on("error", reject);
    req.end();
  });
}

/** Send a check and observe its answer; `earlier` holds the reference runtime's answers by check name. */
export async function observe(origin: string, check: Check, earlier: ReadonlyMap<string, Observed>, own: ReadonlyMap<string, Observed>): Promise<Observed> {
  const headers = { ...check.headers };
  if (check.ifNoneMatch !== undefined) headers["if-none-match"] = String(earlier.get(check.ifNoneMatch)?.raw.etag);
  let target = check.path;
  if (check.follow !== undefined) {
    const location = new URL(String(own.get(check.follow)?.raw.location));
    if (location.host !== HOST) throw new Error(`${check.follow}: Location ${location.href} is not on ${HOST}`);
    target = location.pathname + location.search;
  }
  const res = await send(origin, check.method ?? "GET", target, headers);
  const picked: Record<string, string> = {};
  for (const name of COMPARED) if (res.headers[name] !== undefined) picked[name] = String(res.headers[name]);
  const contentLength = res.headers["content-length"] === undefined ? null : String(res.headers["content-length"]);
  if (contentLength !== null && res.headers["content-encoding"] === undefined) picked["content-length"] = contentLength;
  const decoded = res.headers["content-encoding"] === "gzip" && res.bytes.length > 0 ? gunzipSync(res.bytes) : res.bytes;
  const body = decoded.toString("utf8").replace(/"meta":\{"id":"[0-9a-f-]{36}"\}/, '"meta":{"id":"ID"}');
  return { status: res.status, headers: picked, body, wireBytes: res.bytes.length, contentLength, raw: res.headers };
}
