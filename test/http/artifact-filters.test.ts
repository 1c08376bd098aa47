/**
 * `GET /artifacts/{id}` with Keygen's filters (issue 17 item 3), on the run's store: keygen-api
 * `app/controllers/api/v1/release_artifacts_controller.rb` applies `has_scope` product, release,
 * channel, status, package, engine, filetype, platform and arch before `FindByAliasService`, so a
 * filter that names nothing is a 404, to a UUID as to a filename (scopes from
 * `app/models/release_artifact.rb`: for_channel's matrix, for_package/for_engine/for_platform with
 * a blank value meaning "has none", with_status upcasing).
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { makeStore } from "../helpers/store.js";
import { KEYS, RAW_IDS, RAW_TOKENS, writeRawDataset, type RawFixture } from "../raw/dataset.js";

const NOW = new Date("2026-06-01T00:00:00Z");
let fx: RawFixture;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  fx = writeRawDataset();
  const { dataset, root } = await loadDatasetFile(fx.file);
  handler = createFetchHandler({ store: await makeStore(dataset), blobs: createFileBlobStorage({ root }), now: () => NOW });
});
afterAll(() => fs.rmSync(fx.dir, { recursive: true, force: true }));

const ADMIN = { Authorization: `Bearer ${RAW_TOKENS.admin}` };

/** The artifact id a lookup answers (303 or 200), or its status when it finds none. */
async function lookup(id: string, query: string, headers: Record<string, string> = ADMIN): Promise<string | number> {
  const res = await handler(new Request(`http://localhost/v1/accounts/${RAW_IDS.account}/artifacts/${encodeURIComponent(id)}${query}`, { headers }));
  if (res.status !== 303 && res.status !== 200) return res.status;
  return ((await res.json()) as { data: { id: string } }).data.id;
}

describe("artifact lookup filters (release_artifacts_controller.rb has_scope)", () => {
  const file = "keygen_linux_amd64";
  it("without filters the highest version of any product wins; ?product= (id or code) narrows to that product", async () => {
    expect(await lookup(file, "")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup(file, `?product=${RAW_IDS.dup}`)).toBe(fx.artifact("dup", "1.0.0-beta.1", file));
    expect(await lookup(file, "?product=dup")).toBe(fx.artifact("dup", "1.0.0-beta.1", file));
  });

  it("a filter naming nothing is a 404, never the unfiltered 200/303 (for_product, for_release)", async () => {
    expect(await lookup(file, "?product=nope")).toBe(404);
    expect(await lookup(fx.artifact("cli", "1.0.0", file), "?product=nope")).toBe(404);
    expect(await lookup(fx.artifact("cli", "1.0.0", file), `?product=${RAW_IDS.dup}`)).toBe(404);
    expect(await lookup(file, "?release=1.0.0")).toBe(404);
    expect(await lookup(file, "?channel=edge")).toBe(404);
    expect(await lookup(file, "?package=nope")).toBe(404);
    expect(await lookup(file, "?engine=nope")).toBe(404);
    expect(await lookup(file, "?status=nope")).toBe(404);
  });

  it("?release= is a release id; ?channel= follows Keygen's channel matrix (stable only sees stable)", async () => {
    const releaseOf = async (artifact: string) => {
      const res = await handler(new Request(`http://localhost/v1/accounts/${RAW_IDS.account}/artifacts/${artifact}`, { headers: { ...ADMIN, Prefer: "no-download" } }));
      return ((await res.json()) as { data: { relationships: { release: { data: { id: string } } } } }).data.relationships.release.data.id;
    };
    const cli100 = fx.artifact("cli", "1.0.0", file);
    expect(await lookup(file, `?release=${await releaseOf(cli100)}`)).toBe(cli100);
    expect(await lookup(file, "?product=cli&channel=stable")).toBe(fx.artifact("cli", "1.1.0", file));
    expect(await lookup(file, "?product=cli&channel=beta")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup(file, "?product=cli&channel=dev")).toBe(404);
  });

  it("?package= and ?engine= take an id or key, and a blank value means the release has none", async () => {
    const relay = fx.artifact("relay", "2.0.0", "relay_linux_amd64");
    expect(await lookup("relay_linux_amd64", "?package=relay")).toBe(relay);
    expect(await lookup("relay_linux_amd64", `?package=${RAW_IDS.pkgRelay}`)).toBe(relay);
    expect(await lookup("relay_linux_amd64", "?package=")).toBe(404);
    expect(await lookup("relay_linux_amd64", "?engine=raw")).toBe(relay);
    expect(await lookup("relay_linux_amd64", "?engine=tauri")).toBe(404);
    expect(await lookup("relay_linux_amd64", "?engine=")).toBe(404);
    expect(await lookup(file, "?package=")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup(file, "?engine=")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
  });

  it("?platform=, ?arch=, ?filetype= match keys; blank matches artifacts without one; ?status= is upcased", async () => {
    expect(await lookup(file, "?platform=linux")).toBe(404);
    expect(await lookup(file, "?platform=&arch=&filetype=")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup(file, "?status=uploaded")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup("relay_windows_386.exe", "?status=WAITING")).toBe(fx.artifact("relay", "1.0.0", "relay_windows_386.exe"));
    expect(await lookup("relay_windows_386.exe", "?status=UPLOADED")).toBe(404);
  });

  it("blank ?product=, ?release=, ?channel=, ?status= are ignored, as has_scope ignores blank values", async () => {
    expect(await lookup(file, "?product=&release=&channel=&status=")).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
  });

  it("filters narrow the caller's scope, never widen it: a license of cli asking for dup is a 404", async () => {
    const license = { Authorization: `License ${KEYS.cli}` };
    expect(await lookup(file, "?product=cli", license)).toBe(fx.artifact("cli", "1.2.0-beta.1", file));
    expect(await lookup(file, "?product=cli&channel=stable", license)).toBe(fx.artifact("cli", "1.1.0", file));
    expect(await lookup(file, "?product=dup", license)).toBe(404);
  });
});
