/**
 * Keygen's request headers on every API route (issue 17 items 5 and 6), on the run's store.
 * - `Keygen-Version` (keygen-api config/initializers/request_migrations.rb, lib/keygen/middleware.rb,
 *   application_controller.rb): echoed without a leading `v`, the current 1.8 when absent; an
 *   unsupported one is `400 INVALID_API_VERSION` "unsupported API version requested" with
 *   `links.about` https://keygen.sh/docs/api/versioning/.
 * - `Keygen-Environment` (app/controllers/concerns/current_environment_scope.rb; CE, as
 *   the tokens features under features/api/v1 assert): `400 ENVIRONMENT_NOT_SUPPORTED`, detail "is
 *   unsupported", `source.header: "Keygen-Environment"`, once the account is known.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { conformanceDataset } from "../../src/testing/fixture.js";
import { makeStore } from "../helpers/store.js";

const handler = createFetchHandler({ store: await makeStore(await conformanceDataset()), now: () => new Date("2026-03-01T12:00:00Z") });
const get = (path: string, headers: Record<string, string> = {}) => handler(new Request(`http://localhost${path}`, { headers }));
const ENGINES = "/v1/accounts/acme/engines";

describe("Keygen-Version (request_migrations.rb)", () => {
  it("answers in the current API version when none is asked for", async () => {
    const res = await get(ENGINES);
    expect(res.status).toBe(200);
    expect(res.headers.get("keygen-version")).toBe("1.8");
  });

  it("echoes a supported version, a leading v removed (electron-updater sends 1.1)", async () => {
    for (const [asked, echoed] of [["1.1", "1.1"], ["v1.3", "1.3"], ["1.0", "1.0"], ["1.8", "1.8"]]) {
      const res = await get(ENGINES, { "Keygen-Version": asked as string });
      expect(res.status, asked).toBe(200);
      expect(res.headers.get("keygen-version")).toBe(echoed);
    }
  });

  it("refuses an unsupported version with 400 INVALID_API_VERSION, on engine routes and PyPI alike", async () => {
    for (const asked of ["2.0", "1.9", "latest", "1.1.0", ""]) {
      const res = await get(ENGINES, { "Keygen-Version": asked });
      expect(res.status, asked).toBe(400);
      const body = (await res.json()) as { errors: Array<Record<string, unknown>> };
      expect(body.errors[0]).toMatchObject({ title: "Bad request", detail: "unsupported API version requested", code: "INVALID_API_VERSION", links: { about: "https://keygen.sh/docs/api/versioning/" } });
    }
    expect((await get("/v1/accounts/acme/engines/pypi/simple/", { "Keygen-Version": "9.9" })).status).toBe(400);
  });
});

describe("Keygen-Environment (current_environment_scope.rb, CE)", () => {
  it("is 400 ENVIRONMENT_NOT_SUPPORTED at source.header, whatever the environment or credentials", async () => {
    for (const env of ["production", "shared", ""]) {
      const res = await get(ENGINES, { "Keygen-Environment": env });
      expect(res.status, env).toBe(400);
      const body = (await res.json()) as { errors: Array<Record<string, unknown>> };
      expect(body.errors[0]).toEqual({ title: "Bad request", detail: "is unsupported", code: "ENVIRONMENT_NOT_SUPPORTED", source: { header: "Keygen-Environment" } });
    }
    expect((await get("/v1/accounts/acme/engines/pypi/simple/", { "Keygen-Environment": "production", authorization: "License PRO-KEY" })).status).toBe(400);
  });

  it("comes after the account: an unknown account is still 404", async () => {
    expect((await get("/v1/accounts/nope/engines", { "Keygen-Environment": "production" })).status).toBe(404);
  });
});

describe("Accept and Cache-Control as Keygen answers them", () => {
  // lib/keygen/middleware.rb: an Accept the Engines resource cannot serve is 400 MIME_TYPE_INVALID.
  it("Accept: text/html on /engines is 400 MIME_TYPE_INVALID", async () => {
    const res = await get(ENGINES, { accept: "text/html" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("MIME_TYPE_INVALID");
  });

  // release_engines/pypi/simple_controller.rb (commit f309c106f): PyPI pages are `max-age=600, private`.
  it("PyPI pages are cached as Keygen sends them: max-age=600, private", async () => {
    for (const path of ["/v1/accounts/acme/engines/pypi/simple/", "/v1/accounts/acme/engines/pypi/simple/acme-sdk/"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control")).toBe("max-age=600, private");
    }
  });
});
