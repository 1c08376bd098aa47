/**
 * Existence leaks (issue 9, item 7): for LICENSED and CLOSED products, a caller who may not see a
 * package, release or artifact gets exactly the answer a missing one gets (status, headers and
 * body, the echoed identifier and meta.id aside), on every route. The one documented exception is
 * PyPI: Keygen answers 401/403 for a protected project and passes an unknown one through (307).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { memoryBlobs, NOW, type Handler } from "./world.js";

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const GHOST = U(999_999);
const SIG = "c2lnbmF0dXJl";

let handler: Handler;
/** Ids of the hidden records, by product code: release of the Tauri package, its artifact, package-less release and its artifact, engines. */
const ids = {
  lic: { pkgTauri: U(21), relTauri: U(101), artTauri: U(1001), relRaw: U(111), artRaw: U(1011), pkgPypi: U(31) },
  closed: { pkgTauri: U(22), relTauri: U(102), artTauri: U(1002), relRaw: U(112), artRaw: U(1012), pkgPypi: U(32) },
};

beforeAll(async () => {
  const per = (code: "lic" | "closed") => {
    const i = ids[code];
    return {
      packages: [
        { id: i.pkgTauri, product: code, key: `${code}-app`, name: code, engine: "tauri" },
        { id: i.pkgPypi, product: code, key: `${code}-py`, name: code, engine: "pypi" },
      ],
      releases: [
        { id: i.relTauri, product: code, package: `${code}-app`, version: "1.0.0", status: "PUBLISHED", created: "2026-01-02T00:00:00Z" },
        { product: code, package: `${code}-app`, version: "1.1.0", status: "PUBLISHED", created: "2026-01-03T00:00:00Z" },
        { id: i.relRaw, product: code, version: "1.0.0", status: "PUBLISHED", tag: "latest", created: "2026-01-02T00:00:00Z" },
      ],
      artifacts: [
        { id: i.artTauri, release: i.relTauri, filename: `${code}.AppImage.tar.gz`, platform: "linux", arch: "x86_64", signature: SIG, filesize: 1, checksum: "a".repeat(64), status: "UPLOADED" },
        { release: `${code}-app@1.1.0`, filename: `${code}-1.1.AppImage.tar.gz`, platform: "linux", arch: "x86_64", signature: SIG, filesize: 1, checksum: "a".repeat(64), status: "UPLOADED" },
        { id: i.artRaw, release: i.relRaw, filename: `${code}_tool`, filesize: 1, checksum: "a".repeat(64), status: "UPLOADED" },
      ],
    };
  };
  const lic = per("lic");
  const closed = per("closed");
  const dataset = await loadDataset({
    accounts: [{
      id: U(1), slug: "leak", name: "Leak", secretKey: "leak-secret-key-0123456789abcdef",
      products: [
        { code: "lic", name: "Lic", distributionStrategy: "LICENSED" },
        { code: "closed", name: "Closed", distributionStrategy: "CLOSED" },
        { code: "other", name: "Other", distributionStrategy: "LICENSED" },
      ],
      packages: [...lic.packages, ...closed.packages],
      releases: [...lic.releases, ...closed.releases],
      artifacts: [...lic.artifacts, ...closed.artifacts],
      policies: [{ id: U(2001), product: "other", name: "Other", authenticationStrategy: "LICENSE" }],
      licenses: [{ policy: U(2001), key: "OTHER-KEY" }],
    }],
  });
  const known = new Set<string>();
  handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: memoryBlobs(known), now: () => NOW });
});

/** A response reduced to what a caller can observe, with the echoed identifier and request id blanked. */
async function observe(path: string, echoed: string, auth: string | null) {
  const res = await handler(new Request(`http://localhost/v1/accounts/leak/${path}`, { headers: auth === null ? {} : { authorization: auth }, redirect: "manual" }));
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== "content-length"));
  const body = (await res.text()).replace(/"meta":\{"id":"[^"]+"\}/, '"meta":{"id":"…"}').split(echoed).join("§");
  return { status: res.status, headers, body };
}

const CALLERS: Array<[string, string | null]> = [["anonymous", null], ["a license of another product", "License OTHER-KEY"]];
const TAURI_Q = "?platform=linux&arch=x86_64&version=1.0.0";

/** Pairs [hidden, missing] of paths with the identifier each echoes, per product. */
function pairs(code: "lic" | "closed"): Array<{ name: string; hidden: [string, string]; missing: Array<[string, string]> }> {
  const i = ids[code];
  return [
    { name: "tauri package by key", hidden: [`engines/tauri/${code}-app${TAURI_Q}`, `${code}-app`], missing: [[`engines/tauri/ghost-app${TAURI_Q}`, "ghost-app"]] },
    { name: "tauri package by id", hidden: [`engines/tauri/${i.pkgTauri}${TAURI_Q}`, i.pkgTauri], missing: [[`engines/tauri/${GHOST}${TAURI_Q}`, GHOST]] },
    {
      name: "raw artifact",
      hidden: [`engines/raw/${code}/1.0.0/${code}_tool`, `${code}_tool`],
      missing: [[`engines/raw/ghost/1.0.0/${code}_tool`, `${code}_tool`], [`engines/raw/${code}/9.9.9/${code}_tool`, `${code}_tool`], [`engines/raw/${code}/1.0.0/ghost_tool`, "ghost_tool"], [`engines/raw/${code}/latest/ghost_tool`, "ghost_tool"]],
    },
    { name: "raw artifact by package", hidden: [`engines/raw/${code}/@${code}-app/1.0.0/${code}.AppImage.tar.gz`, `${code}.AppImage.tar.gz`], missing: [[`engines/raw/${code}/@ghost/1.0.0/${code}.AppImage.tar.gz`, `${code}.AppImage.tar.gz`]] },
    { name: "artifact by id", hidden: [`artifacts/${i.artRaw}`, i.artRaw], missing: [[`artifacts/${GHOST}`, GHOST]] },
    { name: "artifact by id and filename", hidden: [`artifacts/${i.artTauri}/${code}.AppImage.tar.gz`, i.artTauri], missing: [[`artifacts/${GHOST}/${code}.AppImage.tar.gz`, GHOST]] },
    { name: "artifact by filename", hidden: [`artifacts/${code}_tool`, `${code}_tool`], missing: [["artifacts/ghost_tool", "ghost_tool"]] },
    { name: "PEP 658 metadata of an artifact", hidden: [`artifacts/${i.artRaw}/${code}_tool.metadata`, i.artRaw], missing: [[`artifacts/${GHOST}/${code}_tool.metadata`, GHOST]] },
    { name: "release upgrade", hidden: [`releases/${i.relTauri}/upgrade`, i.relTauri], missing: [[`releases/${GHOST}/upgrade`, GHOST]] },
    { name: "package-less release upgrade", hidden: [`releases/${i.relRaw}/upgrade`, i.relRaw], missing: [[`releases/${GHOST}/upgrade`, GHOST]] },
  ];
}

describe("no existence leaks for LICENSED and CLOSED products (item 7)", () => {
  for (const code of ["lic", "closed"] as const) {
    for (const [caller, auth] of CALLERS) {
      it(`${code}: ${caller} cannot tell hidden from missing on the Tauri, raw, artifact and upgrade routes`, async () => {
        for (const p of pairs(code)) {
          const hidden = await observe(p.hidden[0], p.hidden[1], auth);
          expect(hidden.status, `${p.name}: ${p.hidden[0]}`).toBe(404);
          for (const [path, echoed] of p.missing) expect(await observe(path, echoed, auth), `${p.name}: ${path} vs ${p.hidden[0]}`).toEqual(hidden);
        }
      });
    }

    it(`${code}: engines used only by its packages look like engines that do not exist`, async () => {
      for (const [, auth] of CALLERS) {
        const list = await handler(new Request("http://localhost/v1/accounts/leak/engines", { headers: auth === null ? {} : { authorization: auth } }));
        expect((await list.json()).data).toEqual([]);
        const shown = await observe("engines/tauri", "tauri", auth);
        expect(shown.status).toBe(404);
        expect(await observe("engines/rubygems", "rubygems", auth)).toEqual(shown);
        expect(await observe("engines/oci", "oci", auth)).toEqual(shown);
      }
    });

    it(`${code}: PyPI answers only with Keygen's documented statuses: 401 anonymous / 403 other license for the project, 307 for an unknown one`, async () => {
      const hiddenAnon = await observe(`engines/pypi/simple/${code}-py/`, `${code}-py`, null);
      expect(hiddenAnon.status).toBe(401);
      expect(hiddenAnon.headers["www-authenticate"]).toBe('Basic realm="leak"');
      expect(hiddenAnon.body).toBe("Unauthorized");
      const hiddenOther = await observe(`engines/pypi/simple/${code}-py/`, `${code}-py`, "License OTHER-KEY");
      expect(hiddenOther.status).toBe(403);
      expect(hiddenOther.body).toBe("Forbidden");
      for (const [, auth] of CALLERS) {
        const missing = await observe("engines/pypi/simple/ghost-py/", "ghost-py", auth);
        expect(missing.status).toBe(307);
        expect(missing.headers.location).toBe("https://pypi.org/simple/ghost-py/");
        // The project list never names it.
        const list = await (await handler(new Request("http://localhost/v1/accounts/leak/engines/pypi/simple/", { headers: auth === null ? {} : { authorization: auth } }))).text();
        expect(list).not.toContain(`${code}-py`);
      }
    });
  }
});
