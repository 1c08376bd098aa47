/**
 * Artifact downloads (Keygen §8.4, behaviours 79–81; SPEC §6): 303 to a signed, expiring,
 * bucketed URL served by the same handler; tampering, expiry, key rotation and Prefer handling.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createSignedBlobStorage, purposeKey, type SignedBlobStorageOptions } from "../../src/blobs/signed.js";
import { hmacSha256Hex } from "../../src/core/crypto.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { Store } from "../../src/store/types.js";
import { AUTH, BLOBS, DEMO_TOKENS, IDS, makeStore, simple } from "../pypi/fixture.js";

// Not on a bucket boundary, so T0 and T0 + 60 s share a bucket.
const T0 = Date.parse("2026-03-01T12:00:30Z");

function blobs(keys?: SignedBlobStorageOptions["keys"]) {
  return createSignedBlobStorage({
    ...(keys ? { keys } : {}),
    open: async (key) => {
      const bytes = BLOBS[key];
      return bytes === undefined ? null : { body: new Blob([bytes as BlobPart]).stream(), size: bytes.length };
    },
  });
}

let store: Store;
let clock = T0;
const now = () => new Date(clock);
let h: (r: Request) => Promise<Response>;
let wheelUrl: string;
let accountId: string;

beforeAll(async () => {
  store = await makeStore();
  h = createFetchHandler({ store, blobs: blobs(), now });
  const json = await (await simple(h, "demo", "demo-pkg/", { accept: "application/vnd.pypi.simple.v1+json" })).json();
  wheelUrl = json.files.find((f: { filename: string }) => f.filename === "demo_pkg-1.0.0-py3-none-any.whl").url;
  accountId = /accounts\/([^/]+)\//.exec(wheelUrl)?.[1] as string;
});

const get = (url: string, headers: Record<string, string> = {}, handler = h, method = "GET") => handler(new Request(url, { headers, method }));

describe("redirect (79–81)", () => {
  it("answers 303 to a signed URL naming a key id, with the artifact document and links.redirect", async () => {
    clock = T0;
    const res = await get(wheelUrl);
    expect(res.status).toBe(303);
    const location = res.headers.get("location") as string;
    expect(location).toMatch(new RegExp(`^http://localhost/v1/blobs/${accountId}/[0-9a-f-]{36}/demo_pkg-1.0.0-py3-none-any.whl\\?expires=\\d+&kid=d1&signature=[0-9a-f]{64}$`));
    const doc = await res.json();
    expect(doc.data.type).toBe("artifacts");
    expect(doc.data.attributes.filename).toBe("demo_pkg-1.0.0-py3-none-any.whl");
    expect(doc.data.links.redirect).toBe(location);
  });

  it("streams the bytes with Content-Length, Content-Type, ETag and no Content-Encoding", async () => {
    const location = (await get(wheelUrl)).headers.get("location") as string;
    const res = await get(location, { "accept-encoding": "gzip" });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body).toEqual(BLOBS["demo_pkg-1.0.0-py3-none-any.whl"]);
    expect(res.headers.get("content-length")).toBe(String(body.length));
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await get(location, { "if-none-match": res.headers.get("etag") as string })).status).toBe(304);
    const head = await get(location, {}, h, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(body.length));
  });

  it("gives the same URL within a time bucket and a later one after it", async () => {
    clock = T0;
    const a = (await get(wheelUrl)).headers.get("location");
    clock = T0 + 60_000;
    const b = (await get(wheelUrl)).headers.get("location");
    expect(b).toBe(a);
    clock = T0 + 301_000;
    const c = (await get(wheelUrl)).headers.get("location");
    expect(c).not.toBe(a);
    const expires = Number(new URL(a as string).searchParams.get("expires"));
    expect(expires % 300).toBe(0);
    expect(expires * 1000 - T0).toBeGreaterThanOrEqual(900_000);
    expect(expires * 1000 - T0).toBeLessThan(900_000 + 300_000);
    clock = T0;
  });

  it("honours Prefer: no-redirect (header or query) and no-download; ignores prefer[]", async () => {
    const nr = await get(wheelUrl, { prefer: "no-redirect" });
    expect(nr.status).toBe(200);
    expect(nr.headers.get("location")).toBe((await nr.json()).data.links.redirect);
    expect((await get(`${wheelUrl}?prefer=no-redirect`)).status).toBe(200);
    const nd = await get(wheelUrl, { prefer: "no-download" });
    expect(nd.status).toBe(200);
    expect(nd.headers.get("location")).toBeNull();
    expect((await nd.json()).data.links.redirect).toBeUndefined();
    expect((await get(`${wheelUrl}?prefer[]=no-redirect`)).status).toBe(303);
  });

  it("honours ?ttl for product/admin bearers only (81)", async () => {
    clock = T0;
    const expiresOf = async (res: Response) => Number(new URL(res.headers.get("location") as string).searchParams.get("expires"));
    const admin = await expiresOf(await get(`${wheelUrl}?ttl=604800`, { authorization: AUTH.demoAdmin }));
    expect(admin * 1000 - T0).toBeGreaterThanOrEqual(604_800_000);
    const anon = await expiresOf(await get(`${wheelUrl}?ttl=604800`));
    expect(anon * 1000 - T0).toBeLessThan(1_200_000);
  });

  it("answers an admin 200 without a redirect for a WAITING file (80)", async () => {
    const url = `http://localhost/v1/accounts/${IDS.account}/artifacts/${IDS.artWhlWaiting}`;
    const res = await get(url, { authorization: AUTH.admin });
    expect(res.status).toBe(200);
    expect((await res.json()).data.links.redirect).toBeUndefined();
  });

  it("keeps yanked files downloadable for whoever could see them were they published (SPEC 19: pip installs pinned yanked versions)", async () => {
    for (const headers of [{ authorization: AUTH.demoAdmin }, {}] as Record<string, string>[]) {
      const json = await (await simple(h, "demo", "demo-pkg/", { ...headers, accept: "application/vnd.pypi.simple.v1+json" })).json();
      const yanked = json.files.find((f: { filename: string }) => f.filename === "demo_pkg-0.9.0-py3-none-any.whl");
      expect(yanked.yanked).toBe('broken "build"');
      const res = await get(yanked.url, headers);
      expect(res.status).toBe(303);
      // The redirect serves the bytes.
      const blob = await get(res.headers.get("location") as string);
      expect(blob.status).toBe(200);
      expect(await blob.text()).toBe("wheel 0.9.0 bytes");
    }
    // A LICENSED product's yanked file: its license finds it (no blob here: the document), anonymous callers do not.
    const licensed = `http://localhost/v1/accounts/${IDS.account}/artifacts/${IDS.artWhlYanked}`;
    expect((await get(licensed, { authorization: AUTH.licenseToken })).status).toBe(200);
    expect((await get(licensed)).status).toBe(404);
  });

  it("404s what the caller may not see and 403s a blocked license with the reason", async () => {
    const lic = await (await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY"), accept: "application/vnd.pypi.simple.v1+json" })).json();
    const url = lic.files[0].url;
    expect((await get(url)).status).toBe(404);
    expect((await get(url, { authorization: AUTH.basicLicense("LIC-KEY") })).status).toBe(303);
    const suspended = await get(url, { authorization: `Bearer ${DEMO_TOKENS.suspended}` });
    expect(suspended.status).toBe(403);
    expect((await suspended.json()).errors[0].detail).toContain("license is suspended");
  });

  it("serves <file URL>.metadata from the sibling artifact and 404s a missing one", async () => {
    const res = await get(`${wheelUrl}.metadata`);
    expect(res.status).toBe(303);
    expect((await res.json()).data.attributes.filename).toBe("demo_pkg-1.0.0-py3-none-any.whl.metadata");
    const sdist = wheelUrl.replace(/[^/]+\/[^/]+$/, "x/demo_pkg-1.0.0.tar.gz");
    expect((await get(`${sdist}.metadata`)).status).toBe(404);
  });
});

describe("signed URLs", () => {
  const signed = async () => new URL((await get(wheelUrl)).headers.get("location") as string);

  it("answers 403 to a tampered signature, expiry, artifact or key id", async () => {
    clock = T0;
    const url = await signed();
    const cases: Array<(u: URL) => void> = [
      (u) => u.searchParams.set("signature", (u.searchParams.get("signature") as string).replace(/^./, (c) => (c === "0" ? "1" : "0"))),
      (u) => u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 300)),
      (u) => u.searchParams.set("kid", "a2"),
      (u) => u.searchParams.delete("signature"),
      (u) => u.searchParams.set("signature", "zz"),
    ];
    for (const tamper of cases) {
      const u = new URL(url);
      tamper(u);
      expect((await get(u.toString())).status).toBe(403);
    }
    const other = new URL(url);
    const parts = other.pathname.split("/");
    parts[4] = "00000000-0000-4000-8000-000000000000";
    other.pathname = parts.join("/");
    expect((await get(other.toString())).status).toBe(403);
  });

  it("answers 403 once the URL has expired", async () => {
    clock = T0;
    const url = await signed();
    clock = Number(url.searchParams.get("expires")) * 1000 + 1;
    expect((await get(url.toString())).status).toBe(403);
    clock = T0;
  });

  it("never takes a secret from a prototype key (kid=constructor, toString, __proto__)", async () => {
    clock = T0;
    const url = await signed();
    const [, , , acc, art] = url.pathname.split("/");
    const expires = url.searchParams.get("expires") as string;
    for (const [kid, key] of [["constructor", "[object Object]"], ["toString", "[object Undefined]"], ["__proto__", "[object Object]"], ["valueOf", "[object Object]"]]) {
      const u = new URL(url);
      u.searchParams.set("kid", kid as string);
      u.searchParams.set("signature", await hmacSha256Hex(key as string, `${kid}\n${acc}\n${art}\n${expires}`));
      expect((await get(u.toString())).status).toBe(403);
    }
  });

  it("the filename in a signed path only names the download; it never selects a file", async () => {
    const url = await signed();
    url.pathname = url.pathname.replace(/[^/]+$/, "..%2F..%2Fetc%2Fpasswd");
    const res = await get(url.toString());
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(BLOBS["demo_pkg-1.0.0-py3-none-any.whl"]);
  });

  it("rotates keys: URLs of a retired-but-kept key id still work, of a dropped one do not", async () => {
    clock = T0;
    const secret = "demo-secret-key-0123456789abcdef";
    const old = createFetchHandler({ store, blobs: blobs({ current: "k1", secrets: { k1: "first-secret" } }), now });
    const url = (await get(wheelUrl, {}, old)).headers.get("location") as string;
    expect(new URL(url).searchParams.get("kid")).toBe("k1");
    const rotated = createFetchHandler({ store, blobs: blobs({ current: "k2", secrets: { k1: "first-secret", k2: () => secret } }), now });
    expect((await get(url, {}, rotated)).status).toBe(200);
    expect(new URL((await get(wheelUrl, {}, rotated)).headers.get("location") as string).searchParams.get("kid")).toBe("k2");
    const dropped = createFetchHandler({ store, blobs: blobs({ current: "k2", secrets: { k2: () => secret } }), now });
    expect((await get(url, {}, dropped)).status).toBe(403);
  });

  it("signs with a key derived for downloads (kid d1), never the secret itself; legacy a1 URLs keep working until they expire", async () => {
    clock = T0;
    const url = await signed();
    const [, , , acc, art] = url.pathname.split("/");
    const expires = url.searchParams.get("expires") as string;
    const secret = "demo-secret-key-0123456789abcdef";
    const message = (kid: string) => `${kid}\n${acc}\n${art}\n${expires}`;
    expect(url.searchParams.get("kid")).toBe("d1");
    expect(url.searchParams.get("signature")).toBe(await hmacSha256Hex(await purposeKey(secret, "download"), message("d1")));
    const tryWith = async (kid: string, signature: string) => {
      const u = new URL(url);
      u.searchParams.set("kid", kid);
      u.searchParams.set("signature", signature);
      return (await get(u.toString())).status;
    };
    // What a URL minted before key separation looks like, and what a token digest of the message would be.
    expect(await tryWith("a1", await hmacSha256Hex(secret, message("a1")))).toBe(200);
    expect(await tryWith("d1", await hmacSha256Hex(secret, message("d1")))).toBe(403);
    expect(await tryWith("a1", await hmacSha256Hex(await purposeKey(secret, "download"), message("a1")))).toBe(403);
    expect(await tryWith("d1", await hmacSha256Hex(await purposeKey(secret, "upload"), message("d1")))).toBe(403);
    clock = Number(expires) * 1000;
    expect(await tryWith("a1", await hmacSha256Hex(secret, message("a1")))).toBe(403);
    clock = T0;
    expect(() => blobs({ current: "a1", secrets: { a1: "x" } })).toThrow(/legacy/);
  });
});
