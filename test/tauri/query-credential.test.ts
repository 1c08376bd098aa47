/**
 * SPEC 20: a Tauri caller that authenticated with `?auth=` / `?token=` (no header) is given a `url`
 * carrying the same credential, percent-encoded, and that url downloads; header-authenticated and
 * anonymous callers get a url without any credential.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createSignedBlobStorage } from "../../src/blobs/signed.js";
import { utf8 } from "../../src/core/encoding.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { makeStore } from "../helpers/store.js";
import { ART, TOKENS, tauriDataset } from "./fixture.js";
import { expectTauriAcceptable, get } from "./support.js";

type Handler = (request: Request) => Promise<Response>;
/** A license key with every character a query string must encode. */
const ODD_KEY = "ODD+KEY/ &=?#%é";
const NOW = new Date("2026-06-01T00:00:00Z");
let handler: Handler;

beforeAll(async () => {
  const file = tauriDataset();
  const account = file.accounts[0]!;
  for (const a of account.artifacts ?? []) Object.assign(a, { file: a.filename, filesize: undefined, checksum: undefined });
  account.licenses = [...(account.licenses ?? []), { policy: "10000000-0000-4000-8000-000000002001", key: ODD_KEY, entitlements: ["PRO"] }];
  const store = await makeStore(await loadDataset(file, { readFile: async (name) => utf8(`bytes of ${name}`) }));
  const blobs = createSignedBlobStorage({
    open: async (key) => {
      const bytes = utf8(`bytes of ${key}`);
      return { body: new Blob([bytes as BlobPart]).stream(), size: bytes.length };
    },
  });
  handler = createFetchHandler({ store, blobs, now: () => NOW });
});

const check = (pkg: string, query: string, headers: Record<string, string> = {}) =>
  get(handler, `/v1/accounts/test1/engines/tauri/${pkg}?platform=linux&arch=x86_64&version=1.0.0${query}`, headers);

/** The update's url, after asserting the answer is one Tauri accepts. */
async function urlOf(res: Response): Promise<URL> {
  const body = await expectTauriAcceptable(res);
  expect(body).not.toBeNull();
  return new URL(body?.url as string);
}

/** Follow a url as the updater does (no Authorization header): the 303 and then the bytes. */
async function download(url: URL): Promise<{ status: number; bytes?: string }> {
  const res = await get(handler, url.toString());
  if (res.status !== 303) return { status: res.status };
  const blob = await get(handler, res.headers.get("location") as string);
  return { status: blob.status, bytes: await blob.text() };
}

describe("query credentials on the update url (SPEC 20)", () => {
  it("`?auth=license:<key>` is carried on the url, which downloads; without it the url is a 404", async () => {
    const url = await urlOf(await check("licapp", "&auth=license:LIC-PRO"));
    expect(url.pathname).toBe(`/v1/accounts/10000000-0000-4000-8000-000000000001/artifacts/${ART.licLinux110}/lic.AppImage`);
    expect(url.search).toBe("?auth=license%3ALIC-PRO");
    expect(await download(url)).toEqual({ status: 200, bytes: "bytes of lic.AppImage" });
    url.search = "";
    expect((await download(url)).status).toBe(404);
  });

  it("`?token=<token>` is carried as `token`", async () => {
    const url = await urlOf(await check("licapp", `&token=${TOKENS.admin}`));
    expect([...url.searchParams]).toEqual([["token", TOKENS.admin]]);
    expect(await download(url)).toEqual({ status: 200, bytes: "bytes of lic.AppImage" });
  });

  it("carries the parameter authentication used: `token` wins over `auth`, the last value of a repeated one", async () => {
    const both = await urlOf(await check("licapp", `&auth=license:LIC-KEY&token=${TOKENS.admin}`));
    expect(both.search).toBe(`?token=${TOKENS.admin}`);
    const repeated = await urlOf(await check("licapp", "&auth=license:NOPE&auth=license:LIC-PRO"));
    expect(repeated.search).toBe("?auth=license%3ALIC-PRO");
  });

  it("percent-encodes the credential, so a key with `+ / & = ? # %` and spaces survives the round trip", async () => {
    const url = await urlOf(await check("licapp", `&auth=${encodeURIComponent(`license:${ODD_KEY}`)}`));
    expect(url.search).toBe(`?auth=${encodeURIComponent(`license:${ODD_KEY}`)}`);
    expect(url.searchParams.get("auth")).toBe(`license:${ODD_KEY}`);
    expect(await download(url)).toEqual({ status: 200, bytes: "bytes of lic.AppImage" });
  });

  it("header-authenticated and anonymous callers get no credential in the url", async () => {
    const header = await urlOf(await check("licapp", "", { Authorization: "License LIC-PRO" }));
    expect(header.search).toBe("");
    // With a recognised header the query is ignored for authentication, so it is not carried either.
    const both = await urlOf(await check("licapp", "&auth=license:LIC-KEY", { Authorization: "License LIC-PRO" }));
    expect(both.search).toBe("");
    const anonymous = await urlOf(await check("app1", ""));
    expect(anonymous.search).toBe("");
    expect(await download(anonymous)).toEqual({ status: 200, bytes: "bytes of myapp.AppImage" });
  });

  it("gives each credential its own ETag (the body names it)", async () => {
    const a = (await check("licapp", "&auth=license:LIC-PRO")).headers.get("etag");
    const b = (await check("licapp", `&auth=${encodeURIComponent(`license:${ODD_KEY}`)}`)).headers.get("etag");
    expect(a).not.toBe(b);
  });
});
