import { beforeAll, describe, expect, it } from "vitest";
import { LICENSE_DOCS, TOKEN_DOCS } from "../../src/auth/authenticate.js";
import { b64, firstError, KEY, loadWorld, TOK, type World } from "./world.js";

const UUID = "3f2d8a6e-1b7c-4d9e-8f00-123456789abc";

/**
 * Every error code Keygen's authentication raises, each produced by a request with the real header.
 * `about` is the `links.about` Keygen sets for that code (application_controller.rb rescues), or null.
 */
const CASES: Array<{ name: string; header: () => string; status: 401 | 403; code: string; detail: string; about: string | null; challenge: string | null }> = [
  { name: "UUID-shaped bearer", header: () => `Bearer ${UUID}`, status: 401, code: "TOKEN_FORMAT_INVALID", detail: "Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)", about: TOKEN_DOCS, challenge: 'Bearer realm="keygen"' },
  { name: "unknown token", header: () => "Bearer prod-0000000000000000000000000000000000000000000000000000000000000000v3", status: 401, code: "TOKEN_INVALID", detail: "You must be authenticated to complete the request", about: TOKEN_DOCS, challenge: 'Bearer realm="keygen"' },
  { name: "unknown token via Token scheme", header: () => "Token nope-v3", status: 401, code: "TOKEN_INVALID", detail: "You must be authenticated to complete the request", about: TOKEN_DOCS, challenge: 'Token realm="keygen"' },
  { name: "unknown token via Basic", header: () => `Basic ${b64("token:nope-v3")}`, status: 401, code: "TOKEN_INVALID", detail: "You must be authenticated to complete the request", about: TOKEN_DOCS, challenge: 'Basic realm="keygen"' },
  { name: "expired token", header: () => `Bearer ${TOK.userExpired}`, status: 401, code: "TOKEN_EXPIRED", detail: "Token is expired", about: null, challenge: 'Bearer realm="keygen"' },
  { name: "banned user's token", header: () => `Bearer ${TOK.userBanned}`, status: 403, code: "USER_BANNED", detail: "User is banned", about: null, challenge: null },
  { name: "license token whose owner is banned", header: () => `Bearer ${TOK.licBannedOwner}`, status: 403, code: "USER_BANNED", detail: "User is banned", about: null, challenge: null },
  { name: "license token, policy allows only keys", header: () => `Bearer ${TOK.licLicenseOnly}`, status: 403, code: "TOKEN_NOT_ALLOWED", detail: "Token authentication is not allowed by policy", about: TOKEN_DOCS, challenge: null },
  { name: "unknown license key", header: () => "License NOPE-KEY", status: 401, code: "LICENSE_INVALID", detail: "You must be authenticated to complete the request", about: LICENSE_DOCS, challenge: 'License realm="keygen"' },
  { name: "unknown license key via Basic", header: () => `Basic ${b64("license:NOPE-KEY")}`, status: 401, code: "LICENSE_INVALID", detail: "You must be authenticated to complete the request", about: LICENSE_DOCS, challenge: 'Basic realm="keygen"' },
  { name: "license key of a banned owner", header: () => `License ${KEY.bannedOwner}`, status: 403, code: "LICENSE_BANNED", detail: "License is banned", about: null, challenge: null },
  { name: "suspended license key", header: () => `License ${KEY.suspended}`, status: 403, code: "LICENSE_SUSPENDED", detail: "License is suspended", about: null, challenge: null },
  { name: "expired REVOKE_ACCESS license key", header: () => `License ${KEY.revokeExpired}`, status: 403, code: "LICENSE_EXPIRED", detail: "License is expired", about: null, challenge: null },
  { name: "license key, policy allows only tokens", header: () => `License ${KEY.tokenOnly}`, status: 403, code: "LICENSE_NOT_ALLOWED", detail: "License key authentication is not allowed by policy", about: LICENSE_DOCS, challenge: null },
];

describe("authentication errors through createFetchHandler (Keygen §6.2, §6.3, §7)", () => {
  let w: World;
  beforeAll(async () => {
    w = await loadWorld();
  });

  for (const route of ["/engines", "/engines/pypi", "/artifacts/open-1.0.0.bin"]) {
    describe(`on ${route}`, () => {
      it.each(CASES)("$name → $status $code", async (c) => {
        const res = await w.get(route, c.header());
        expect(res.status).toBe(c.status);
        expect(res.headers.get("Content-Type")).toBe("application/vnd.api+json; charset=utf-8");
        expect(res.headers.get("WWW-Authenticate")).toBe(c.challenge);
        const body = (await res.json()) as { meta: { id: string }; errors: unknown[] };
        expect(body.meta.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(body.errors).toEqual([{
          title: c.status === 401 ? "Unauthorized" : "Access denied",
          detail: c.detail,
          code: c.code,
          ...(c.about !== null ? { links: { about: c.about } } : {}),
        }]);
      });
    });
  }

  it("names the request's scheme in the challenge, capitalised, and Bearer when the credential came from the query", async () => {
    expect((await w.get("/engines", "BEARER nope-v3")).headers.get("WWW-Authenticate")).toBe('Bearer realm="keygen"');
    expect((await w.get("/engines", "license NOPE")).headers.get("WWW-Authenticate")).toBe('License realm="keygen"');
    expect((await w.get("/engines?auth=nope-v3")).headers.get("WWW-Authenticate")).toBe('Bearer realm="keygen"');
    expect((await w.get("/engines?auth=license:NOPE", "Custom x")).headers.get("WWW-Authenticate")).toBe('Custom realm="keygen"');
  });

  it("a valid token of one account is TOKEN_INVALID on another (digests are per account secret)", async () => {
    expect((await w.get("/engines", `Bearer ${TOK.admin}`)).status).toBe(200);
    const res = await w.get("/engines", `Bearer ${TOK.admin}`, "elsewhere");
    expect(res.status).toBe(401);
    expect((await firstError(res)).code).toBe("TOKEN_INVALID");
    const key = await w.get("/engines", `License ${KEY.good}`, "elsewhere");
    expect((await firstError(key)).code).toBe("LICENSE_INVALID");
  });

  it("expired tokens fail even where anonymous access would succeed, and valid ones pass", async () => {
    expect((await w.get("/artifacts/open-1.0.0.bin")).status).toBe(200);
    expect((await w.get("/artifacts/open-1.0.0.bin", `Bearer ${TOK.userExpired}`)).status).toBe(401);
    expect((await w.get("/artifacts/open-1.0.0.bin", `Bearer ${TOK.userAlice}`)).status).toBe(200);
  });

  it("answers a policy denial with 403 'You do not have permission to complete the request (<reason>)' and no code", async () => {
    const res = await w.get("/artifacts/lic-1.0.0.bin", `Bearer ${TOK.licSuspended}`);
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBeNull();
    const body = (await res.json()) as { errors: unknown[] };
    expect(body.errors).toEqual([{ title: "Access denied", detail: "You do not have permission to complete the request (license is suspended)" }]);
  });
});
