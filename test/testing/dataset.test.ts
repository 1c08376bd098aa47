/**
 * `testDataset` and `testContext` from release-engines/testing: an account written in code, the
 * status defaults a test opts into, and the context of an anonymous or authenticated caller.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, resolveRawArtifact, resolveTauriUpdate, type EngineResult } from "release-engines";
import { testContext, testDataset, type TestAccount } from "release-engines/testing";

const APP = {
  products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }, { code: "cli", name: "CLI", distributionStrategy: "LICENSED" }],
  packages: [{ product: "app", key: "app", name: "App", engine: "tauri" }],
  releases: [
    { product: "app", package: "app", version: "1.0.0" },
    { product: "app", package: "app", version: "1.1.0" },
    { product: "app", package: "app", version: "1.2.0", status: "DRAFT" },
    { product: "cli", version: "2.0.0" },
  ],
  artifacts: [
    { release: "app@1.1.0", filename: "app.AppImage.tar.gz", platform: "linux", arch: "x86_64", signature: "c2ln" },
    { release: "app@1.1.0", filename: "app.app.tar.gz", platform: "darwin", arch: "aarch64", signature: "c2ln", status: "WAITING" },
    { release: "cli@2.0.0", filename: "tool" },
  ],
  policies: [{ product: "cli", name: "Std", authenticationStrategy: "LICENSE" }],
  licenses: [{ policy: "Std", key: "CLI-KEY" }, { policy: "Std", key: "SUSPENDED-KEY", suspended: true }],
  users: [{ email: "admin@test.example", role: "admin" }],
  tokens: [{ bearer: { type: "user", id: "admin@test.example" }, token: "admin-test-token-0123456789v3" }],
} satisfies TestAccount;
const LINUX = "platform=linux&arch=x86_64&version=1.0.0";
const body = (res: EngineResult) => JSON.parse(res.body as string) as Record<string, unknown>;

describe("testDataset", () => {
  it("keeps the dataset defaults unless the test opts in: DRAFT releases, WAITING artifacts", async () => {
    const plain = await testDataset(APP);
    expect(plain.accounts[0]?.slug).toBe("test");
    expect(plain.releases.map((r) => r.status)).toEqual(["DRAFT", "DRAFT", "DRAFT", "DRAFT"]);
    expect(plain.artifacts.map((a) => a.status)).toEqual(["WAITING", "WAITING", "WAITING"]);
  });
  it("published and uploaded fill in only the statuses a record leaves out", async () => {
    const data = await testDataset(APP, { published: true, uploaded: true });
    expect(data.releases.map((r) => `${r.version} ${r.status}`)).toEqual(["1.0.0 PUBLISHED", "1.1.0 PUBLISHED", "1.2.0 DRAFT", "2.0.0 PUBLISHED"]);
    expect(data.artifacts.map((a) => `${a.filename} ${a.status}`)).toEqual(["app.AppImage.tar.gz UPLOADED", "app.app.tar.gz WAITING", "tool UPLOADED"]);
  });
  it("gives the same ids on every load, and refuses a bad account with every problem", async () => {
    expect((await testDataset(APP)).releases.map((r) => r.id)).toEqual((await testDataset(APP)).releases.map((r) => r.id));
    await expect(testDataset({ releases: [{ product: "nope", version: "1.0.0" }], artifacts: [{ release: "9.9.9", filename: "x" }] }))
      .rejects.toThrow(/accounts\[0\]\.releases\[0\]\.product[\s\S]*accounts\[0\]\.artifacts\[0\]\.release/);
  });
});

describe("testContext", () => {
  it("an anonymous caller gets the Tauri upgrade of an OPEN product", async () => {
    const ctx = await testContext(APP, { published: true, uploaded: true });
    const res = await resolveTauriUpdate(ctx, { package: "app", query: new URLSearchParams(LINUX) });
    expect(res.status).toBe(200);
    expect(body(res)).toMatchObject({ version: "1.1.0", signature: "c2ln", url: expect.stringMatching(/^http:\/\/localhost\/v1\/accounts\/[0-9a-f-]{36}\/artifacts\/[0-9a-f-]{36}\/app\.AppImage\.tar\.gz$/) });
  });
  it("without uploaded, the same check says the file is not uploaded", async () => {
    const res = await resolveTauriUpdate(await testContext(APP, { published: true }), { package: "app", query: new URLSearchParams(LINUX) });
    expect(res.status).toBe(204);
    expect(res.headers["Release-Engines-Reason"]).toBe("no-uploaded-artifact-for-platform");
  });
  it("a license key and a token authenticate as a request carrying them would", async () => {
    const raw = { product: "cli", release: "latest", artifact: "tool", query: new URLSearchParams() };
    const licensed = await testContext(APP, { published: true, uploaded: true, license: "CLI-KEY", origin: "https://dl.example" });
    expect(licensed.principal.kind).toBe("license");
    const res = await resolveRawArtifact(licensed, raw);
    expect(res.status).toBe(303);
    expect(res.headers.Location).toMatch(/^https:\/\/dl\.example\/v1\/accounts\/.+\/tool$/);
    const anonymous = await testContext(APP, { published: true, uploaded: true });
    await expect(resolveRawArtifact(anonymous, raw)).rejects.toMatchObject({ status: 404 });
    const admin = await testContext(APP, { token: "admin-test-token-0123456789v3" });
    expect(admin.principal.kind).toBe("admin");
    expect(admin.scope.all).toBe(true);
  });
  it("a credential a request would be refused for is refused", async () => {
    await expect(testContext(APP, { license: "SUSPENDED-KEY" })).rejects.toMatchObject({ status: 403, code: "LICENSE_SUSPENDED" });
    await expect(testContext(APP, { license: "NO-SUCH-KEY" })).rejects.toMatchObject({ status: 401, code: "LICENSE_INVALID" });
  });
  it("takes a store as it is, and names a missing account", async () => {
    const store = createMemoryStore(await testDataset({ ...APP, slug: "other" }, { published: true }));
    const ctx = await testContext(store, { account: "other", now: new Date("2030-01-01T00:00:00Z") });
    expect(ctx.store).toBe(store);
    expect(ctx.now.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    await expect(testContext(store)).rejects.toThrow(/no account 'test'/);
  });
});
