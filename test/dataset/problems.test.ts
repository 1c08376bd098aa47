import { describe, expect, it } from "vitest";
import { IdClaims, type Problem } from "../../src/dataset/problems.js";

describe("IdClaims", () => {
  it("finds every repeated id past the size it was made for, at the path of each claim and of the first", () => {
    const ids = new IdClaims(0);
    const problems: Problem[] = [];
    ids.begin("accounts[0]", false);
    ids.claim("acc", problems);
    ids.begin("accounts[0].releases", true);
    for (let i = 0; i < 5000; i++) ids.claim(`r${i}`, problems);
    ids.begin("accounts[0].artifacts", true);
    for (let i = 0; i < 5000; i++) ids.claim(i % 1000 === 7 ? `r${i}` : `a${i}`, problems);
    ids.claim("acc", problems);
    ids.claim("a8", problems);
    expect(problems).toEqual([
      ...[7, 1007, 2007, 3007, 4007].map((i) => ({ path: `accounts[0].artifacts[${i}]`, message: `id r${i} is already used at accounts[0].releases[${i}]` })),
      { path: "accounts[0].artifacts[5000]", message: "id acc is already used at accounts[0]" },
      { path: "accounts[0].artifacts[5001]", message: "id a8 is already used at accounts[0].artifacts[8]" },
    ]);
  });

  it("tells apart ids whose hashes collide", () => {
    // FNV-1a: both strings are searched for with the same table start when the table is small, and
    // distinct ids must never be reported however they hash.
    const ids = new IdClaims(1);
    const problems: Problem[] = [];
    ids.begin("x", true);
    for (let i = 0; i < 300; i++) ids.claim(String.fromCharCode(65 + (i % 26)) + String(i), problems);
    expect(problems).toEqual([]);
  });
});
