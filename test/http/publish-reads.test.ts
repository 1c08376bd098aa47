/**
 * Reads see writes at once, in the same process: a release published through the API appears on the
 * PyPI page, is offered by a Tauri check and is what a raw `latest` link names; yanked, Tauri and raw
 * stop choosing it. The upload `PUT` is the upload helper's: here the store marks the bytes uploaded.
 */
import { describe, expect, it } from "vitest";
import { CALLERS, IDS, NOW, artifactDoc, makeWorld, releaseDoc, type World } from "./publish-world.js";

const SHA = "b".repeat(64);

async function publishWithArtifact(w: World, release: unknown, artifact: Record<string, unknown>): Promise<{ release: string; artifact: string }> {
  const created = await w.call("POST", "/releases", "admin", release);
  expect(created.status).toBe(201);
  const rid = ((await created.json()) as { data: { id: string } }).data.id;
  const art = await w.call("POST", "/artifacts", "admin", artifactDoc(rid, artifact));
  expect(art.status).toBe(307);
  const aid = ((await art.json()) as { data: { id: string } }).data.id;
  // What the upload PUT does once the bytes are in (the upload helper's route).
  await w.store.completeArtifact(IDS.account, aid, { filesize: 10, sha256: SHA, blob: `blobs/${aid}` }, NOW);
  expect((await w.call("POST", `/releases/${rid}/actions/publish`, "admin")).status).toBe(200);
  return { release: rid, artifact: aid };
}

const get = (w: World, path: string, headers: Record<string, string> = {}) =>
  w.handler(new Request(`http://localhost:8080/v1/accounts/acme${path}`, { headers: { authorization: CALLERS.admin, ...headers }, redirect: "manual" }));

describe("reads see writes at once", () => {
  it("PyPI: the published wheel is listed on the project page, with its hash", async () => {
    const w = await makeWorld();
    const before = await (await get(w, "/engines/pypi/simple/acme-tools/")).text();
    expect(before).not.toContain("acme_tools-4.0.0-py3-none-any.whl");
    await publishWithArtifact(w, releaseDoc({ version: "4.0.0" }, { package: { data: { type: "packages", id: IDS.pkgPypi } } }), { filename: "acme_tools-4.0.0-py3-none-any.whl", filetype: "whl" });
    const after = await (await get(w, "/engines/pypi/simple/acme-tools/")).text();
    expect(after).toContain("acme_tools-4.0.0-py3-none-any.whl");
    expect(after).toContain(`#sha256=${SHA}`);
  });

  it("Tauri: the new signed release is offered, and no longer once yanked", async () => {
    const w = await makeWorld();
    const check = () => get(w, "/engines/tauri/acme-app?platform=linux&arch=x86_64&version=1.2.0", { authorization: "" });
    expect((await check()).status).toBe(204);
    const { release } = await publishWithArtifact(w, releaseDoc({ version: "1.4.0" }, {
      product: { data: { type: "products", id: IDS.productOpen } },
      package: { data: { type: "packages", id: IDS.pkgTauri } },
    }), { filename: "app-1.4.0.AppImage.tar.gz", filetype: ".gz", platform: "linux", arch: "x86_64", signature: "sig-140" });
    const offered = await check();
    expect(offered.status).toBe(200);
    expect(await offered.json()).toMatchObject({ version: "1.4.0", signature: "sig-140" });
    expect((await w.call("POST", `/releases/${release}/actions/yank`, "admin", { meta: { reason: "bad" } })).status).toBe(200);
    expect((await check()).status).toBe(204);
  });

  it("raw: `latest` names the newest published stable release with the file, until it is yanked", async () => {
    const w = await makeWorld();
    const latest = async () => (await get(w, "/engines/raw/cli/latest/tool_linux_amd64")).headers.get("location");
    expect(await latest()).toContain(IDS.artCliPro);
    const { release, artifact } = await publishWithArtifact(w, releaseDoc({ version: "1.3.0" }), { filename: "tool_linux_amd64", platform: "linux", arch: "amd64" });
    expect(await latest()).toContain(artifact);
    await w.call("POST", `/releases/${release}/actions/yank`, "admin");
    expect(await latest()).toContain(IDS.artCliPro);
  });
});
