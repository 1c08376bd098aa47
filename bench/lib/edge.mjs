/**
 * @module bench/lib/edge — the in-process edge of bench/profile-edge and bench/profile-edge-ab: a
 * build's memory store behind `createRequestHandler` and `toResultListener` as `serve` builds them,
 * node:http-shaped requests answered into a response that only records what it is given, and W3's routes.
 */
import { ACCOUNT_PATH as A, buildWorld, discoverPaths, PYPI_PATH as pypiPath, WORLD } from "./world.mjs";

/** The listener of one build: `sdk` is its index module, `node` its node module (the same `dist/` or a copy). */
export function edgeListener(sdk, node) {
  const store = sdk.createMemoryStore(buildWorld({ tauri: 1_000, pypiFiles: 1_000, raw: 20 }));
  const handle = sdk.createRequestHandler({ store, onError: (e) => console.error(e) }, { encodeText: (text) => Buffer.from(text), keepAsciiText: true });
  return node.toResultListener(handle);
}

/** One GET through a listener: resolves with its status, headers and body. */
export function request(listener, url, headers) {
  return new Promise((resolve) => {
    const res = {
      statusCode: 200, headersSent: false, headers: null,
      writeHead(status, a, b) { this.statusCode = status; this.headers = typeof a === "string" ? b : a; this.headersSent = true; return this; },
      end(body) { resolve({ status: this.statusCode, headers: this.headers, body }); },
      on() { return this; }, once() { return this; }, write() { return true; }, destroy() {},
    };
    listener({ method: "GET", url, rawHeaders: ["Host", "127.0.0.1:8080", "User-Agent", "wrk", ...headers] }, res);
  });
}

const LICENSE = ["Authorization", `License ${WORLD.appKey}`];
const BASIC = ["Authorization", `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}`];
const PYPI_JSON = ["Accept", "application/vnd.pypi.simple.v1+json"];

/** The headers of a PyPI page revalidation that a listener answers 304 (its own ETag: builds may hash differently). */
export async function pypi304Headers(listener) {
  const first = await request(listener, pypiPath, [...BASIC, ...PYPI_JSON]);
  return [...BASIC, ...PYPI_JSON, "If-None-Match", first.headers.ETag ?? first.headers.etag];
}

/** A GET through a listener in the shape bench/lib/world's `discoverPaths` asks with (`url` is a path here, `headers` an object). */
const getThrough = (listener) => (url, headers) => request(listener, url, Object.entries(headers).flat());

/** W3's routes by name, each `{ paths, headers, status }`, with Tauri versions picked by asking `listener` which answer 200 and 204. */
export async function edgeRoutes(listener) {
  const { with200, upToDate } = await discoverPaths("", getThrough(listener));
  return {
    tauri200: { paths: with200, headers: LICENSE, status: 200 },
    tauri204: { paths: [upToDate], headers: LICENSE, status: 204 },
    raw303: { paths: [`${A}/engines/raw/app/@${WORLD.rawKey}/latest/${WORLD.rawFiles[0]}`], headers: LICENSE, status: 303 },
    pypi304: { paths: [pypiPath], headers: await pypi304Headers(listener), status: 304 },
    pypiPageGzip: { paths: [pypiPath], headers: [...BASIC, ...PYPI_JSON, "Accept-Encoding", "gzip"], status: 200 },
  };
}
