/**
 * sql/cache's `keep`: an answer one statement gives for a later call (a PostgreSQL Tauri check's
 * upgrade statement also lists the upgrade's artifacts) is kept, unless a change was seen while that
 * statement ran — then the later call asks the database itself.
 */
import { describe, expect, it } from "vitest";
import { cacheReads } from "../../src/sql/cache.js";
import type { KeepAnswer, SqlStore } from "../../src/sql/store.js";

/** A store whose `findUpgrade` waits for `release()` and then keeps a listing; `listReleaseArtifacts` counts its own calls. */
function world() {
  let keep: KeepAnswer = () => null;
  let release = () => {};
  let listed = 0;
  const store = {
    async getAccount() {
      return null;
    },
    async findUpgrade() {
      const put = keep();
      await new Promise<void>((r) => (release = r));
      put?.("listReleaseArtifacts", ["acc", "rel", { all: true }, { platform: "linux", arch: "x86_64" }], ["kept"]);
      return { id: "rel" };
    },
    async listReleaseArtifacts() {
      listed++;
      return ["asked"];
    },
  } as unknown as SqlStore;
  const cached = cacheReads(store, { live: () => true, version: async () => "1", subscribe: () => {} });
  keep = cached.keep;
  const list = () => cached.store.listReleaseArtifacts("acc", "rel", { all: true } as never, { platform: "linux", arch: "x86_64" });
  return { cached, list, release: () => release(), listed: () => listed };
}

describe("answers kept for a later call", () => {
  it("answers the later call from the statement that listed it", async () => {
    const w = world();
    const upgrade = w.cached.store.findUpgrade({} as never);
    await new Promise((r) => setTimeout(r, 0));
    w.release();
    await upgrade;
    expect(await w.list()).toEqual(["kept"]);
    expect(w.listed()).toBe(0);
  });

  it("keeps nothing when a change is seen while the statement runs", async () => {
    const w = world();
    const upgrade = w.cached.store.findUpgrade({} as never);
    await new Promise((r) => setTimeout(r, 0));
    w.cached.changed();
    w.release();
    await upgrade;
    expect(await w.list()).toEqual(["asked"]);
    expect(w.listed()).toBe(1);
  });
});
