/**
 * The light node:http request serve hands the handler: its URL parts, `url`, header lookups and
 * header-size bound must be what `new URL(req.url, http://<Host>)` and a `Headers` of `rawHeaders`
 * give (the shape serve used before), for any request target, Host and header list.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toRequestLike } from "../../src/node/http.js";

const HOST_RULE = /^[A-Za-z0-9.\-:[\]]+$/;

/** A path (origin-form): one leading `/`, no `\\` before the query; anything else could name an authority. */
const ORIGIN_FORM = /^\/(?!\/)[^?\\]*(?:\?.*)?$/s;

/** What serve builds: a URL against the request's Host (or localhost) for a path target only, and every raw header appended to a Headers. */
function reference(target: string, raw: string[]) {
  if (!ORIGIN_FORM.test(target)) throw new Error("not origin-form");
  let hostValue: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === "host") { hostValue = raw[i + 1]; break; }
  const host = hostValue && HOST_RULE.test(hostValue) ? hostValue : "localhost";
  const url = new URL(target, `http://${host}`);
  if (url.origin !== new URL(`http://${host}`).origin) throw new Error("target moved the origin");
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  let bytes = 0;
  for (const [k, v] of headers) bytes += k.length + v.length + 4;
  return { url, headers, bytes };
}

const targetChars = fc.constantFrom("//evil.example", "/\\evil.example", "http://evil.example", ..."/./..%2e%2E%41?#a=b&c+ \\'\"|^[]{}`:@~!$*,;é中".split(""), "/", "/", "a", "v1", "%", "..", "%2e", "?x=1");
const target = fc.array(targetChars, { maxLength: 14 }).map((parts) => parts.join(""));
const hosts = fc.constantFrom(undefined, "127.0.0.1:8080", "LOCALHOST", "example.com:80", "example.com:0080", "a:b", "1.2.3", "[::1]:8080", "[::1", "0x7f.1", "", "x y", "a..b", "Dl.Example.COM:443");
const names = fc.constantFrom("Authorization", "authorization", "Accept", "accept-encoding", "If-None-Match", "IF-NONE-MATCH", "X-Forwarded-Host", "x-custom", "X_Custom", "x-cusTom", "hOsT");
const values = fc.constantFrom("License KEY-1", " padded ", "a, b", "", "W/\"abc\"", "gzip;q=1", "\tx\t");
const headerList = fc.array(fc.tuple(names, values), { maxLength: 6 });

describe("toRequestLike (serve's GET/HEAD request)", () => {
  it("splits URL and reads headers exactly as new URL and Headers do", () => {
    fc.assert(
      fc.property(fc.oneof(target, target.map((t) => `/${t}`), target.map((t) => `/v1/accounts/acme/${t}`)), hosts, headerList, (t, host, list) => {
        const raw: string[] = [];
        if (host !== undefined) raw.push("Host", host);
        for (const [k, v] of list) raw.push(k, v.trim());
        let expected: ReturnType<typeof reference> | null = null;
        try {
          expected = reference(t, raw);
        } catch {
          expected = null;
        }
        if (expected === null) {
          expect(() => toRequestLike({ method: "GET", url: t, rawHeaders: raw })).toThrow();
          return;
        }
        // Twice: the second split comes from the memo of recent targets and must be the same.
        for (let pass = 0; pass < 2; pass++) {
        const req = toRequestLike({ method: "GET", url: t, rawHeaders: raw });
        const parts = req.parts!;
        expect(parts.pathname).toBe(expected.url.pathname);
        expect(parts.search).toBe(expected.url.search);
        expect(parts.origin).toBe(expected.url.origin);
        expect(parts.protocol).toBe(expected.url.protocol);
        expect(req.url).toBe(expected.url.href);
        expect(req.method).toBe("GET");
        for (const name of ["authorization", "Accept", "ACCEPT-ENCODING", "if-none-match", "x-forwarded-host", "x-custom", "host", "absent"]) {
          expect(parts.headers.get(name)).toBe(expected.headers.get(name));
        }
        expect([...req.headers]).toEqual([...expected.headers]);
        expect(parts.headerBytesBound).toBeGreaterThanOrEqual(expected.bytes);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps HEAD and leaves other methods to a web Request with their body", async () => {
    expect(toRequestLike({ method: "HEAD", url: "/x", rawHeaders: [] }).method).toBe("HEAD");
    const { Readable } = await import("node:stream");
    const body = Object.assign(Readable.from([Buffer.from("hi")]), { method: "POST", url: "/y?z=1", rawHeaders: ["Host", "h:1"], headers: { host: "h:1" } });
    const req = toRequestLike(body);
    expect(req).toBeInstanceOf(Request);
    expect(req.url).toBe("http://h:1/y?z=1");
    expect(await (req as Request).text()).toBe("hi");
  });
});

describe("sendResult over node:http", () => {
  it("writes ASCII text kept as a string and encoded text alike: right bytes, right Content-Length", async () => {
    const { serveFetchHandler, toResultListener } = await import("../../src/node/http.js");
    const { finalizeResult } = await import("../../src/http/respond.js");
    // The long ones are remembered once found ASCII (or not): each is asked twice, and a remembered non-ASCII text would go out short.
    const bodies: Record<string, string> = { "/ascii": '{"url":"http://x/a b"}', "/utf8": '{"notes":"héllo – 中文 \uD83D\uDE00"}', "/ascii-long": `{"n":"${"a".repeat(300)}"}`, "/utf8-long": `{"n":"${"a".repeat(300)}é"}` };
    const server = await serveFetchHandler(
      { listener: toResultListener(async (req) => finalizeResult({ status: 200, headers: { "Content-Type": "application/json" }, body: bodies[req.parts?.pathname ?? ""] ?? "" }, req.method, (t) => Buffer.from(t), true)) },
      { port: 0, host: "127.0.0.1" },
    );
    try {
      const port = (server.address() as { port: number }).port;
      for (const [path, text] of [...Object.entries(bodies), ...Object.entries(bodies)]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect(new TextDecoder().decode(bytes)).toBe(text);
        expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
      }
    } finally {
      server.close();
    }
  });
});
