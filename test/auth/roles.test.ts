/**
 * Keygen's admin-like roles on every read route (issue 17 item 2), table-driven.
 *
 * keygen-api app/models/permission.rb: admin holds every permission; read-only (READ_ONLY_PERMISSIONS)
 * and the developer, sales-agent and support-agent roles all hold engine.read, package.read,
 * release.read, release.download, release.upgrade and artifact.read, so each reads every route
 * here and sees drafts, CLOSED products and files not uploaded (keygen-engines.md "admin-like").
 * But `Release.accessible_by` matches the `admin` role exactly (keygen-engines.md §10.6): upgrade
 * candidates of the other four are only OPEN products' unconstrained, published releases. Who may
 * write is test/http/publish-permissions.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/auth/authenticate.js";
import { scopeOf, upgradeScopeOf } from "../../src/access/principal.js";
import { mayChooseLinkTtl } from "../../src/access/permissions.js";
import { parseStrict } from "../../src/core/version.js";
import { loadWorld, NOW, TOK, type World } from "./world.js";

let w: World;
beforeAll(async () => {
  w = await loadWorld();
});

const ROLES = {
  admin: `Bearer ${TOK.admin}`,
  developer: `Bearer ${TOK.developer}`,
  "read-only": `Bearer ${TOK.readOnly}`,
  "sales-agent": `Bearer ${TOK.sales}`,
  "support-agent": `Bearer ${TOK.support}`,
} as const;
type Role = keyof typeof ROLES;

const releaseId = (product: string, version: string) => {
  const productId = w.dataset.products.find((p) => p.code === product)!.id;
  return w.dataset.releases.find((r) => r.productId === productId && r.version === version && r.packageId !== null)!.id;
};

/**
 * Every read route of a read-only store, with the status each role gets (all five hold the read
 * permissions); the write store's lists are in test/http/publish-permissions.test.ts.
 */
const READS: Array<{ route: string; path: () => string; status: number }> = [
  { route: "engines.list", path: () => "/engines", status: 200 },
  { route: "engines.show", path: () => "/engines/pypi", status: 200 },
  { route: "pypi.index", path: () => "/engines/pypi/simple/", status: 200 },
  { route: "pypi.project (LICENSED)", path: () => "/engines/pypi/simple/lic-pkg/", status: 200 },
  { route: "tauri.upgrade (no signed file: 204)", path: () => "/engines/tauri/open-app?platform=linux&arch=x86_64&version=1.0.0", status: 204 },
  { route: "raw.artifact (CLOSED)", path: () => "/engines/raw/closed/@closed-pkg/1.0.0/closed-1.0.0.bin", status: 303 },
  { route: "artifacts.download (DRAFT release)", path: () => `/artifacts/${w.artifactId("lic-3.0.0-draft.bin")}`, status: 200 },
  { route: "artifacts.download (WAITING file)", path: () => `/artifacts/${w.artifactId("open-1.0.0-waiting.bin")}`, status: 200 },
];

describe("admin-like roles on every read route (permission.rb)", () => {
  for (const role of Object.keys(ROLES) as Role[]) {
    it(`${role}: every read route answers`, async () => {
      for (const r of READS) {
        const res = await w.get(r.path(), ROLES[role]);
        expect({ route: r.route, status: res.status }).toEqual({ route: r.route, status: r.status });
      }
    });
  }
});

/** The upgrade each role is offered from a 1.0.0 release, per product (§10.6): null is none (404). */
const UPGRADES: Record<Role, Record<"open" | "lic" | "closed", string | null>> = {
  // OPEN 1.1.0 needs entitlement A and 2.0.0 is a DRAFT; LICENSED 2.0.0 needs A and B; CLOSED 1.1.0 needs A.
  admin: { open: "1.5.0", lic: "2.0.0", closed: "1.1.0" },
  developer: { open: "1.5.0", lic: null, closed: null },
  "read-only": { open: "1.5.0", lic: null, closed: null },
  "sales-agent": { open: "1.5.0", lic: null, closed: null },
  "support-agent": { open: "1.5.0", lic: null, closed: null },
};

describe("upgrade candidates per role (Release.accessible_by, keygen-engines.md §10.6)", () => {
  for (const role of Object.keys(ROLES) as Role[]) {
    it(`${role}: ${JSON.stringify(UPGRADES[role])}`, async () => {
      const account = (await w.store.getAccount("acme"))!;
      const principal = await authenticate({ store: w.store, now: NOW }, account, { authorization: ROLES[role], query: new URLSearchParams() });
      for (const [product, expected] of Object.entries(UPGRADES[role])) {
        const current = w.dataset.releases.find((r) => r.id === releaseId(product, "1.0.0"))!;
        // The rule (access/principal upgradeScopeOf) and the HTTP answer agree.
        const found = await w.store.findUpgrade({
          accountId: current.accountId, productId: current.productId, packageId: current.packageId, afterKey: parseStrict("1.0.0")!.key,
          channels: ["stable"], scope: upgradeScopeOf(principal, scopeOf(principal, NOW)),
        });
        expect({ product, pure: found?.version ?? null }).toEqual({ product, pure: expected });
        const res = await w.get(`/releases/${current.id}/upgrade`, ROLES[role]);
        const body = (await res.json()) as { data?: { attributes: { version: string } } };
        expect({ product, status: res.status, version: body.data?.attributes.version ?? null }).toEqual({ product, status: expected === null ? 404 : 200, version: expected });
      }
    });
  }
});

describe("?ttl= per role (release_artifacts_controller.rb typed_query: admin, developer, sales agent, support agent, product)", () => {
  it("read-only users may not choose a link's lifetime; the other admin-like roles may", async () => {
    const account = (await w.store.getAccount("acme"))!;
    const expected: Record<Role, boolean> = { admin: true, developer: true, "read-only": false, "sales-agent": true, "support-agent": true };
    for (const role of Object.keys(ROLES) as Role[]) {
      const principal = await authenticate({ store: w.store, now: NOW }, account, { authorization: ROLES[role], query: new URLSearchParams() });
      expect({ role, ttl: mayChooseLinkTtl(principal) }).toEqual({ role, ttl: expected[role] });
    }
  });
});

describe("an upgrade candidate outside the license's expiry window (keygen-engines.md §6.6 item 4, §10.7)", () => {
  // Expired 2026-02-01 (RESTRICT/MAINTAIN): lic 1.3.0 was created 01-05 (the scope shows it) but is
  // backdated 02-20 (the policy refuses it); 1.2.0 would pass both. Keygen chooses 1.3.0 and answers
  // its policy's 403 (features/api/v1/releases/relationships/upgrade.feature), never 1.2.0 silently.
  for (const key of ["RESTRICT-EXPIRED-KEY", "MAINTAIN-EXPIRED-KEY"]) {
    it(`${key}: 403 "license expiry falls outside of access window"`, async () => {
      const res = await w.get(`/releases/${releaseId("lic", "1.0.0")}/upgrade`, `License ${key}`);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { errors: Array<{ detail: string }> };
      expect(body.errors[0]?.detail).toBe("You do not have permission to complete the request (license expiry falls outside of access window)");
    });
  }
});
