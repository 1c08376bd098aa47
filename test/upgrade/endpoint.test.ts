/**
 * `GET /v1/accounts/{account}/releases/{release}/upgrade` (keygen-engines.md §5.1, behaviours 57, 64–66).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REL, TOKENS, tauriDataset } from "../tauri/fixture.js";
import { get, handlerFor } from "../tauri/support.js";

let handler: (request: Request) => Promise<Response>;
beforeAll(async () => {
  handler = await handlerFor(tauriDataset());
});
const upgrade = (release: string, query = "", headers: Record<string, string> = {}) =>
  get(handler, `/v1/accounts/test1/releases/${release}/upgrade${query ? `?${query}` : ""}`, headers);
const admin = { Authorization: `Bearer ${TOKENS.admin}` };

async function body(res: Response): Promise<{ data: { id: string; type: string; attributes: Record<string, unknown>; links: Record<string, string> }; meta: Record<string, string> }> {
  return JSON.parse(await res.text());
}
async function errorOf(res: Response): Promise<Record<string, unknown>> {
  return (JSON.parse(await res.text()) as { errors: Record<string, unknown>[] }).errors[0] as Record<string, unknown>;
}

describe("releases.upgrade", () => {
  it("answers the upgrade as a JSON:API release with meta {current, next} (66)", async () => {
    const res = await upgrade(REL["app1@1.0.0"]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/vnd.api+json");
    const doc = await body(res);
    expect(doc.meta).toEqual({ current: "1.0.0", next: "1.1.0" });
    expect(doc.data).toMatchObject({
      id: REL["app1@1.1.0"], type: "releases",
      attributes: { version: "1.1.0", channel: "stable", status: "PUBLISHED", description: "bar", semver: { major: 1, minor: 1, patch: 0, prerelease: null, build: null } },
      links: { self: `/v1/accounts/${ACCOUNT}/releases/${REL["app1@1.1.0"]}` },
    });
  });
  it("finds the release by version (oldest wins) or tag, narrowed by ?package= and ?product=", async () => {
    expect((await body(await upgrade("1.0.0"))).meta.next).toBe("1.1.0");
    expect((await body(await upgrade("1.0.0", "package=app5"))).meta.next).toBe("1.3.0");
    expect((await body(await upgrade("1.0.0", "product=lic", admin))).meta.next).toBe("1.1.0");
    expect((await body(await upgrade("five"))).meta).toEqual({ current: "5.0.0", next: "5.1.0" });
    expect((await body(await upgrade("5.0.0", "package="))).meta.next).toBe("5.1.0");
  });
  it("keeps to the current release's product and package: package-less releases upgrade to package-less ones (65)", async () => {
    expect((await body(await upgrade(REL["none@5.0.0"], "", admin))).meta.next).toBe("6.0.0");
    // Higher package-less releases (5.x, 6.0.0) exist, but app5's newest published release has none above it.
    expect((await upgrade(REL["app5@1.3.0"], "", admin)).status).toBe(404);
  });
  it("404 when there is no upgrade, when the release is unknown, or the product or package named is unknown (66)", async () => {
    const none = await upgrade(REL["app1@1.1.0"]);
    expect(none.status).toBe(404);
    expect(await errorOf(none)).toMatchObject({ code: "NOT_FOUND", detail: "The requested release was not found" });
    const unknown = await upgrade("9.9.9");
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ detail: "The requested release '9.9.9' was not found" });
    expect((await upgrade("1.0.0", "package=nope")).status).toBe(404);
    expect((await upgrade("1.0.0", "product=nope")).status).toBe(404);
    expect((await upgrade(REL["app1@1.0.0"], "package=app5")).status).toBe(404);
  });
  it("?channel= chooses the candidate channels; an unknown channel finds nothing (57)", async () => {
    expect((await body(await upgrade(REL["app1@1.1.0"], "channel=beta"))).meta.next).toBe("1.2.0-beta.1");
    expect((await upgrade(REL["app1@1.0.0"], "channel=edge")).status).toBe(404);
  });
  it("?constraint= narrows the range", async () => {
    const id = REL["app2@1.0.0-beta.1"];
    expect((await body(await upgrade(id))).meta.next).toBe("2.0.0-beta.1");
    expect((await body(await upgrade(id, "constraint=1.0"))).meta.next).toBe("1.0.1-beta.1");
  });
  it.each(["A", "v1", "1.x", "1.0.0.0", "%201.0", "%3E%3D1.0", "~%3E1.0"])("constraint %s is 400 CONSTRAINT_INVALID (64)", async (c) => {
    const res = await upgrade(REL["app1@1.0.0"], `constraint=${c}`);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ title: "Bad request", detail: "invalid constraint format", code: "CONSTRAINT_INVALID", source: { parameter: "constraint" } });
  });
  it("blank constraint or channel is 400 cannot be blank", async () => {
    for (const q of ["constraint=", "channel="]) {
      const res = await upgrade(REL["app1@1.0.0"], q);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ detail: "cannot be blank", source: { parameter: q.slice(0, -1) } });
    }
  });
  it("applies the caller's scope: anonymous cannot see a LICENSED release; entitlements gate the upgrade", async () => {
    expect((await upgrade(REL["licapp@1.0.0"])).status).toBe(404);
    expect((await upgrade(REL["licapp@1.0.0"], "", { Authorization: "License LIC-KEY" })).status).toBe(404);
    expect((await body(await upgrade(REL["licapp@1.0.0"], "", { Authorization: "License LIC-PRO" }))).meta.next).toBe("1.1.0");
    expect((await upgrade(REL["none@5.1.0"])).status).toBe(404);
    expect((await body(await upgrade(REL["none@5.1.0"], "", admin))).meta.next).toBe("6.0.0");
  });
  it("a suspended license finds the release but is refused with Keygen's reason", async () => {
    const res = await upgrade(REL["licapp@1.0.0"], "", { Authorization: `Bearer ${TOKENS.suspended}` });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).detail).toBe("You do not have permission to complete the request (license is suspended)");
  });
});
