/**
 * The Tauri dynamic update server over HTTP: keygen-engines.md behaviours 31–45 (with SPEC 10–14a)
 * and clients.md "Behaviours to test / Tauri".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { makeStore } from "../helpers/store.js";
import { ACCOUNT, ART, TOKENS, tauriDataset } from "./fixture.js";
import { expectTauriAcceptable, get, handlerFor } from "./support.js";

type Handler = (request: Request) => Promise<Response>;
let handler: Handler;
beforeAll(async () => {
  handler = await handlerFor(tauriDataset());
});

const tauri = (pkg: string, query: string, headers: Record<string, string> = {}) =>
  get(handler, `/v1/accounts/test1/engines/tauri/${pkg}?${query}`, headers);
const linux = (version: string, extra = "") => `platform=linux&arch=x86_64&version=${version}${extra}`;
const reason = (res: Response) => res.headers.get("release-engines-reason");

async function errorOf(res: Response): Promise<Record<string, unknown>> {
  const doc = JSON.parse(await res.text()) as { errors: Record<string, unknown>[] };
  return doc.errors[0] as Record<string, unknown>;
}

describe("parameters (31, SPEC 17)", () => {
  it.each(["platform", "arch", "version"])("a missing %s is 400 'is missing' naming it", async (name) => {
    const params = new URLSearchParams({ platform: "linux", arch: "x86_64", version: "1.0.0" });
    params.delete(name);
    const res = await tauri("app1", params.toString());
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ title: "Bad request", detail: "is missing", source: { parameter: name } });
  });
  it.each(["platform", "arch", "version", "channel", "constraint"])("a blank %s is 400 'cannot be blank'", async (name) => {
    const params = new URLSearchParams({ platform: "linux", arch: "x86_64", version: "1.0.0" });
    params.set(name, "");
    const res = await tauri("app1", params.toString());
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ detail: "cannot be blank", source: { parameter: name } });
  });
  it.each(["A", "v1", "1.x", "1.0.0.0", "%201.0", ">=1.0", "~>1.0", "<2", "=1.0.0", "1.0-", "99999999999999999999"])(
    "constraint %s is 400 CONSTRAINT_INVALID, never a 500 (SPEC 12)",
    async (constraint) => {
      const res = await tauri("app1", linux("1.0.0", `&constraint=${constraint}`));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ detail: "invalid constraint format", code: "CONSTRAINT_INVALID", source: { parameter: "constraint" } });
    },
  );
  it("refuses an Accept it cannot answer, accepts the updater's and none", async () => {
    expect((await tauri("app1", linux("1.0.0"), { Accept: "text/html" })).status).toBe(400);
    expect((await tauri("app1", linux("1.0.0"), { Accept: "application/json" })).status).toBe(200);
    expect((await tauri("app1", linux("1.0.0"), { Accept: "application/octet-stream" })).status).toBe(200);
    expect((await tauri("app1", linux("1.0.0"), { Accept: "*/*" })).status).toBe(200);
    expect((await tauri("app1", linux("1.0.0"))).status).toBe(200);
  });
});

describe("package lookup (32, 43)", () => {
  it.each(["pyapp", "plain", "nope"])("package %s that is not a tauri package is 404", async (pkg) => {
    const res = await tauri(pkg, linux("1.0.0"));
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "NOT_FOUND", detail: `The requested release package '${pkg}' was not found` });
  });
  it("finds a package by id as well as by key", async () => {
    const pkgId = (await (await get(handler, "/v1/accounts/test1/releases/1.0.0/upgrade?package=app1")).json()).data.relationships.package.data.id;
    const res = await tauri(pkgId, linux("1.0.0"));
    expect((await expectTauriAcceptable(res))?.version).toBe("1.1.0");
  });
  it("anonymous: LICENSED and CLOSED packages are 404, OPEN is 200", async () => {
    expect((await tauri("licapp", linux("1.0.0"))).status).toBe(404);
    expect((await tauri("closedapp", linux("1.0.0"))).status).toBe(404);
    expect((await tauri("app1", linux("1.0.0"))).status).toBe(200);
  });
  it("a license sees its own LICENSED package but never a CLOSED one", async () => {
    expect((await tauri("licapp2", linux("2.0.0"), { Authorization: "License LIC-PRO" })).status).toBe(200);
    expect((await tauri("closedapp", linux("1.0.0"), { Authorization: "License LIC-PRO" })).status).toBe(404);
  });
  it("an admin sees a CLOSED package", async () => {
    const body = await expectTauriAcceptable(await tauri("closedapp", linux("1.0.0"), { Authorization: `Bearer ${TOKENS.admin}` }));
    expect(body?.version).toBe("1.1.0");
  });
});

describe("the answer (33, 34, 41, 45, SPEC 14)", () => {
  it("answers 1.1.0 to 1.0.0 with keys in Keygen's order and an absolute URL to the artifact route", async () => {
    const res = await tauri("app1", linux("1.0.0"));
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await expectTauriAcceptable(res.clone());
    expect(Object.keys(body ?? {})).toEqual(["url", "signature", "version", "pub_date", "notes"]);
    expect(body).toMatchObject({
      url: `http://localhost/v1/accounts/${ACCOUNT}/artifacts/${ART.app1Linux110}/myapp.AppImage`,
      version: "1.1.0",
      notes: "bar",
    });
  });
  it("signature is the chosen artifact's own signature", async () => {
    const body = await expectTauriAcceptable(await tauri("app1", linux("1.0.0")));
    const artifact = await get(handler, `/v1/accounts/test1/artifacts/${ART.app1Linux110}`, { Authorization: `Bearer ${TOKENS.admin}` });
    expect(body?.signature).toBe((await artifact.json()).data.attributes.signature);
  });
  it("pub_date is the upgrade's created instant, RFC 3339 with milliseconds, even when backdated (41)", async () => {
    const body = await expectTauriAcceptable(await tauri("app1", "platform=darwin&arch=x86_64&version=1.0.0"));
    expect(body?.pub_date).toBe("2023-08-15T00:00:00.000Z");
  });
  it("omits notes when the release has none, never null", async () => {
    const body = await expectTauriAcceptable(await tauri("app1", linux("1.1.0", "&channel=beta")));
    expect(body?.version).toBe("1.2.0-beta.1");
    expect(body).not.toHaveProperty("notes");
  });
  it("the url's origin is the request's (45)", async () => {
    const res = await get(handler, `https://tauri.pkg.example.test/v1/accounts/test1/engines/tauri/app1?${linux("1.0.0")}`);
    const body = await expectTauriAcceptable(res);
    expect(new URL(body?.url as string).origin).toBe("https://tauri.pkg.example.test");
  });
  it("a configured baseUrl wins over the request's origin", async () => {
    const behindProxy = createFetchHandler({ store: await makeStore(await loadDataset(tauriDataset())), baseUrl: "https://updates.example.com/" });
    const body = await expectTauriAcceptable(await get(behindProxy, `/v1/accounts/test1/engines/tauri/app1?${linux("1.0.0")}`));
    expect(body?.url).toBe(`https://updates.example.com/v1/accounts/${ACCOUNT}/artifacts/${ART.app1Linux110}/myapp.AppImage`);
  });
  it("HEAD answers the same status and headers without a body", async () => {
    const res = await handler(new Request(`http://localhost/v1/accounts/test1/engines/tauri/app1?${linux("1.0.0")}`, { method: "HEAD" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
  it("a weak ETag answers 304 to a matching If-None-Match (SPEC 6a)", async () => {
    const first = await tauri("app1", linux("1.0.0"));
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    expect(first.headers.get("vary")).toContain("Authorization");
    const again = await tauri("app1", linux("1.0.0"), { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await tauri("app1", linux("1.0.0"), { "If-None-Match": 'W/"other"' })).status).toBe(200);
  });
});

describe("no update: 204, empty body, a reason (34, 35, 39, SPEC 14a)", () => {
  it("up to date within the channel; the beta channel then offers the beta (34)", async () => {
    const res = await tauri("app1", linux("1.1.0"));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(reason(res)).toBe("up-to-date");
    const beta = await expectTauriAcceptable(await tauri("app1", linux("1.1.0", "&channel=beta")));
    expect(beta).toMatchObject({ version: "1.2.0-beta.1", url: expect.stringContaining(ART.app1Linux120b) });
  });
  it.each(["3.0.0", "v1.0.0", "1.0", "01.0.0", "1.0.0-foo", "garbage"])("unknown current version %s is 204 (35)", async (version) => {
    const res = await tauri("app1", linux(version));
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("unknown-current-version");
  });
  it("platform keys are case-sensitive (39)", async () => {
    const res = await tauri("app1", "platform=Darwin&arch=x86_64&version=1.0.0");
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("no-signed-artifact-for-platform");
  });
  it("an unknown channel allows no upgrade (57)", async () => {
    const res = await tauri("app1", linux("1.0.0", "&channel=edge"));
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("unknown-channel");
  });
  it("an unknown platform or arch is 204, never a 200 without url or signature (clients.md 7)", async () => {
    for (const q of ["platform=plan9&arch=x86_64&version=1.0.0", "platform=linux&arch=mips&version=1.0.0"]) {
      const res = await tauri("app1", q);
      expect(res.status).toBe(204);
      expect(reason(res)).toBe("no-signed-artifact-for-platform");
    }
  });
});

describe("artifact choice (36–38)", () => {
  it("darwin gets .app.tar.gz over .app and never the .sig (36)", async () => {
    const body = await expectTauriAcceptable(await tauri("app1", "platform=darwin&arch=x86_64&version=1.0.0"));
    expect(body?.url).toBe(`http://localhost/v1/accounts/${ACCOUNT}/artifacts/${ART.app1MacTgz110}/myapp.app.tar.gz`);
  });
  it("windows gets -setup.exe over .msi; a constraint keeps to 1.0 (37, 40)", async () => {
    const q = "platform=windows&arch=i686&version=1.0.0-beta.1";
    const newest = await expectTauriAcceptable(await tauri("app2", q));
    expect(newest).toMatchObject({ version: "2.0.0-beta.1", url: expect.stringContaining(`${ART.app2Exe200}/myapp-setup.exe`) });
    const constrained = await expectTauriAcceptable(await tauri("app2", `${q}&constraint=1.0`));
    expect(constrained).toMatchObject({ version: "1.0.1-beta.1", url: expect.stringContaining(ART.app2Exe101) });
  });
});

describe("versions with build metadata (SPEC 11, 13)", () => {
  it("matches the current version after decoding %2B and a + that became a space", async () => {
    for (const v of ["1.0.0%2Bbuild.7", "1.0.0+build.7", "1.0.0 build.7"]) {
      const body = await expectTauriAcceptable(await tauri("app3", linux(v.replace(" ", "%20"))));
      expect(body).toMatchObject({ version: "1.0.1", url: expect.stringContaining(ART.app3Linux101) });
    }
  });
  it("without the build the version is a different one", async () => {
    expect(reason(await tauri("app3", linux("1.0.0")))).toBe("unknown-current-version");
  });
  it("1.0.0 is up to date when only 1.0.0+1 is newer: build metadata never makes an upgrade (clients.md 4)", async () => {
    const res = await tauri("app4", linux("1.0.0"));
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("up-to-date");
  });
});

describe("signed artifacts only, newest release that has one (SPEC 10, 10a; 44 and 59)", () => {
  it("skips releases without a signed artifact for the platform to the newest that has one", async () => {
    const mac = await expectTauriAcceptable(await tauri("app5", "platform=darwin&arch=aarch64&version=1.0.0"));
    expect(mac).toMatchObject({ version: "1.1.0", url: expect.stringContaining(ART.app5Mac110) });
    const lin = await expectTauriAcceptable(await tauri("app5", linux("1.0.0")));
    expect(lin).toMatchObject({ version: "1.2.0", url: expect.stringContaining(ART.app5Linux120) });
  });
  it("says no-signed-artifact-for-platform when upgrades exist but none has one", async () => {
    const res = await tauri("app5", "platform=darwin&arch=aarch64&version=1.2.0");
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("no-signed-artifact-for-platform");
    expect(reason(await tauri("app5", "platform=windows&arch=x86_64&version=1.0.0"))).toBe("no-signed-artifact-for-platform");
  });
  it("never offers drafts or yanked releases, even to admins", async () => {
    const res = await tauri("app5", linux("1.3.0"), { Authorization: `Bearer ${TOKENS.admin}` });
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("up-to-date");
  });
});

describe("licenses and entitlements (42, 43, SPEC 14a)", () => {
  it("a license without the upgrade's entitlement is up to date; with it, it gets the upgrade", async () => {
    const res = await tauri("licapp", linux("1.0.0"), { Authorization: "License LIC-KEY" });
    expect(res.status).toBe(204);
    // The reason never hints that a release the caller cannot see exists.
    expect(reason(res)).toBe("up-to-date");
    const pro = await expectTauriAcceptable(await tauri("licapp", linux("1.0.0"), { Authorization: "License LIC-PRO" }));
    expect(pro).toMatchObject({ version: "1.1.0", url: expect.stringContaining(ART.licLinux110) });
  });
  it("a license without the current release's entitlement gets 204 unknown-current-version", async () => {
    const res = await tauri("licapp2", linux("2.0.0"), { Authorization: "License LIC-KEY" });
    expect(res.status).toBe(204);
    expect(reason(res)).toBe("unknown-current-version");
    expect((await expectTauriAcceptable(await tauri("licapp2", linux("2.0.0"), { Authorization: "License LIC-PRO" })))?.version).toBe("2.1.0");
  });
  it("license key auth works through ?auth= as well", async () => {
    const body = await expectTauriAcceptable(await tauri("licapp", linux("1.0.0", "&auth=license:LIC-PRO")));
    expect(body?.version).toBe("1.1.0");
  });
  it("a suspended license is refused: 403 by key, 403 with Keygen's reason by token", async () => {
    const byKey = await tauri("licapp", linux("1.0.0"), { Authorization: "License LIC-SUSP" });
    expect(byKey.status).toBe(403);
    expect(await errorOf(byKey)).toMatchObject({ code: "LICENSE_SUSPENDED" });
    const byToken = await tauri("licapp", linux("1.0.0"), { Authorization: `Bearer ${TOKENS.suspended}` });
    expect(byToken.status).toBe(403);
    expect((await errorOf(byToken)).detail).toBe("You do not have permission to complete the request (license is suspended)");
  });
  it("a wrong key is 401, which the updater treats as 'try the next endpoint' (clients.md 13)", async () => {
    const res = await tauri("licapp", linux("1.0.0"), { Authorization: "License NOPE" });
    expect(res.status).toBe(401);
  });
});

describe("store use (the resolver never loads every release of a package)", () => {
  it("answers with indexed lookups only: one findUpgrade for an update, two for a 204 reason", async () => {
    const inner = await makeStore(await loadDataset(tauriDataset()));
    const calls: string[] = [];
    const store = new Proxy(inner, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        return typeof value === "function" ? (...args: unknown[]) => (calls.push(String(name)), value.apply(target, args)) : value;
      },
    });
    const spied = createFetchHandler({ store });
    await expectTauriAcceptable(await get(spied, `/v1/accounts/test1/engines/tauri/app1?${linux("1.0.0")}`));
    expect(calls.filter((c) => c !== "getAccount" && c !== "getProduct").sort()).toEqual(["findUpgrade", "getAccountRevision", "getPackage", "getPackageRevision", "getReleaseByVersion", "listReleaseArtifacts"]);
    calls.length = 0;
    // The same check again is answered from the memo: two revision reads, no release lookup.
    await expectTauriAcceptable(await get(spied, `/v1/accounts/test1/engines/tauri/app1?${linux("1.0.0")}`));
    expect(calls.filter((c) => c !== "getAccount").sort()).toEqual(["getAccountRevision", "getPackageRevision"]);
    calls.length = 0;
    expect((await get(spied, `/v1/accounts/test1/engines/tauri/app5?platform=windows&arch=x86_64&version=1.0.0`)).status).toBe(204);
    expect(calls.filter((c) => c === "findUpgrade")).toHaveLength(2);
    expect(calls).not.toContain("listPackageArtifacts");
  });
});
