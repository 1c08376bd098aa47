/**
 * `onEvent` (issue 13 item 7): called after each committed change and for downloads and upgrades,
 * never blocking or failing the request: a throwing or rejecting hook goes to `onError`, a hook that
 * never settles is not waited for, and a refused write sends nothing.
 */
import { describe, expect, it } from "vitest";
import type { SdkEvent } from "../../src/engines/publish/events.js";
import { IDS, NOW, artifactDoc, makeWorld, packageDoc, releaseDoc } from "./publish-world.js";

describe("onEvent", () => {
  it("names every committed change, with the record as the API serialises it", async () => {
    const w = await makeWorld();
    const pkg = await w.call("POST", "/packages", "admin", packageDoc({ name: "E", key: "events-pkg" }));
    const pid = ((await pkg.json()) as { data: { id: string } }).data.id;
    await w.call("PATCH", `/packages/${pid}`, "admin", { data: { type: "packages", attributes: { name: "E2" } } });
    const rel = await w.call("POST", "/releases", "admin", releaseDoc({ version: "3.3.3" }, { package: { data: { type: "packages", id: pid } } }));
    const rid = ((await rel.json()) as { data: { id: string } }).data.id;
    await w.call("PATCH", `/releases/${rid}`, "admin", { data: { type: "releases", attributes: { name: "r" } } });
    const art = await w.call("POST", "/artifacts", "admin", artifactDoc(rid, { filename: "e.zip" }));
    const aid = ((await art.json()) as { data: { id: string } }).data.id;
    await w.call("POST", `/releases/${rid}/actions/publish`, "admin");
    await w.call("POST", `/releases/${rid}/actions/yank`, "admin");
    await w.call("DELETE", `/artifacts/${aid}`, "admin");
    await w.call("DELETE", `/releases/${rid}`, "admin");
    await w.call("DELETE", `/packages/${pid}`, "admin");
    expect(w.events.map((e) => e.type)).toEqual([
      "package.created", "package.updated", "release.created", "release.updated", "artifact.created",
      "release.published", "release.yanked", "artifact.deleted", "release.deleted", "package.deleted",
    ]);
    const published = w.events[5] as SdkEvent;
    expect(published).toMatchObject({ accountId: IDS.account, at: NOW.toISOString(), data: { id: rid, type: "releases", attributes: { status: "PUBLISHED" } } });
    expect((w.events[4] as SdkEvent).data).toMatchObject({ id: aid, type: "artifacts", attributes: { status: "WAITING" } });
  });

  it("reports downloads and upgrades (Tauri and the upgrade route)", async () => {
    const w = await makeWorld();
    expect((await w.call("GET", `/artifacts/${IDS.artOpen}`, "anonymous")).status).toBe(303);
    expect((await w.call("GET", `/artifacts/${IDS.artWhlWaiting}`, "admin")).status).toBe(200); // not uploaded: no download
    const tauri = (version: string) => w.handler(new Request(`http://localhost/v1/accounts/acme/engines/tauri/acme-app?platform=linux&arch=x86_64&version=${version}`));
    expect((await tauri("1.1.0")).status).toBe(200);
    expect((await tauri("1.2.0")).status).toBe(204);
    expect((await w.call("GET", `/releases/${IDS.relTauri100}/upgrade`, "anonymous")).status).toBe(200);
    expect(w.events.map((e) => [e.type, e.data.id])).toEqual([
      ["artifact.downloaded", IDS.artOpen],
      ["release.upgraded", IDS.relTauri120],
      ["release.upgraded", IDS.relTauri120],
    ]);
  });

  it("a hook that throws, rejects or never settles neither fails nor holds the request; onError hears of it", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const hooks = [
      () => {
        calls++;
        throw new Error("sync boom");
      },
      async () => {
        calls++;
        throw new Error("async boom");
      },
      () => {
        calls++;
        return new Promise<void>(() => {});
      },
    ];
    for (const [i, onEvent] of hooks.entries()) {
      const w = await makeWorld({ onEvent, onError: (e) => void errors.push(e) });
      const res = await w.call("POST", "/releases", "admin", releaseDoc({ version: `3.4.${i}` }));
      expect(res.status).toBe(201);
      expect((await w.call("GET", `/releases/3.4.${i}?package=`, "admin")).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(["sync boom", "async boom"]);
  });
});

describe("emitUploaded", () => {
  it("sends artifact.uploaded with the artifact, and swallows a failing hook into onError", async () => {
    const { emitUploaded } = await import("../../src/engines/publish/events.js");
    const w = await makeWorld();
    const art = (await w.store.getArtifact(IDS.account, IDS.artOpen))?.artifact;
    if (art === undefined) throw new Error("fixture artifact missing");
    const got: SdkEvent[] = [];
    emitUploaded((e) => void got.push(e), art, NOW);
    expect(got).toMatchObject([{ type: "artifact.uploaded", accountId: IDS.account, at: NOW.toISOString(), data: { id: IDS.artOpen, type: "artifacts" } }]);
    const errors: unknown[] = [];
    expect(() => emitUploaded(() => { throw new Error("x"); }, art, NOW, (e) => errors.push(e))).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
