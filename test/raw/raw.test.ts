/**
 * Raw engine over HTTP (Keygen §4, behaviours 46–56, SPEC 16), through `createFetchHandler`.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { loadDatasetFile } from "../../src/node/dataset-file.js";
import { createFileBlobStorage } from "../../src/node/file-blobs.js";
import { makeStore } from "../helpers/store.js";
import { KEYS, RAW_IDS, RAW_TOKENS, writeRawDataset, type RawFixture } from "./dataset.js";

type Handler = (request: Request) => Promise<Response>;
type Auth = { license: string } | { token: string } | { header: string } | null;

const NOW = new Date("2026-06-01T00:00:00Z");
const ACCOUNT = RAW_IDS.account;
const fixtures: RawFixture[] = [];
let fx: RawFixture;
let licensed: Handler;
let open: Handler;
let closed: Handler;

async function handlerFor(strategy: "LICENSED" | "OPEN" | "CLOSED"): Promise<{ fixture: RawFixture; handler: Handler }> {
  const fixture = writeRawDataset({ cliStrategy: strategy });
  fixtures.push(fixture);
  const { dataset, root } = await loadDatasetFile(fixture.file);
  const handler = createFetchHandler({ store: await makeStore(dataset), blobs: createFileBlobStorage({ root }), now: () => NOW });
  return { fixture, handler };
}

beforeAll(async () => {
  ({ fixture: fx, handler: licensed } = await handlerFor("LICENSED"));
  ({ handler: open } = await handlerFor("OPEN"));
  ({ handler: closed } = await handlerFor("CLOSED"));
});

afterAll(() => {
  for (const f of fixtures) fs.rmSync(f.dir, { recursive: true, force: true });
});

function headersFor(auth: Auth): Record<string, string> {
  if (auth === null) return {};
  if ("license" in auth) return { Authorization: `License ${auth.license}` };
  if ("token" in auth) return { Authorization: `Bearer ${auth.token}` };
  return { Authorization: auth.header };
}

/** GET (or HEAD) a raw link of account test1 (path after `/engines/raw/`). */
function raw(path: string, auth: Auth, handler: Handler = licensed, method = "GET", account = "test1"): Promise<Response> {
  return handler(new Request(`http://localhost/v1/accounts/${account}/engines/raw/${path}`, { method, headers: headersFor(auth) }));
}

const ADMIN: Auth = { token: RAW_TOKENS.admin };
const location = (artifactId: string, filename: string, query = "") =>
  `http://localhost/v1/accounts/${ACCOUNT}/artifacts/${artifactId}/${filename}${query}`;

async function expectRedirect(res: Response, artifactId: string, filename: string, query = ""): Promise<void> {
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(location(artifactId, filename, query));
}

async function expectNotFound(res: Response, segment: string): Promise<void> {
  expect(res.status).toBe(404);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toContain("application/vnd.api+json");
  const body = (await res.json()) as { meta: { id: string }; errors: unknown[] };
  expect(typeof body.meta.id).toBe("string");
  expect(body.errors).toEqual([{ title: "Not found", detail: `The requested release artifact '${segment}' was not found`, code: "NOT_FOUND" }]);
}

describe("raw engine: link forms (46–50, 55, 56)", () => {
  it("46: a package-less release answers 303 to the artifact download route on the request's origin", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", ADMIN), id, "keygen_linux_amd64");
    // The account may be named by UUID too; Location always names it by UUID.
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", ADMIN, licensed, "GET", ACCOUNT), id, "keygen_linux_amd64");
    const other = await licensed(new Request("https://dl.example.test:8443/v1/accounts/test1/engines/raw/cli/1.0.0/keygen_linux_amd64", { headers: headersFor(ADMIN) }));
    expect(other.headers.get("location")).toBe(`https://dl.example.test:8443/v1/accounts/${ACCOUNT}/artifacts/${id}/keygen_linux_amd64`);
  });

  it("46: HEAD answers the same redirect without a body", async () => {
    const res = await raw("cli/1.0.0/keygen_linux_amd64", ADMIN, licensed, "HEAD");
    await expectRedirect(res, fx.artifact("cli", "1.0.0", "keygen_linux_amd64"), "keygen_linux_amd64");
    expect(await res.text()).toBe("");
    const missing = await raw("cli/1.0.0/nope", ADMIN, licensed, "HEAD");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("");
  });

  it("47: a packaged release needs @package (key or UUID); without it, 404", async () => {
    const id = fx.artifact("relay", "1.0.0-beta.1", "install.sh");
    await expectRedirect(await raw("relay/@relay/1.0.0-beta.1/install.sh", ADMIN), id, "install.sh");
    await expectRedirect(await raw(`relay/@${RAW_IDS.pkgRelay}/1.0.0-beta.1/install.sh`, ADMIN), id, "install.sh");
    await expectNotFound(await raw("relay/1.0.0-beta.1/install.sh", ADMIN), "install.sh");
    // A package of another product, an unknown package, an empty package.
    await expectNotFound(await raw("relay/@test/1.0.0-beta.1/install.sh", ADMIN), "install.sh");
    await expectNotFound(await raw("relay/@nope/1.0.0-beta.1/install.sh", ADMIN), "install.sh");
    await expectNotFound(await raw("relay/@/1.0.0-beta.1/install.sh", ADMIN), "install.sh");
    // Keygen's vectors: wrong file, unknown version, misspelt product.
    await expectNotFound(await raw("relay/@relay/1.0.0/foobar.txt", ADMIN), "foobar.txt");
    await expectNotFound(await raw("relay/@relay/3.0.0/install.sh", ADMIN), "install.sh");
    await expectNotFound(await raw("rleay/@relay/1.0.0-beta.1/install.sh", ADMIN), "install.sh");
    // The raw route serves any package engine (here a tauri package).
    await expectRedirect(await raw("test/@test/1.2.3/myapp.app", ADMIN), fx.artifact("test", "1.2.3", "myapp.app"), "myapp.app");
  });

  it("48: product by code or UUID; not by name, not another account's, code matched exactly", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    await expectRedirect(await raw(`${RAW_IDS.cli}/1.0.0/keygen_linux_amd64`, ADMIN), id, "keygen_linux_amd64");
    await expectNotFound(await raw("Keygen%20CLI/1.0.0/keygen_linux_amd64", ADMIN), "keygen_linux_amd64");
    await expectNotFound(await raw("CLI/1.0.0/keygen_linux_amd64", ADMIN), "keygen_linux_amd64");
    await expectNotFound(await raw(`${RAW_IDS.otherCli}/1.0.0/keygen_linux_amd64`, ADMIN), "keygen_linux_amd64");
  });

  it("49: the release segment matches an id, a version or a tag, exactly", async () => {
    const byVersion = fx.artifact("cli", "1.1.0", "keygen_linux_amd64");
    await expectRedirect(await raw("cli/1.1.0/keygen_linux_amd64", ADMIN), byVersion, "keygen_linux_amd64");
    await expectRedirect(await raw("cli/latest/keygen_linux_amd64", ADMIN), byVersion, "keygen_linux_amd64");
    const releaseOf100 = "10000000-0000-4000-8000-000000000101"; // cli 1.0.0 (second release of the dataset)
    await expectRedirect(await raw(`cli/${releaseOf100}/keygen_linux_amd64`, ADMIN), fx.artifact("cli", "1.0.0", "keygen_linux_amd64"), "keygen_linux_amd64");
    await expectNotFound(await raw("cli/1.0/keygen_linux_amd64", ADMIN), "keygen_linux_amd64");
    await expectNotFound(await raw("cli/v1.0.0/keygen_linux_amd64", ADMIN), "keygen_linux_amd64");
    // A release of another product, named by id, is not found under this product.
    await expectNotFound(await raw(`dup/${releaseOf100}/keygen_linux_amd64`, ADMIN), "keygen_linux_amd64");
  });

  it("49 + SPEC 16: a `latest` tag wins; without one, the newest PUBLISHED stable release visible to the caller with the file", async () => {
    // relay has a release tagged latest (1.0.0): it wins over the newer stable 2.0.0, even for callers who see 2.0.0.
    const relay100 = fx.artifact("relay", "1.0.0", "relay_linux_amd64");
    await expectRedirect(await raw("relay/@relay/latest/relay_linux_amd64", { token: RAW_TOKENS.productRelay }), relay100, "relay_linux_amd64");
    await expectRedirect(await raw("relay/@relay/latest/relay_linux_amd64", { license: KEYS.relayPro }), relay100, "relay_linux_amd64");
    // The tagged release lacks install.sh: no fallback to the release that has it.
    await expectNotFound(await raw("relay/@relay/latest/install.sh", ADMIN), "install.sh");
    // dup has no `latest` tag. Admin: 0.9.2 (0.9.5 lacks the file, 1.0.0-beta.1 is not stable, 0.9.1 is a draft).
    await expectRedirect(await raw("dup/latest/keygen_linux_amd64", ADMIN), fx.artifact("dup", "0.9.2", "keygen_linux_amd64"), "keygen_linux_amd64");
    // A license without PRO does not see 0.9.2: it gets 0.9.0.
    await expectRedirect(await raw("dup/latest/keygen_linux_amd64", { license: KEYS.dup }), fx.artifact("dup", "0.9.0", "keygen_linux_amd64"), "keygen_linux_amd64");
    await expectRedirect(await raw("dup/latest/other.txt", { license: KEYS.dup }), fx.artifact("dup", "0.9.5", "other.txt"), "other.txt");
    await expectNotFound(await raw("dup/latest/missing.txt", ADMIN), "missing.txt");
    await expectNotFound(await raw("dup/latest/keygen_linux_amd64", null), "keygen_linux_amd64");
  });

  it("50: the same filename in two products resolves to each product's own artifact", async () => {
    const dup = fx.artifact("dup", "1.0.0-beta.1", "keygen_linux_amd64");
    const cli = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    expect(dup).not.toBe(cli);
    await expectRedirect(await raw("dup/1.0.0-beta.1/keygen_linux_amd64", ADMIN), dup, "keygen_linux_amd64");
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", ADMIN), cli, "keygen_linux_amd64");
    await expectNotFound(await raw("cli/1.0.0-beta.1/keygen_linux_amd64", ADMIN), "keygen_linux_amd64");
  });

  it("55: an artifact segment containing `/` is a filename; the artifact may also be named by UUID", async () => {
    const id = fx.artifact("cli", "1.0.0", "docs/README.md");
    await expectRedirect(await raw("cli/1.0.0/docs/README.md", ADMIN), id, "docs/README.md");
    await expectRedirect(await raw("cli/1.0.0/docs%2FREADME.md", ADMIN), id, "docs/README.md");
    await expectNotFound(await raw("cli/1.0.0/README.md", ADMIN), "README.md");
    const byId = fx.artifact("cli", "1.0.0", "keygen_darwin_arm64");
    await expectRedirect(await raw(`cli/1.0.0/${byId}`, ADMIN), byId, "keygen_darwin_arm64");
    // An artifact id of another release is not found under this one.
    const other = fx.artifact("cli", "1.1.0", "keygen_darwin_arm64");
    await expectNotFound(await raw(`cli/1.0.0/${other}`, ADMIN), other);
  });

  it("56: when the term names several releases (a version here, a tag there), the highest version with the file wins", async () => {
    await expectRedirect(await raw("multi/1.0.0/a.bin", null), fx.artifact("multi", "2.0.0", "a.bin"), "a.bin");
    // Only the lower release has this file: it is found there.
    await expectRedirect(await raw("multi/1.0.0/only-in-1.bin", null), fx.artifact("multi", "1.0.0", "only-in-1.bin"), "only-in-1.bin");
    await expectRedirect(await raw("multi/1.0.0-old/a.bin", null), fx.artifact("multi", "0.5.0", "a.bin"), "a.bin");
  });

  it("every not-found level answers the same document, so nothing leaks", async () => {
    const bodies = [];
    for (const path of ["nope/1.0.0/keygen_linux_amd64", "cli/@nope/1.0.0/keygen_linux_amd64", "cli/9.9.9/keygen_linux_amd64", "cli/1.0.0/keygen_linux_amd64"]) {
      const res = await raw(path, null);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { errors: unknown };
      bodies.push(JSON.stringify(body.errors));
    }
    expect(new Set(bodies).size).toBe(1);
  });
});

describe("raw engine: query string (51)", () => {
  it("51: the original query string is kept, so `?auth=` survives the redirect", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_darwin_arm64");
    const res = await licensed(new Request("http://localhost/v1/accounts/test1/engines/raw/cli/1.0.0/keygen_darwin_arm64?auth=license:test-key"));
    await expectRedirect(res, id, "keygen_darwin_arm64", "?auth=license%3Atest-key");
    const res2 = await licensed(new Request("http://localhost/v1/accounts/test1/engines/raw/cli/1.0.0/keygen_darwin_arm64?foo=a+b&auth=license%3Atest-key"));
    await expectRedirect(res2, id, "keygen_darwin_arm64", "?foo=a+b&auth=license%3Atest-key");
    // Without a query, the Location has none.
    const plain = await raw("cli/1.0.0/keygen_darwin_arm64", { license: KEYS.cli });
    await expectRedirect(plain, id, "keygen_darwin_arm64");
  });

  it("51: the Location, followed with its query, authorises the download (303 to the signed blob URL)", async () => {
    const res = await licensed(new Request("http://localhost/v1/accounts/test1/engines/raw/cli/1.0.0/keygen_darwin_arm64?auth=license:test-key"));
    const hop = await licensed(new Request(res.headers.get("location") as string));
    expect(hop.status).toBe(303);
    expect(hop.headers.get("location")).toMatch(/^http:\/\/localhost\/v1\/blobs\//);
    // The same Location without the query is anonymous: the LICENSED artifact is not found.
    const bare = (res.headers.get("location") as string).split("?")[0] as string;
    expect((await licensed(new Request(bare))).status).toBe(404);
  });
});

describe("raw engine: visibility (52–54)", () => {
  it("52: a license of cli gets its files; not relay's", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_darwin_arm64");
    await expectRedirect(await raw("cli/1.0.0/keygen_darwin_arm64", { license: KEYS.cli }), id, "keygen_darwin_arm64");
    await expectRedirect(await raw("cli/1.0.0/keygen_darwin_arm64", { header: `Basic ${btoa(`license:${KEYS.cli}`)}` }), id, "keygen_darwin_arm64");
    await expectNotFound(await raw("relay/@relay/1.0.0/relay_linux_amd64", { license: KEYS.cli }), "relay_linux_amd64");
  });

  it("52: licenses get 404 for DRAFT releases, YANKED releases and WAITING artifacts; their product's token gets 303", async () => {
    const draft = "relay/@relay/1.0.0-beta.2/relay_linux_amd64";
    const waiting = "relay/@relay/1.0.0/relay_windows_386.exe";
    await expectNotFound(await raw(draft, { license: KEYS.relay }), "relay_linux_amd64");
    await expectNotFound(await raw(waiting, { license: KEYS.relay }), "relay_windows_386.exe");
    await expectRedirect(await raw(draft, { token: RAW_TOKENS.productRelay }), fx.artifact("relay", "1.0.0-beta.2", "relay_linux_amd64"), "relay_linux_amd64");
    await expectRedirect(await raw(waiting, { token: RAW_TOKENS.productRelay }), fx.artifact("relay", "1.0.0", "relay_windows_386.exe"), "relay_windows_386.exe");
    await expectNotFound(await raw("cli/0.9.0/keygen_linux_amd64", { license: KEYS.cli }), "keygen_linux_amd64");
    await expectRedirect(await raw("cli/0.9.0/keygen_linux_amd64", ADMIN), fx.artifact("cli", "0.9.0", "keygen_linux_amd64"), "keygen_linux_amd64");
  });

  it("52: product tokens see their own product only; `latest` per product", async () => {
    await expectRedirect(await raw("relay/@relay/latest/relay_linux_amd64", { token: RAW_TOKENS.productRelay }), fx.artifact("relay", "1.0.0", "relay_linux_amd64"), "relay_linux_amd64");
    await expectRedirect(await raw("cli/latest/keygen_linux_amd64", { token: RAW_TOKENS.productCli }), fx.artifact("cli", "1.1.0", "keygen_linux_amd64"), "keygen_linux_amd64");
    await expectNotFound(await raw("cli/latest/keygen_linux_amd64", { token: RAW_TOKENS.productRelay }), "keygen_linux_amd64");
  });

  it("53: a release's entitlement constraint: 404 without the entitlement, 303 with it", async () => {
    const path = "relay/@relay/2.0.0/relay_linux_amd64";
    await expectNotFound(await raw(path, { license: KEYS.relay }), "relay_linux_amd64");
    await expectRedirect(await raw(path, { license: KEYS.relayPro }), fx.artifact("relay", "2.0.0", "relay_linux_amd64"), "relay_linux_amd64");
  });

  it("53: users see through the licenses they own or use", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.owner }), id, "keygen_linux_amd64");
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.member }), id, "keygen_linux_amd64");
    await expectNotFound(await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.nobody }), "keygen_linux_amd64");
  });

  it("expiry window: a RESTRICT_ACCESS license past its expiry keeps releases created before it", async () => {
    await expectRedirect(await raw("cli/1.0.0/keygen_linux_amd64", { license: KEYS.cliExpired }), fx.artifact("cli", "1.0.0", "keygen_linux_amd64"), "keygen_linux_amd64");
    await expectNotFound(await raw("cli/1.1.0/keygen_linux_amd64", { license: KEYS.cliExpired }), "keygen_linux_amd64");
    // The `latest` tag (on 1.1.0) is outside this license's window, so for it there is no tag (decided
    // within its scope, issue 19 item 4): `latest` is its newest visible stable release with the file.
    await expectRedirect(await raw("cli/latest/keygen_linux_amd64", { license: KEYS.cliExpired }), fx.artifact("cli", "1.0.0", "keygen_linux_amd64"), "keygen_linux_amd64");
  });

  it("a suspended license: 403 with Keygen's reason by token, LICENSE_SUSPENDED by key", async () => {
    const byToken = await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.suspended });
    expect(byToken.status).toBe(403);
    const body = (await byToken.json()) as { errors: Array<Record<string, unknown>> };
    expect(body.errors).toEqual([{ title: "Access denied", detail: "You do not have permission to complete the request (license is suspended)" }]);
    const byKey = await raw("cli/1.0.0/keygen_linux_amd64", { license: "cli-suspended-key" });
    expect(byKey.status).toBe(403);
    expect(((await byKey.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("LICENSE_SUSPENDED");
  });

  it("54: anonymous: LICENSED 404, CLOSED 404, OPEN 303", async () => {
    const path = "cli/latest/keygen_windows_arm64.exe";
    await expectNotFound(await raw(path, null, licensed), "keygen_windows_arm64.exe");
    await expectNotFound(await raw(path, null, closed), "keygen_windows_arm64.exe");
    const res = await raw(path, null, open);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(new RegExp(`/artifacts/${fx.artifact("cli", "1.1.0", "keygen_windows_arm64.exe")}/keygen_windows_arm64\\.exe$`));
  });

  it("54: OPEN serves licenses of other products; CLOSED serves only the product and admins", async () => {
    expect((await raw("cli/1.0.0/keygen_linux_amd64", { license: KEYS.relay }, open)).status).toBe(303);
    expect((await raw("cli/1.0.0/keygen_linux_amd64", { license: KEYS.cli }, closed)).status).toBe(404);
    expect((await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.productCli }, closed)).status).toBe(303);
    expect((await raw("cli/1.0.0/keygen_linux_amd64", ADMIN, closed)).status).toBe(303);
  });

  it("credentials of another account are refused; an unknown account is not found", async () => {
    const res = await raw("cli/1.0.0/keygen_linux_amd64", { token: RAW_TOKENS.otherAdmin });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe("TOKEN_INVALID");
    expect((await raw("cli/1.0.0/keygen_linux_amd64", ADMIN, licensed, "GET", "nope")).status).toBe(404);
  });
});
