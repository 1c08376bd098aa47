/**
 * Keygen behaviours 69–78 (keygen-engines.md §11), each a row of a table, through createFetchHandler
 * and, where the rule is pure, through `authorize`/`scopeOf`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/auth/authenticate.js";
import { authorize } from "../../src/access/authorize.js";
import { scopeOf, type Principal } from "../../src/access/principal.js";
import { digestToken } from "../../src/auth/tokens.js";
import type { Release } from "../../src/model/records.js";
import { isReleaseVisible } from "../../src/access/scope.js";
import { b64, firstError, KEY, loadWorld, NOW, TOK, type World } from "./world.js";

let w: World;
beforeAll(async () => {
  w = await loadWorld();
});

const art = (filename: string) => `/artifacts/${w.artifactId(filename)}`;

async function principalFor(header: string): Promise<Principal> {
  const account = (await w.store.getAccount("acme"))!;
  return authenticate({ store: w.store, now: NOW }, account, { authorization: header, query: new URLSearchParams() });
}

function release(product: string, version: string): { release: Release; product: NonNullable<ReturnType<World["dataset"]["products"]["find"]>> } {
  const p = w.dataset.products.find((x) => x.code === product && x.accountId === w.dataset.accounts[0]!.id)!;
  const r = w.dataset.releases.find((x) => x.productId === p.id && x.version === version)!;
  return { release: r, product: p };
}

describe("behaviours 69–78", () => {
  it("69: License <unknown> → 401 LICENSE_INVALID with WWW-Authenticate: License realm=\"keygen\"", async () => {
    const res = await w.get(art("lic-1.0.0.bin"), "License NOT-A-KEY");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('License realm="keygen"');
    expect((await firstError(res)).code).toBe("LICENSE_INVALID");
  });

  it.each([
    [KEY.suspended, "LICENSE_SUSPENDED", "License is suspended"],
    [KEY.bannedOwner, "LICENSE_BANNED", "License is banned"],
    [KEY.revokeExpired, "LICENSE_EXPIRED", "License is expired"],
    [KEY.tokenOnly, "LICENSE_NOT_ALLOWED", "License key authentication is not allowed by policy"],
  ])("70: license key %s → 403 %s", async (key, code, detail) => {
    const res = await w.get(art("lic-1.0.0.bin"), `License ${key}`);
    expect(res.status).toBe(403);
    expect(await firstError(res)).toMatchObject({ code, detail });
  });

  it.each([
    [KEY.restrictExpired, "lic-1.0.0.bin", 200],
    [KEY.restrictExpired, "lic-1.1.0.bin", 404],
    [KEY.maintainExpired, "lic-1.0.0.bin", 200],
    [KEY.maintainExpired, "lic-1.1.0.bin", 404],
    [KEY.allowExpired, "lic-1.1.0.bin", 200],
    [KEY.revokeValid, "lic-1.1.0.bin", 200],
  ])("71: expired-but-not-revoked key %s authenticates; %s → %i by scope", async (key, file, status) => {
    expect((await w.get(art(file), `License ${key}`)).status).toBe(status);
  });

  it.each([
    ["Basic license:KEY", () => `Basic ${b64(`license:${KEY.good}`)}`, ""],
    ["?auth=license:KEY", () => undefined, `?auth=license:${KEY.good}`],
    ["Basic token:TOK", () => `Basic ${b64(`token:${TOK.licGood}`)}`, ""],
    ["Basic TOK:", () => `Basic ${b64(`${TOK.licGood}:`)}`, ""],
    ["?auth=TOK", () => undefined, `?auth=${TOK.licGood}`],
    ["?token=TOK", () => undefined, `?token=${TOK.licGood}`],
    ["Bearer TOK", () => `Bearer ${TOK.licGood}`, ""],
    ["Token TOK", () => `Token ${TOK.licGood}`, ""],
    ["unknown scheme + ?auth=license:KEY", () => "Weird x", `?auth=license:${KEY.good}`],
  ])("72: %s is accepted", async (_name, header, query) => {
    expect((await w.get(`${art("lic-1.0.0.bin")}${query}`, header())).status).toBe(200);
  });

  it.each(["Bearer", "Token", "Basic", "License"])("72: ?auth= is ignored under a recognised %s scheme", async (scheme) => {
    const value = scheme === "Basic" ? b64("token:bad-v3") : "bad-v3";
    const res = await w.get(`${art("lic-1.0.0.bin")}?auth=license:${KEY.good}`, `${scheme} ${value}`);
    expect(res.status).toBe(401);
  });

  it.each([
    ["3f2d8a6e-1b7c-4d9e-8f00-123456789abc", "TOKEN_FORMAT_INVALID"],
    ["user-ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffv3", "TOKEN_INVALID"],
    [TOK.userExpired, "TOKEN_EXPIRED"],
  ])("73: Bearer %s → 401 %s", async (token, code) => {
    const res = await w.get("/engines", `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect((await firstError(res)).code).toBe(code);
  });

  it("74: the stored digest is HMAC-SHA256(secretKey, token) hex, found only in its own account", async () => {
    const acme = (await w.store.getAccount("acme"))!;
    const elsewhere = (await w.store.getAccount("elsewhere"))!;
    const digest = await digestToken(acme.secretKey, TOK.productLic);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC",
      await crypto.subtle.importKey("raw", new TextEncoder().encode(acme.secretKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
      new TextEncoder().encode(TOK.productLic)));
    expect(digest).toBe([...expected].map((b) => b.toString(16).padStart(2, "0")).join(""));
    expect((await w.store.getTokenByDigest(acme.id, digest))?.bearerType).toBe("product");
    expect(await w.store.getTokenByDigest(elsewhere.id, digest)).toBeNull();
    expect(await w.store.getTokenByDigest(acme.id, await digestToken(elsewhere.secretKey, TOK.productLic))).toBeNull();
    // No raw token is kept anywhere in the loaded records.
    expect(JSON.stringify(w.dataset)).not.toContain(TOK.productLic);
  });

  describe("75: expiry window (license expiry 2026-02-01)", () => {
    it.each([
      // key, release version, created, backdated, visible
      [KEY.revokeValid, "1.1.0", true],
      [KEY.restrictExpired, "1.0.0", true], // created 01-01 ≤ E
      [KEY.restrictExpired, "1.1.0", false], // created 02-15 > E
      [KEY.restrictExpired, "1.2.0", true], // created 02-15 but backdated 01-10 ≤ E
      [KEY.maintainExpired, "1.0.0", true],
      [KEY.maintainExpired, "1.1.0", false],
      [KEY.maintainExpired, "1.2.0", true],
      [KEY.allowExpired, "1.1.0", true],
      [KEY.good, "1.1.0", true], // no expiry
    ])("%s sees %s: %s", async (key, version, visible) => {
      const p = await principalFor(`License ${key}`);
      const { release: r, product } = release("lic", version);
      expect(authorize(p, "read", { type: "release", release: r, product }, NOW).allowed).toBe(visible);
      expect(isReleaseVisible(scopeOf(p, NOW), r, product)).toBe(visible);
      expect((await w.get(art(`lic-${version}.bin`), `License ${key}`)).status).toBe(visible ? 200 : 404);
    });

    it("REVOKE_ACCESS and expired: no releases at all (token auth, since key auth fails)", async () => {
      const p = await principalFor(`Bearer ${TOK.licRevokedExpired}`);
      for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
        const { release: r, product } = release("lic", v);
        expect(authorize(p, "read", { type: "release", release: r, product }, NOW)).toEqual({ allowed: false, reason: "license is expired" });
        expect((await w.get(art(`lic-${v}.bin`), `Bearer ${TOK.licRevokedExpired}`)).status).toBe(404);
      }
      // OPEN unconstrained releases are public, even to it.
      expect((await w.get(art("open-1.0.0.bin"), `Bearer ${TOK.licRevokedExpired}`)).status).toBe(200);
    });
  });

  describe("76: release constrained to {A,B}", () => {
    it.each([
      [KEY.entA, false],
      [KEY.entAB, true],
      [KEY.entABC, true],
      [KEY.good, false],
    ])("license %s → visible %s", async (key, visible) => {
      const p = await principalFor(`License ${key}`);
      const { release: r, product } = release("lic", "2.0.0");
      const decision = authorize(p, "read", { type: "release", release: r, product }, NOW);
      expect(decision.allowed).toBe(visible);
      if (!decision.allowed) expect(decision.reason).toBe("license is missing entitlements");
      expect((await w.get(art("lic-2.0.0.bin"), `License ${key}`)).status).toBe(visible ? 200 : 404);
    });
    it.each([KEY.entA, KEY.entAB, KEY.good])("an unconstrained release is visible to %s", async (key) => {
      expect((await w.get(art("lic-1.0.0.bin"), `License ${key}`)).status).toBe(200);
    });
  });

  describe("77: OPEN release constrained to A", () => {
    it.each([
      ["anonymous", undefined, false],
      ["license of the product with A", `License ${KEY.openA}`, true],
      ["license of the product without A", `License ${KEY.openNone}`, false],
      ["license of another product with A", `License ${KEY.otherA}`, false],
    ])("%s → visible %s", async (_name, header, visible) => {
      const p = header === undefined ? await principalFor("") : await principalFor(header);
      const { release: r, product } = release("open", "1.1.0");
      expect(authorize(p, "read", { type: "release", release: r, product }, NOW).allowed).toBe(visible);
      expect((await w.get(art("open-1.1.0-a.bin"), header)).status).toBe(visible ? 200 : 404);
    });
  });

  describe("78: policy denial bodies", () => {
    const denied = (reason: string) => [{ title: "Access denied", detail: `You do not have permission to complete the request (${reason})` }];

    it("a suspended license using token auth on a LICENSED release → 403 (license is suspended), no code", async () => {
      const res = await w.get(art("lic-1.0.0.bin"), `Bearer ${TOK.licSuspended}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: unknown }).errors).toEqual(denied("license is suspended"));
    });

    it("a suspended license's token on a LICENSED YANKED release → 403 (license is suspended), as if it were PUBLISHED (SPEC 19)", async () => {
      const res = await w.get(art("lic-0.9.0-yanked.bin"), `Bearer ${TOK.licSuspended}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: unknown }).errors).toEqual(denied("license is suspended"));
      // A usable license may download it but not read it (Keygen hides YANKED releases from licensees).
      const { release: r, product } = release("lic", "0.9.0");
      const p = await principalFor(`Bearer ${TOK.licGood}`);
      expect(authorize(p, "download", { type: "release", release: r, product }, NOW)).toEqual({ allowed: true });
      expect(authorize(p, "read", { type: "release", release: r, product }, NOW)).toEqual({ allowed: false, reason: "release is not published" });
    });

    it("the same license is allowed an OPEN unconstrained release (checked before the license)", async () => {
      expect((await w.get(art("open-1.0.0.bin"), `Bearer ${TOK.licSuspended}`)).status).toBe(200);
    });

    it("a release created inside the window but backdated outside it → 403 (license expiry falls outside of access window)", async () => {
      const res = await w.get(art("lic-1.3.0.bin"), `License ${KEY.restrictExpired}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: unknown }).errors).toEqual(denied("license expiry falls outside of access window"));
    });

    it("names the CLOSED strategy for a user holding a license of it, and asks anonymous callers to authenticate", async () => {
      const p = await principalFor(`Bearer ${TOK.userAlice}`);
      expect(p.kind).toBe("user");
      const { release: r, product } = release("closed", "1.0.0");
      expect(authorize(p, "read", { type: "release", release: r, product }, NOW)).toEqual({ allowed: false, reason: "release distribution strategy is closed" });
      const anonymous = authorize(await principalFor(""), "read", { type: "release", ...release("lic", "1.0.0") }, NOW);
      expect(anonymous).toEqual({ allowed: false, reason: "authentication is required" });
    });
  });
});
