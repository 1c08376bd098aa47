/**
 * Who may write (SPEC §8): admin and developer tokens everything, a product token its own product
 * only (another product's records are 404, as reads are), everyone else Keygen's 403, or 404 where the
 * record is not visible to them, and anonymous callers 401; nothing changes on a refusal.
 */
import { describe, expect, it } from "vitest";
import { type Caller, IDS, artifactDoc, firstError, makeWorld, packageDoc, releaseDoc } from "./publish-world.js";

type Op = { name: string; method: string; path: string; body?: unknown };

const OPS: Op[] = [
  { name: "create cli release", method: "POST", path: "/releases", body: releaseDoc({ version: "7.0.0" }) },
  { name: "create app release", method: "POST", path: "/releases", body: releaseDoc({ version: "7.0.0" }, { product: { data: { type: "products", id: IDS.productOpen } } }) },
  { name: "update published cli release", method: "PATCH", path: `/releases/${IDS.relCli110}`, body: { data: { type: "releases", attributes: { name: "changed" } } } },
  { name: "publish cli draft", method: "POST", path: `/releases/${IDS.relPypiDraft}/actions/publish` },
  { name: "yank open app release", method: "POST", path: `/releases/${IDS.relTauri120}/actions/yank` },
  { name: "create app package", method: "POST", path: "/packages", body: packageDoc({ name: "n", key: "new-pkg" }, IDS.productOpen) },
  { name: "update open package", method: "PATCH", path: `/packages/${IDS.pkgTauri}`, body: { data: { type: "packages", attributes: { name: "changed" } } } },
  { name: "create cli artifact", method: "POST", path: "/artifacts", body: artifactDoc(IDS.relCli110, { filename: "new.zip" }) },
  { name: "delete closed artifact", method: "DELETE", path: `/artifacts/${IDS.artClosed}` },
];

/** Expected status per caller, in the order of OPS. */
const TABLE: Record<Caller, number[]> = {
  admin: [201, 201, 200, 200, 200, 201, 200, 307, 204],
  developer: [201, 201, 200, 200, 200, 201, 200, 307, 204],
  readOnly: [403, 403, 403, 403, 403, 403, 403, 403, 403],
  support: [403, 403, 403, 403, 403, 403, 403, 403, 403],
  product: [201, 403, 200, 200, 404, 403, 404, 307, 404],
  productApp: [403, 201, 404, 404, 200, 201, 200, 403, 404],
  licenseKey: [403, 403, 403, 404, 403, 403, 403, 403, 404],
  licenseToken: [403, 403, 403, 404, 403, 403, 403, 403, 404],
  user: [403, 403, 403, 404, 403, 403, 403, 403, 404],
  anonymous: [401, 401, 401, 401, 401, 401, 401, 401, 401],
};

describe("write permissions", () => {
  for (const [caller, expected] of Object.entries(TABLE) as Array<[Caller, number[]]>) {
    it(`${caller}: ${expected.join(" ")}`, async () => {
      const w = await makeWorld();
      const got: number[] = [];
      for (const op of OPS) {
        const res = await w.call(op.method, op.path, caller, op.body);
        got.push(res.status);
        if (res.status === 401) {
          expect(await firstError(res)).toMatchObject({ code: "TOKEN_MISSING", detail: "You must be authenticated to complete the request" });
          expect(res.headers.get("www-authenticate")).toBe('Bearer realm="keygen"');
        }
        if (res.status === 403) {
          const error = await firstError(res);
          expect(error.detail).toBe("You do not have permission to complete the request (ensure the token or license is allowed to access all resources)");
          expect(error.code).toBeUndefined();
        }
        if (res.status === 404) expect((await firstError(res)).code).toBe("NOT_FOUND");
      }
      expect(got).toEqual(expected);
      if (!expected.some((s) => s < 300)) {
        // A caller refused everything changed nothing.
        expect(w.events).toEqual([]);
        expect((await w.store.getRelease(IDS.account, IDS.relCli110))?.name).toBeNull();
        expect((await w.store.getRelease(IDS.account, IDS.relPypiDraft))?.status).toBe("DRAFT");
        expect(await w.store.getArtifact(IDS.account, IDS.artClosed)).not.toBeNull();
      }
    });
  }

  it("a 404 for another product's record reads exactly like one for a record that does not exist", async () => {
    const w = await makeWorld();
    const other = await w.call("PATCH", `/releases/${IDS.relTauri120}`, "product", { data: { type: "releases", attributes: { name: "x" } } });
    const ghost = await w.call("PATCH", "/releases/00000000-0000-4000-8000-00000000ffff", "product", { data: { type: "releases", attributes: { name: "x" } } });
    const strip = async (r: Response) => {
      const body = (await r.json()) as { errors: Array<Record<string, unknown>> };
      return body.errors.map((e) => ({ ...e, detail: String(e.detail).replace(/'[^']*'/, "'…'") }));
    };
    expect(other.status).toBe(ghost.status);
    expect(await strip(other)).toEqual(await strip(ghost));
    // A product token naming another product's release in a new artifact gets the 403 a missing release gets.
    const foreign = await w.call("POST", "/artifacts", "product", artifactDoc(IDS.relTauri120, { filename: "a.zip" }));
    const missing = await w.call("POST", "/artifacts", "product", artifactDoc("00000000-0000-4000-8000-00000000ffff", { filename: "a.zip" }));
    expect([foreign.status, missing.status]).toEqual([403, 403]);
    // And another product's package in a new release is "not found", not "not allowed".
    const pkg = await w.call("POST", "/releases", "product", releaseDoc({ version: "7.1.0" }, { package: { data: { type: "packages", id: IDS.pkgTauri } } }));
    expect(pkg.status).toBe(422);
    expect((await firstError(pkg)).code).toBe("PACKAGE_NOT_FOUND");
  });

  it("reads stay open to readers: a read-only token lists drafts, a license sees what it may download", async () => {
    const w = await makeWorld();
    expect((await w.call("GET", `/releases/${IDS.relPypiDraft}`, "readOnly")).status).toBe(200);
    expect((await w.call("GET", `/releases/${IDS.relPypi200}`, "licenseKey")).status).toBe(200);
    // License A lacks PRO: the release is outside its scope, so it is not found, as for every read.
    expect((await w.call("GET", `/releases/${IDS.relPypi200}`, "licenseToken")).status).toBe(404);
  });
});
