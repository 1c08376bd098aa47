/**
 * The releases routes of SPEC §8 end to end through the fetch handler: Keygen's documents, status
 * codes, validations and conflicts, on a writable store of the run's backend.
 */
import { describe, expect, it } from "vitest";
import { IDS, NOW, firstError, makeWorld, releaseDoc } from "./publish-world.js";
import { conformanceDataset } from "../../src/testing/fixture.js";

type Doc = { data: { id: string; type: string; attributes: Record<string, unknown>; relationships: Record<string, { data?: unknown }>; links: Record<string, string> } };
type ListDoc = { data: Array<{ id: string; attributes: Record<string, unknown> }>; links?: Record<string, unknown> };

describe("POST /releases", () => {
  it("creates a DRAFT release (201, Location, Keygen's serialisation) with its package and constraints", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/releases", "admin", releaseDoc(
      { version: "4.0.0", name: "Four", description: "notes", tag: "four", metadata: { k: "v" }, backdated: "2026-02-01T00:00:00Z" },
      {
        package: { data: { type: "packages", id: IDS.pkgPypi } },
        constraints: { data: [{ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id: "PRO" } } } }] },
      },
    ));
    expect(res.status).toBe(201);
    const doc = (await res.json()) as Doc;
    expect(res.headers.get("location")).toBe(`http://localhost:8080/v1/accounts/${IDS.account}/releases/${doc.data.id}`);
    expect(doc.data.type).toBe("releases");
    expect(doc.data.attributes).toMatchObject({
      version: "4.0.0", channel: "stable", status: "DRAFT", name: "Four", description: "notes", tag: "four",
      metadata: { k: "v" }, backdated: "2026-02-01T00:00:00.000Z", yanked: null,
      semver: { major: 4, minor: 0, patch: 0, prerelease: null, build: null },
    });
    expect(doc.data.relationships.package?.data).toEqual({ type: "packages", id: IDS.pkgPypi });
    expect(doc.data.relationships.product?.data).toEqual({ type: "products", id: IDS.productLicensed });
    expect(doc.data.links.self).toBe(`/v1/accounts/${IDS.account}/releases/${doc.data.id}`);
    const stored = await w.store.getRelease(IDS.account, doc.data.id);
    expect(stored?.entitlements).toEqual(["PRO"]);
    expect(w.events.map((e) => e.type)).toEqual(["release.created"]);
  });

  it("normalises the version as Keygen does and checks it against the channel", async () => {
    const w = await makeWorld();
    const ok = await w.call("POST", "/releases", "admin", releaseDoc({ version: "05.1" }));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as Doc).data.attributes.version).toBe("5.1.0");
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ version: "v1.0.0" }, "VERSION_INVALID", "must be a valid version"],
      [{ version: "1.0.0-foo.1" }, "VERSION_CHANNEL_INVALID", "must be a valid channel"],
      [{ version: "1.0.0-beta.1" }, "VERSION_CHANNEL_INVALID", "version does not match stable channel (expected x.y.z got 1.0.0-beta.1)"],
      [{ version: "1.0.0", channel: "beta" }, "VERSION_CHANNEL_INVALID", "version does not match prerelease channel (expected x.y.z-beta.n got 1.0.0)"],
      [{ version: "1.0.0-alpha.1", channel: "beta" }, "VERSION_CHANNEL_INVALID", "version does not match prerelease channel (expected x.y.z-beta.n got 1.0.0-alpha.1)"],
    ];
    for (const [attrs, code, detail] of cases) {
      const res = await w.call("POST", "/releases", "admin", releaseDoc(attrs));
      expect(res.status).toBe(422);
      expect(await firstError(res)).toMatchObject({ title: "Unprocessable resource", code, detail, source: { pointer: "/data/attributes/version" } });
    }
    const beta = await w.call("POST", "/releases", "admin", releaseDoc({ version: "6.0.0-beta.1", channel: "beta" }));
    expect(beta.status).toBe(201);
  });

  it("answers 422 for taken versions and tags, reserved or long tags, bad packages and entitlements, a future backdate", async () => {
    const w = await makeWorld();
    const pkg = { package: { data: { type: "packages", id: IDS.pkgPypi } } };
    const cases: Array<[unknown, string, string]> = [
      [releaseDoc({ version: "1.0.0" }, pkg), "VERSION_TAKEN", "/data/attributes/version"],
      [releaseDoc({ version: "7.0.0", tag: "latest" }, pkg), "TAG_TAKEN", "/data/attributes/tag"],
      [releaseDoc({ version: "7.0.0", tag: "actions" }), "TAG_NOT_ALLOWED", "/data/attributes/tag"],
      [releaseDoc({ version: "7.0.0", tag: "t".repeat(256) }), "TAG_TOO_LONG", "/data/attributes/tag"],
      [releaseDoc({ version: "7.0.0", name: "n".repeat(256) }), "NAME_TOO_LONG", "/data/attributes/name"],
      [releaseDoc({ version: "7.0.0", backdated: "2027-01-01T00:00:00Z" }), "BACKDATED_INVALID", "/data/attributes/backdated"],
      [releaseDoc({ version: "7.0.0" }, { package: { data: { type: "packages", id: IDS.pkgTauri } } }), "PACKAGE_NOT_ALLOWED", "/data/relationships/package"],
      [releaseDoc({ version: "7.0.0" }, { package: { data: { type: "packages", id: "00000000-0000-4000-8000-00000000ffff" } } }), "PACKAGE_NOT_FOUND", "/data/relationships/package"],
      [releaseDoc({ version: "7.0.0" }, { product: { data: { type: "products", id: "00000000-0000-4000-8000-00000000ffff" } } }), "PRODUCT_NOT_FOUND", "/data/relationships/product"],
      [releaseDoc({ version: "7.0.0" }, { constraints: { data: [{ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id: "GHOST" } } } }] } }), "ENTITLEMENT_NOT_FOUND", "/data/relationships/constraints/data/0/relationships/entitlement"],
      [releaseDoc({ version: "7.0.0", metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }), "METADATA_TOO_LONG", "/data/attributes/metadata"],
    ];
    for (const [doc, code, pointer] of cases) {
      const res = await w.call("POST", "/releases", "admin", doc);
      expect(res.status, code).toBe(422);
      expect(await firstError(res)).toMatchObject({ code, source: { pointer } });
    }
    // Nothing was written by any of them.
    const list = (await (await w.call("GET", "/releases?version=7.0.0&limit=100", "admin")).json()) as ListDoc;
    expect(list.data).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it("accepts a release id given as a product code and the same version in another package", async () => {
    const w = await makeWorld();
    const res = await w.call("POST", "/releases", "admin", releaseDoc({ version: "1.0.0" }, {
      product: { data: { type: "products", id: "app" } },
      package: { data: { type: "packages", id: "acme-sdk" } },
    }));
    expect(res.status).toBe(201);
  });
});

describe("GET /releases", () => {
  it("lists with Keygen's pagination and the filters of SPEC §8, scoped to the caller", async () => {
    const w = await makeWorld();
    const all = (await (await w.call("GET", "/releases?limit=100", "admin")).json()) as ListDoc;
    const inAccount = (await conformanceDataset()).releases.filter((r) => r.accountId === IDS.account).length;
    expect(all.data.length).toBe(inAccount);
    expect(all.links).toBeUndefined();
    const byPkg = (await (await w.call("GET", `/releases?package=${IDS.pkgPypi}&status=PUBLISHED&limit=100`, "admin")).json()) as ListDoc;
    expect(byPkg.data.map((r) => r.attributes.version).sort()).toEqual(["1.0.0", "1.1.0", "2.0.0", "2.0.0+build.7", "2.0.0-beta.1", "2.0.0-beta.2"]);
    const noPkg = (await (await w.call("GET", "/releases?package=&product=cli", "admin")).json()) as ListDoc;
    expect(noPkg.data.map((r) => r.id).sort()).toEqual([IDS.relCli100, IDS.relCli110, IDS.relCliPro].sort());
    const beta = (await (await w.call("GET", "/releases?channel=beta", "admin")).json()) as ListDoc;
    expect(beta.data.every((r) => r.attributes.channel === "beta")).toBe(true);
    const v = (await (await w.call("GET", "/releases?version=1.2", "admin")).json()) as ListDoc;
    expect(v.data.map((r) => r.id).sort()).toEqual([IDS.relTauri120, IDS.relCliPro].sort());
    const paged = await w.call("GET", "/releases?page[number]=2&page[size]=5", "admin");
    const pagedDoc = (await paged.json()) as ListDoc & { links: { meta: { count: number; pages: number }; next: string } };
    expect(pagedDoc.data.length).toBe(5);
    expect(pagedDoc.links.meta).toEqual({ count: inAccount, pages: Math.ceil(inAccount / 5) });
    const anon = (await (await w.call("GET", "/releases?limit=100", "anonymous")).json()) as ListDoc;
    expect(anon.data.map((r) => r.id).sort()).toEqual([IDS.relTauri100, IDS.relTauri110, IDS.relTauri120, IDS.relTauri130b, IDS.relOpen].sort());
    const bad = await w.call("GET", "/releases?status=SHIPPED", "admin");
    expect(bad.status).toBe(400);
    expect((await firstError(bad)).source).toEqual({ parameter: "status" });
  });

  it("shows one release by id, version or tag (`?package=` disambiguates), 404 outside the scope", async () => {
    const w = await makeWorld();
    expect((await w.call("GET", `/releases/${IDS.relCli110}`, "admin")).status).toBe(200);
    const tagged = (await (await w.call("GET", "/releases/stable-tag", "admin")).json()) as Doc;
    expect(tagged.data.id).toBe(IDS.relCli110);
    const narrowed = (await (await w.call("GET", `/releases/1.0.0?package=${IDS.pkgPypi}`, "admin")).json()) as Doc;
    expect(narrowed.data.id).toBe(IDS.relPypi100);
    const none = (await (await w.call("GET", "/releases/1.0.0?package=&product=cli", "admin")).json()) as Doc;
    expect(none.data.id).toBe(IDS.relCli100);
    const draft = await w.call("GET", `/releases/${IDS.relPypiDraft}`, "anonymous");
    expect(draft.status).toBe(404);
    expect((await firstError(draft)).detail).toBe(`The requested release '${IDS.relPypiDraft}' was not found`);
  });
});

describe("PATCH and DELETE /releases/{id}", () => {
  it("changes name, description, tag, backdated and metadata (200), refusing version and channel changes", async () => {
    const w = await makeWorld();
    const res = await w.call("PATCH", `/releases/${IDS.relCli110}`, "admin", {
      data: { type: "releases", id: IDS.relCli110, attributes: { name: "One ten", description: null, tag: "", metadata: { a: 1 } } },
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.data.attributes).toMatchObject({ name: "One ten", description: null, tag: null, metadata: { a: 1 }, version: "1.1.0" });
    expect(doc.data.attributes.updated).toBe(NOW.toISOString());
    const version = await w.call("PATCH", `/releases/${IDS.relCli110}`, "admin", { data: { type: "releases", attributes: { version: "9.9.9" } } });
    expect(version.status).toBe(400);
    expect(await firstError(version)).toMatchObject({ detail: "unpermitted parameter", source: { pointer: "/data/attributes/version" } });
    const taken = await w.call("PATCH", `/releases/${IDS.relPypi100}`, "admin", { data: { type: "releases", attributes: { tag: "latest" } } });
    expect(taken.status).toBe(422);
    expect(await firstError(taken)).toMatchObject({ code: "TAG_TAKEN", source: { pointer: "/data/attributes/tag" } });
    expect(w.events.map((e) => e.type)).toEqual(["release.updated"]);
  });

  it("deletes a release with its artifacts and their bytes (204); then it is gone", async () => {
    const w = await makeWorld();
    const res = await w.call("DELETE", `/releases/${IDS.relPypi200}`, "admin");
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await w.store.getRelease(IDS.account, IDS.relPypi200)).toBeNull();
    expect(await w.store.getArtifact(IDS.account, IDS.artWhl200)).toBeNull();
    expect(w.blobs.removed.sort()).toEqual([IDS.artWhl200, IDS.artWhl200Sdist].sort());
    expect((await w.call("GET", `/releases/${IDS.relPypi200}`, "admin")).status).toBe(404);
    expect(w.events.map((e) => [e.type, e.data.id])).toEqual([["release.deleted", IDS.relPypi200]]);
  });
});

describe("release actions", () => {
  it("publishes (200, no body needed) and yanks with an optional meta.reason", async () => {
    const w = await makeWorld();
    const pub = await w.call("POST", `/releases/${IDS.relPypiDraft}/actions/publish`, "admin");
    expect(pub.status).toBe(200);
    expect(((await pub.json()) as Doc).data.attributes.status).toBe("PUBLISHED");
    const yank = await w.call("POST", `/releases/${IDS.relPypiDraft}/actions/yank`, "admin", { meta: { reason: "broken build" } });
    expect(yank.status).toBe(200);
    const yanked = (await yank.json()) as Doc;
    expect(yanked.data.attributes).toMatchObject({ status: "YANKED", yanked: NOW.toISOString() });
    expect((await w.store.getRelease(IDS.account, IDS.relPypiDraft))?.metadata.yankReason).toBe("broken build");
    const plain = await w.call("POST", `/releases/${IDS.relCli100}/actions/yank`, "admin");
    expect(plain.status).toBe(200);
    const extra = await w.call("POST", `/releases/${IDS.relCli110}/actions/yank`, "admin", { meta: { reason: "x", why: 1 } });
    expect(extra.status).toBe(400);
    expect((await firstError(extra)).source).toEqual({ pointer: "/meta/why" });
    expect(w.events.map((e) => e.type)).toEqual(["release.published", "release.yanked", "release.yanked"]);
  });

  it("yanks a yanked release again as Keygen does (yank! re-sets yanked_at): 200, the new reason, a second release.yanked", async () => {
    const w = await makeWorld();
    const first = await w.call("POST", `/releases/${IDS.relCli100}/actions/yank`, "admin", { meta: { reason: "first" } });
    expect(first.status).toBe(200);
    const second = await w.call("POST", `/releases/${IDS.relCli100}/actions/yank`, "admin", { meta: { reason: "second" } });
    expect(second.status).toBe(200);
    expect(((await second.json()) as Doc).data.attributes).toMatchObject({ status: "YANKED", yanked: NOW.toISOString() });
    expect((await w.store.getRelease(IDS.account, IDS.relCli100))?.metadata.yankReason).toBe("second");
    expect(w.events.map((e) => e.type)).toEqual(["release.yanked", "release.yanked"]);
  });

  it("attaches and detaches constraints (Keygen's documents; detach by constraint id or entitlement)", async () => {
    const w = await makeWorld();
    const ent = (id: string) => ({ type: "constraints", relationships: { entitlement: { data: { type: "entitlements", id } } } });
    const att = await w.call("POST", `/releases/${IDS.relCli100}/constraints`, "admin", { data: [ent("PRO"), ent("EXTRA")] });
    expect(att.status).toBe(200);
    const attached = (await att.json()) as { data: Array<{ id: string; type: string; relationships: { entitlement: { data: { id: string } }; release: { data: { id: string } } } }> };
    expect(attached.data.map((c) => c.type)).toEqual(["constraints", "constraints"]);
    expect(attached.data[0]?.relationships.release.data.id).toBe(IDS.relCli100);
    expect((await w.store.getRelease(IDS.account, IDS.relCli100))?.entitlements).toEqual(["PRO", "EXTRA"]);
    const again = await w.call("POST", `/releases/${IDS.relCli100}/constraints`, "admin", { data: [ent("PRO")] });
    expect(again.status).toBe(422);
    expect(await firstError(again)).toMatchObject({ code: "ENTITLEMENT_TAKEN", source: { pointer: "/data/0/relationships/entitlement" } });
    const byId = await w.call("DELETE", `/releases/${IDS.relCli100}/constraints`, "admin", { data: [{ type: "constraints", id: attached.data[0]?.id }] });
    expect(byId.status).toBe(204);
    const byEnt = await w.call("DELETE", `/releases/${IDS.relCli100}/constraints`, "admin", { data: [ent("EXTRA")] });
    expect(byEnt.status).toBe(204);
    expect((await w.store.getRelease(IDS.account, IDS.relCli100))?.entitlements).toEqual([]);
    const notAttached = await w.call("DELETE", `/releases/${IDS.relCli100}/constraints`, "admin", { data: [ent("PRO")] });
    expect(notAttached.status).toBe(422);
    expect(await firstError(notAttached)).toMatchObject({ detail: "cannot detach constraint 'PRO' (constraint is not attached)", source: { pointer: "/data/0" } });
  });

  it("moves a release to another package of its product, or to none; refuses another product's package", async () => {
    const w = await makeWorld();
    const moved = await w.call("PUT", `/releases/${IDS.relOpen}/package`, "admin", { data: { type: "packages", id: IDS.pkgTauri } });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as Doc).data.id).toBe(IDS.pkgTauri);
    expect((await w.store.getRelease(IDS.account, IDS.relOpen))?.packageId).toBe(IDS.pkgTauri);
    const none = await w.call("PUT", `/releases/${IDS.relOpen}/package`, "admin", { data: null });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ data: null });
    expect((await w.store.getRelease(IDS.account, IDS.relOpen))?.packageId).toBeNull();
    const other = await w.call("PUT", `/releases/${IDS.relOpen}/package`, "admin", { data: { type: "packages", id: IDS.pkgPypi } });
    expect(other.status).toBe(422);
    expect(await firstError(other)).toMatchObject({ code: "PACKAGE_NOT_ALLOWED", source: { pointer: "/data" } });
    // Moving 1.0.0 into a package that has a 1.0.0 conflicts.
    const clash = await w.call("PUT", `/releases/${IDS.relCli100}/package`, "admin", { data: { type: "packages", id: IDS.pkgPypi } });
    expect(clash.status).toBe(422);
    expect((await firstError(clash)).code).toBe("VERSION_TAKEN");
    expect((await w.store.getRelease(IDS.account, IDS.relCli100))?.packageId).toBeNull();
  });
});
