/**
 * One test per row of Keygen's §6.4 (distribution strategy) and §6.9 (draft / yanked / not uploaded)
 * tables: the pure rule (`authorize`, `scopeOf`) and the HTTP answer must both match the cell.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/auth/authenticate.js";
import { authorize } from "../../src/access/authorize.js";
import { scopeOf, type Principal } from "../../src/access/principal.js";
import { parseStrict } from "../../src/core/version.js";
import { isArtifactVisible, isPackageVisible, isReleaseVisible, withYanked } from "../../src/access/scope.js";
import { KEY, loadWorld, NOW, TOK, type World } from "./world.js";

let w: World;
const principals = new Map<string, Principal>();
const HEADERS: Record<string, string | undefined> = {
  anonymous: undefined,
  "license of this product": undefined, // per product, below
  admin: `Bearer ${TOK.admin}`,
  developer: `Bearer ${TOK.developer}`,
  "read-only": `Bearer ${TOK.readOnly}`,
  "sales-agent": `Bearer ${TOK.sales}`,
  "support-agent": `Bearer ${TOK.support}`,
};
const LICENSE_OF: Record<string, string> = { open: `License ${KEY.openA}`, lic: `License ${KEY.entAB}`, closed: `License ${KEY.closed}` };
const PRODUCT_OF: Record<string, string> = { open: `Bearer ${TOK.productOpen}`, lic: `Bearer ${TOK.productLic}`, closed: `Bearer ${TOK.productClosed}` };
/** Alice holds KEY.good (lic), KEY.openA (open, with A) and KEY.closed (closed, with A). */
const USER = `Bearer ${TOK.userAlice}`;

async function principal(header: string | undefined): Promise<Principal> {
  const k = header ?? "";
  if (!principals.has(k)) {
    const account = (await w.store.getAccount("acme"))!;
    principals.set(k, await authenticate({ store: w.store, now: NOW }, account, { authorization: header ?? null, query: new URLSearchParams() }));
  }
  return principals.get(k)!;
}

beforeAll(async () => {
  w = await loadWorld();
});

function records(filename: string) {
  const artifact = w.dataset.artifacts.find((a) => a.filename === filename)!;
  const release = w.dataset.releases.find((r) => r.id === artifact.releaseId)!;
  const product = w.dataset.products.find((p) => p.id === release.productId)!;
  const pkg = w.dataset.packages.find((p) => p.id === release.packageId)!;
  return { artifact, release, product, pkg };
}

/** Check one cell: every file's visibility, by the pure rule and over HTTP. */
async function expectCell(header: string | undefined, files: Record<string, boolean>): Promise<void> {
  const p = await principal(header);
  for (const [file, visible] of Object.entries(files)) {
    const { artifact, release, product } = records(file);
    const decision = authorize(p, "download", { type: "artifact", artifact, release, product }, NOW);
    expect({ file, allowed: decision.allowed }).toEqual({ file, allowed: visible });
    expect({ file, scoped: isArtifactVisible(scopeOf(p, NOW), artifact, release, product) }).toEqual({ file, scoped: visible });
    const res = await w.get(`/artifacts/${artifact.id}`, header);
    expect({ file, status: res.status }).toEqual({ file, status: visible ? 200 : 404 });
  }
}

/** Check package and engine visibility for a principal (engines list and show over HTTP). */
async function expectPackages(header: string | undefined, engines: string[]): Promise<void> {
  const p = await principal(header);
  const acme = w.dataset.accounts[0]!.id;
  const visible = w.dataset.packages
    .filter((pkg) => pkg.accountId === acme && isPackageVisible(scopeOf(p, NOW), pkg, w.dataset.products.find((x) => x.id === pkg.productId)!))
    .map((pkg) => pkg.engine)
    .sort();
  expect(visible).toEqual([...engines].sort());
  const res = await w.get("/engines?limit=100", header);
  expect(res.status).toBe(200);
  const keys = ((await res.json()) as { data: Array<{ attributes: { key: string } }> }).data.map((e) => e.attributes.key).sort();
  expect(keys).toEqual([...engines].sort());
  for (const key of ["pypi", "tauri", "raw", "npm"]) {
    expect({ key, status: (await w.get(`/engines/${key}`, header)).status }).toEqual({ key, status: engines.includes(key) ? 200 : 404 });
  }
}

describe("§6.4 distribution strategy", () => {
  // Each product has an unconstrained and an A-constrained PUBLISHED release, plus a DRAFT one where noted.
  const OPEN = { plain: "open-1.0.0.bin", constrained: "open-1.1.0-a.bin", draft: "open-2.0.0-draft.bin" };
  const LIC = { plain: "lic-1.0.0.bin", constrained: "lic-2.0.0.bin", draft: "lic-3.0.0-draft.bin" };
  const CLOSED = { plain: "closed-1.0.0.bin", constrained: "closed-1.1.0-a.bin" };

  it("OPEN row", async () => {
    await expectCell(undefined, { [OPEN.plain]: true, [OPEN.constrained]: false, [OPEN.draft]: false });
    await expectCell(LICENSE_OF.open, { [OPEN.plain]: true, [OPEN.constrained]: true, [OPEN.draft]: false });
    await expectCell(`License ${KEY.otherA}`, { [OPEN.plain]: true, [OPEN.constrained]: false, [OPEN.draft]: false });
    await expectCell(USER, { [OPEN.plain]: true, [OPEN.constrained]: true, [OPEN.draft]: false });
    await expectCell(PRODUCT_OF.open, { [OPEN.plain]: true, [OPEN.constrained]: true, [OPEN.draft]: true });
    await expectCell(HEADERS.admin, { [OPEN.plain]: true, [OPEN.constrained]: true, [OPEN.draft]: true });
  });

  it("LICENSED row", async () => {
    await expectCell(undefined, { [LIC.plain]: false, [LIC.constrained]: false, [LIC.draft]: false });
    await expectCell(LICENSE_OF.lic, { [LIC.plain]: true, [LIC.constrained]: true, [LIC.draft]: false });
    await expectCell(`License ${KEY.otherA}`, { [LIC.plain]: false, [LIC.constrained]: false, [LIC.draft]: false });
    await expectCell(USER, { [LIC.plain]: true, [LIC.constrained]: false, [LIC.draft]: false }); // Alice's lic license has no A/B
    await expectCell(PRODUCT_OF.lic, { [LIC.plain]: true, [LIC.constrained]: true, [LIC.draft]: true });
    await expectCell(HEADERS.admin, { [LIC.plain]: true, [LIC.constrained]: true, [LIC.draft]: true });
  });

  it("CLOSED row", async () => {
    await expectCell(undefined, { [CLOSED.plain]: false, [CLOSED.constrained]: false });
    await expectCell(LICENSE_OF.closed, { [CLOSED.plain]: false, [CLOSED.constrained]: false });
    await expectCell(`License ${KEY.otherA}`, { [CLOSED.plain]: false, [CLOSED.constrained]: false });
    await expectCell(USER, { [CLOSED.plain]: false, [CLOSED.constrained]: false });
    await expectCell(PRODUCT_OF.closed, { [CLOSED.plain]: true, [CLOSED.constrained]: true });
    await expectCell(HEADERS.admin, { [CLOSED.plain]: true, [CLOSED.constrained]: true });
  });

  it("a product token sees nothing of another product, not even OPEN releases (Keygen scopes it to its product)", async () => {
    await expectCell(PRODUCT_OF.lic, { [OPEN.plain]: false, [CLOSED.plain]: false, "other-1.0.0.bin": false });
  });

  it("package and engine row: licenses see LICENSED packages of their product, everybody OPEN ones, CLOSED only product and admin", async () => {
    await expectPackages(undefined, ["tauri"]);
    await expectPackages(LICENSE_OF.lic, ["pypi", "tauri"]);
    await expectPackages(`License ${KEY.restrictExpired}`, ["pypi", "tauri"]); // no expiry check for packages
    await expectPackages(`Bearer ${TOK.licSuspended}`, ["pypi", "tauri"]); // nor suspension
    await expectPackages(LICENSE_OF.closed, ["tauri"]);
    await expectPackages(`License ${KEY.otherA}`, ["npm", "tauri"]);
    await expectPackages(USER, ["pypi", "tauri"]);
    await expectPackages(`Bearer ${TOK.userCarol}`, ["tauri"]);
    await expectPackages(PRODUCT_OF.lic, ["pypi"]);
    await expectPackages(PRODUCT_OF.closed, ["raw"]);
    await expectPackages(HEADERS.admin, ["npm", "pypi", "raw", "tauri"]);
  });

  it("the release policy names the CLOSED strategy for licenses of a CLOSED product", async () => {
    const { artifact, release, product } = records(CLOSED.plain);
    const decision = authorize(await principal(LICENSE_OF.closed), "read", { type: "artifact", artifact, release, product }, NOW);
    expect(decision).toEqual({ allowed: false, reason: "release distribution strategy is closed" });
  });
});

describe("§6.9 draft / yanked / non-uploaded visibility", () => {
  const control = "open-1.0.0.bin";
  const ADMIN_LIKE = ["admin", "developer", "read-only", "sales-agent", "support-agent"];
  const LICENSE_USER_ANON = () => [LICENSE_OF.open, USER, undefined];

  it.each([
    ["DRAFT release", "open-2.0.0-draft.bin"],
    ["WAITING artifact", "open-1.0.0-waiting.bin"],
    ["PROCESSING artifact", "open-1.0.0-processing.bin"],
    ["FAILED artifact", "open-1.0.0-failed.bin"],
    ["YANKED artifact", "open-1.0.0-yanked-file.bin"],
  ])("%s: visible to admin-like and the own product, hidden from license, user and anonymous", async (_row, file) => {
    for (const role of ADMIN_LIKE) await expectCell(HEADERS[role], { [file]: true, [control]: true });
    await expectCell(PRODUCT_OF.open, { [file]: true, [control]: true });
    for (const header of LICENSE_USER_ANON()) await expectCell(header, { [file]: false, [control]: true });
  });

  it("the same holds for a LICENSED product's draft releases", async () => {
    await expectCell(LICENSE_OF.lic, { "lic-3.0.0-draft.bin": false, "lic-1.0.0.bin": true });
    await expectCell(PRODUCT_OF.lic, { "lic-3.0.0-draft.bin": true, "lic-0.9.0-yanked.bin": true });
  });

  /**
   * SPEC 19 (PEP 592): a YANKED release stays hidden from `read` (and from the list scope) for
   * licenses, users and anonymous callers as in Keygen, but its files download for every caller who
   * could see the release were it PUBLISHED.
   */
  async function expectYanked(header: string | undefined, file: string, downloads: boolean): Promise<void> {
    const p = await principal(header);
    const { artifact, release, product } = records(file);
    expect({ file, read: authorize(p, "read", { type: "release", release, product }, NOW).allowed }).toEqual({ file, read: false });
    expect({ file, listed: isReleaseVisible(scopeOf(p, NOW), release, product) }).toEqual({ file, listed: false });
    expect({ file, download: authorize(p, "download", { type: "artifact", artifact, release, product }, NOW).allowed }).toEqual({ file, download: downloads });
    expect({ file, asPublished: isArtifactVisible(withYanked(scopeOf(p, NOW)), artifact, release, product) }).toEqual({ file, asPublished: downloads });
    const res = await w.get(`/artifacts/${artifact.id}`, header);
    expect({ file, status: res.status }).toEqual({ file, status: downloads ? 200 : 404 });
  }

  it("YANKED release: visible to admin-like and the own product; downloadable, not readable, for whoever sees it as PUBLISHED (SPEC 19)", async () => {
    const file = "open-0.9.0-yanked.bin";
    for (const role of ADMIN_LIKE) await expectCell(HEADERS[role], { [file]: true });
    await expectCell(PRODUCT_OF.open, { [file]: true });
    // OPEN, no entitlements: everyone could see it were it PUBLISHED.
    for (const header of LICENSE_USER_ANON()) await expectYanked(header, file, true);
    // LICENSED: its license downloads; anonymous callers and another product's license do not.
    await expectYanked(LICENSE_OF.lic, "lic-0.9.0-yanked.bin", true);
    await expectYanked(undefined, "lic-0.9.0-yanked.bin", false);
    await expectYanked(LICENSE_OF.open, "lic-0.9.0-yanked.bin", false);
    // Another product's token sees nothing of it.
    await expectCell(PRODUCT_OF.open, { "lic-0.9.0-yanked.bin": false });
  });

  it("upgrade candidates: PUBLISHED only, for everyone, admins included", async () => {
    const { release, product, pkg } = records("open-1.0.0.bin");
    const key = (v: string) => parseStrict(v)!.key;
    for (const header of [HEADERS.admin, PRODUCT_OF.open, LICENSE_OF.open, undefined]) {
      const found = await w.store.findUpgrade({
        accountId: release.accountId, productId: product.id, packageId: pkg.id, afterKey: key("1.0.0"),
        channels: ["stable"], scope: scopeOf(await principal(header), NOW),
      });
      // 2.0.0 is a DRAFT; 1.5.0 is the newest PUBLISHED upgrade.
      expect(found?.version).toBe("1.5.0");
    }
  });
});
