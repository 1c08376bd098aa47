/**
 * Issue 19 item 3: a conditional request is answered only after authorization. Every route that
 * can answer 304 (PyPI pages, Tauri updates, blob downloads) refuses a caller it refuses without
 * `If-None-Match`/`If-Modified-Since`, for GET and HEAD, on the run's store (memory or SQL), and
 * whether or not an allowed caller has already put the page in the cache.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPageCache } from "../../src/engines/pypi/cache.js";
import { AUTH, DEMO_TOKENS, makeHandler, PIP_ACCEPT, simple } from "../pypi/fixture.js";
import { TOKENS as TAURI_TOKENS, tauriDataset } from "../tauri/fixture.js";
import { get, handlerFor } from "../tauri/support.js";

type Handler = (r: Request) => Promise<Response>;

/** Conditional headers that would make a page "not modified" for anyone allowed to see it. */
const CONDITIONS = (etag: string): Array<Record<string, string>> => [
  { "if-none-match": "*" },
  { "if-none-match": etag },
  { "if-none-match": `"nope", ${etag.replace(/^W\//, "")}` },
  { "if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT" },
];

describe("PyPI project pages: 403 before 304 (issue 19 item 3)", () => {
  let h: Handler;
  beforeAll(async () => {
    h = await makeHandler({ pypi: { cache: createPageCache() } });
  });

  it("a suspended license authenticated by token gets 403 with and without conditions, GET and HEAD", async () => {
    const allowed = await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY") });
    expect(allowed.status).toBe(200);
    const etag = allowed.headers.get("etag") as string;
    for (const accept of [undefined, PIP_ACCEPT]) {
      for (const method of ["GET", "HEAD"]) {
        const base: Record<string, string> = { authorization: `Bearer ${DEMO_TOKENS.suspended}`, ...(accept ? { accept } : {}) };
        const plain = await simple(h, "demo", "lic-pkg/", base, method);
        expect(plain.status, `${method} ${accept}`).toBe(403);
        for (const condition of CONDITIONS(etag)) {
          const res = await simple(h, "demo", "lic-pkg/", { ...base, ...condition }, method);
          expect(res.status, `${method} ${accept} ${JSON.stringify(condition)}`).toBe(403);
          // A refusal carries no validator of the page it refuses.
          expect(res.headers.get("etag")).toBeNull();
          expect(res.headers.get("last-modified")).toBeNull();
        }
      }
    }
  });

  it("a suspended license by key, and a caller without access, are refused the same way under conditions", async () => {
    for (const authorization of [AUTH.basicLicense("SUSPENDED-KEY"), AUTH.basicLicense("CLOSED-KEY")]) {
      for (const condition of CONDITIONS('W/"x"')) {
        const res = await simple(h, "demo", "lic-pkg/", { authorization, ...condition });
        expect(res.status, `${authorization} ${JSON.stringify(condition)}`).toBe(403);
      }
    }
    for (const condition of CONDITIONS('W/"x"')) expect((await simple(h, "demo", "lic-pkg/", condition)).status).toBe(401);
  });

  it("an allowed caller still gets its 304s", async () => {
    const first = await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY") });
    const etag = first.headers.get("etag") as string;
    for (const method of ["GET", "HEAD"]) {
      for (const condition of CONDITIONS(etag)) {
        const res = await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY"), ...condition }, method);
        expect(res.status, `${method} ${JSON.stringify(condition)}`).toBe(304);
        expect(res.headers.get("etag")).toBe(etag);
      }
    }
  });
});

describe("Tauri updates and blob downloads: authorization before 304 (audit, issue 19 item 3)", () => {
  it("Tauri: a suspended license gets 403, never 304, by key and by token", async () => {
    const h = await handlerFor(tauriDataset());
    const path = "/v1/accounts/test1/engines/tauri/licapp?platform=linux&arch=x86_64&version=1.0.0";
    for (const authorization of ["License LIC-SUSP", `Bearer ${TAURI_TOKENS.suspended}`]) {
      for (const condition of [{ "if-none-match": "*" }, {}] as Array<Record<string, string>>) {
        const res = await get(h, path, { authorization, ...condition });
        expect(res.status, `${authorization} ${JSON.stringify(condition)}`).toBe(403);
        expect(res.headers.get("etag")).toBeNull();
      }
    }
  });

  it("blobs: a tampered or expired signature is 403 under If-None-Match too; a valid one 304s", async () => {
    const h = await makeHandler();
    const lic = await (await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY"), accept: PIP_ACCEPT })).json();
    const download = await h(new Request(lic.files[0].url, { headers: { authorization: AUTH.basicLicense("LIC-KEY") }, redirect: "manual" }));
    const blobUrl = download.headers.get("location") as string;
    const blob = await h(new Request(blobUrl));
    expect(blob.status).toBe(200);
    const etag = blob.headers.get("etag") as string;
    for (const method of ["GET", "HEAD"]) {
      expect((await h(new Request(blobUrl, { method, headers: { "if-none-match": etag } }))).status).toBe(304);
      const tampered = blobUrl.replace(/signature=([0-9a-f])/, (_m, c: string) => `signature=${c === "0" ? "1" : "0"}`);
      const expired = blobUrl.replace(/expires=\d+/, "expires=1000");
      for (const url of [tampered, expired]) {
        for (const inm of ["*", etag]) {
          const res = await h(new Request(url, { method, headers: { "if-none-match": inm } }));
          expect(res.status, `${method} ${url} ${inm}`).toBe(403);
          expect(res.headers.get("etag")).toBeNull();
        }
      }
    }
  });
});
