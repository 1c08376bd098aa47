/**
 * Keygen's version rules (issue 17 item 5), from keygen-api app/models/release.rb
 * (`set_semver_version`: SEMVER_TAG_RE's word and trailing number, keygen-engines.md §8.1, checked
 * by running the regex) and `SemverValidator` (Semverse: `v1.0.0` is invalid).
 */
import { describe, expect, it } from "vitest";
import { splitTag } from "../../src/core/version.js";
import { loadDataset } from "../../src/dataset/load.js";

describe("the pre-release split (release.rb set_semver_version)", () => {
  const CASES: Array<[string, string | null, number | null]> = [
    ["beta", "beta", null],
    ["beta.1", "beta", 1],
    ["beta.11", "beta", 11],
    ["alpha.1.2", "alpha.1", 2],
    ["rc1", "rc1", null],
    ["beta-1", "beta", 1],
    ["beta.1.alpha", "beta.1.alpha", null],
    ["x.7.z.92", "x.7.z", 92],
    ["build.1653508117", "build", 1653508117],
    ["p1", "p1", null],
    ["1", null, 1],
    ["beta..1", "beta", null],
  ];
  for (const [tag, word, num] of CASES) {
    it(`${tag} → (${word ?? "–"}, ${num ?? "–"})`, () => {
      expect(splitTag(tag)).toEqual({ word, num });
    });
  }
});

describe("versions a dataset refuses (SemverValidator)", () => {
  const load = (version: string) =>
    loadDataset({
      accounts: [{
        slug: "a", name: "A", secretKey: "a-secret-key-0123456789abcdef",
        products: [{ code: "p", name: "P" }],
        releases: [{ product: "p", version }],
      }],
    });

  it("`v1.0.0` is not a version, as in Keygen", async () => {
    await expect(load("v1.0.0")).rejects.toMatchObject({ problems: [expect.objectContaining({ path: expect.stringMatching(/releases\[0\]\.version$/) })] });
  });

  it("`1`, `1.2` and `01.2.3` are normalised as Keygen stores them", async () => {
    for (const [given, stored] of [["1", "1.0.0"], ["1.2", "1.2.0"], ["01.2.3", "1.2.3"]]) {
      expect((await load(given as string)).releases[0]?.version).toBe(stored);
    }
  });
});
