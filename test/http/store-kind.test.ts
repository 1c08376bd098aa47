/**
 * The HTTP-level suites run on the store `RE_TEST_STORE` names (issue 7 item 4): this checks that
 * `makeStore` really gives that backend, with the dataset in it, so a per-store run cannot
 * silently fall back to memory.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { conformanceDataset, IDS } from "../../src/testing/fixture.js";
import { makeStore, storeLocation, testStoreKind } from "../helpers/store.js";

describe(`the test store (${testStoreKind()})`, () => {
  it("is the backend RE_TEST_STORE names, holding the dataset", async () => {
    const store = await makeStore(await conformanceDataset());
    expect((await store.getAccount("acme"))?.id).toBe(IDS.account);
    const location = storeLocation(store);
    const kind = testStoreKind();
    if (kind === "memory") {
      expect(location).toBeNull();
      expect("migrate" in store).toBe(false);
    } else if (kind === "sqlite") {
      expect(location !== null && existsSync(location)).toBe(true);
      const db = new Database(location as string, { readonly: true });
      try {
        expect(db.prepare("SELECT slug FROM accounts WHERE id = ?").get(IDS.account)).toEqual({ slug: "acme" });
      } finally {
        db.close();
      }
    } else {
      expect(location).toMatch(/^postgres:\/\//);
      const client = new pg.Client({ connectionString: location as string });
      await client.connect();
      try {
        expect((await client.query("SELECT slug FROM accounts WHERE id = $1", [IDS.account])).rows).toEqual([{ slug: "acme" }]);
      } finally {
        await client.end();
      }
    }
  });
});
