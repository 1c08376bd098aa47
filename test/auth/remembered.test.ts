/**
 * License key authentications remembered on the memory store (its licenses, policies and users never
 * change): the same principal comes back without the store's reads, the expiry is still decided
 * against each request's clock to the millisecond, and a store whose credential reads were replaced
 * is never remembered (a suspension it reports is seen on the very next request).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/auth/authenticate.js";
import type { Principal } from "../../src/access/principal.js";
import type { Dataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import type { License } from "../../src/model/records.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/types.js";
import { wrapStore } from "../../src/store/wrap.js";
import { firstError, KEY, loadWorld, NOW } from "./world.js";

let dataset: Dataset;
beforeAll(async () => {
  dataset = (await loadWorld()).dataset;
});

async function byKey(store: Store, key: string, now: Date): Promise<Principal> {
  const account = (await store.getAccount("acme"))!;
  return authenticate({ store, now }, account, { authorization: `License ${key}`, query: new URLSearchParams() });
}

/** REVOKE-VALID-KEY's expiry (a REVOKE_ACCESS policy). */
const EXPIRY = Date.parse("2027-01-01T00:00:00Z");

describe("remembered license key authentications", () => {
  it("the memory store behind the handler's wrapper answers the same principal again", async () => {
    const store = wrapStore(createMemoryStore(dataset));
    const first = await byKey(store, KEY.good, NOW);
    expect(first.kind).toBe("license");
    expect(await byKey(store, KEY.good, NOW)).toBe(first);
  });

  it("a remembered key still expires to the millisecond (REVOKE_ACCESS), by the clock of each request", async () => {
    let clock = new Date(EXPIRY - 60_000);
    const handler = createFetchHandler({ store: createMemoryStore(dataset), now: () => clock });
    const get = () => handler(new Request("http://localhost/v1/accounts/acme/engines", { headers: { Authorization: `License ${KEY.revokeValid}` } }));
    expect((await get()).status).toBe(200);
    clock = new Date(EXPIRY);
    expect((await get()).status).toBe(200);
    clock = new Date(EXPIRY + 1);
    const refused = await get();
    expect(refused.status).toBe(403);
    expect(await firstError(refused)).toMatchObject({ code: "LICENSE_EXPIRED", detail: "License is expired" });
    clock = new Date(EXPIRY - 1);
    expect((await get()).status).toBe(200);
  });

  it("refusals are never remembered as passes: a suspended key stays 403", async () => {
    const store = wrapStore(createMemoryStore(dataset));
    for (let i = 0; i < 2; i++) await expect(byKey(store, KEY.suspended, NOW)).rejects.toMatchObject({ code: "LICENSE_SUSPENDED" });
  });

  it("a memory store with a replaced credential read is not remembered: a license suspended behind it is 403 on the next request", async () => {
    const memory = createMemoryStore(dataset);
    const suspended = new Set<string>();
    const plain = memory.getLicenseByKey;
    memory.getLicenseByKey = async (accountId: string, key: string): Promise<License | null> => {
      const license = await plain(accountId, key);
      return license !== null && suspended.has(license.key) ? { ...license, suspended: true } : license;
    };
    const store = wrapStore(memory);
    expect((await byKey(store, KEY.good, NOW)).kind).toBe("license");
    suspended.add(KEY.good);
    await expect(byKey(store, KEY.good, NOW)).rejects.toMatchObject({ code: "LICENSE_SUSPENDED" });
  });

  it("a store spread into another object is not remembered either", async () => {
    const store = wrapStore({ ...createMemoryStore(dataset) } as Store);
    const first = await byKey(store, KEY.good, NOW);
    expect(await byKey(store, KEY.good, NOW)).not.toBe(first);
  });
});
