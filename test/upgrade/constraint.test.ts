/**
 * Constraint grammar (keygen-engines.md §5.5, behaviour 64; SPEC 12).
 */
import { describe, expect, it } from "vitest";
import { isSdkError } from "../../src/core/errors.js";
import { keyPrefix, parseStrict } from "../../src/core/version.js";
import { parseConstraint } from "../../src/engines/upgrade.js";

const key = (v: string) => (parseStrict(v) as NonNullable<ReturnType<typeof parseStrict>>).key;
const inRange = (constraint: string, version: string) => {
  const r = parseConstraint(constraint);
  return key(version) >= r.minKey && key(version) < r.maxKey;
};

describe("parseConstraint", () => {
  it("turns 1 / 1.2 / 1.2.3 into Keygen's ranges", () => {
    expect(parseConstraint("1")).toEqual({ minKey: keyPrefix(1), maxKey: keyPrefix(2) });
    expect(parseConstraint("1.2")).toEqual({ minKey: keyPrefix(1, 2), maxKey: keyPrefix(2) });
    expect(parseConstraint("1.2.3")).toEqual({ minKey: keyPrefix(1, 2, 3), maxKey: keyPrefix(1, 3) });
    expect(parseConstraint("01.02")).toEqual(parseConstraint("1.2"));
  });
  it.each([
    ["1", "1.0.0", true], ["1", "1.99.99", true], ["1", "1.0.0-alpha.1", true], ["1", "2.0.0-alpha.1", false], ["1", "0.9.9", false],
    ["1.2", "1.2.0", true], ["1.2", "1.9.0", true], ["1.2", "1.1.9", false], ["1.2", "2.0.0", false], ["1.2", "1.10.0", true],
    ["1.2.3", "1.2.3", true], ["1.2.3", "1.2.10", true], ["1.2.3", "1.2.2", false], ["1.2.3", "1.3.0", false], ["1.2.3", "1.2.3-rc.1", true],
    ["9", "10.0.0", false], ["9", "9.100.0", true],
  ])("%s contains %s: %s", (constraint, version, expected) => {
    expect(inRange(constraint, version)).toBe(expected);
  });
  it("splits -pre and +build into Keygen's word and number", () => {
    expect(parseConstraint("1-beta")).toMatchObject({ preWord: "beta" });
    expect(parseConstraint("1-beta")).not.toHaveProperty("preNum");
    expect(parseConstraint("1.0-beta.2")).toMatchObject({ preWord: "beta", preNum: 2 });
    expect(parseConstraint("1-alpha.1.2")).toMatchObject({ preWord: "alpha.1", preNum: 2 });
    expect(parseConstraint("1+p1")).toMatchObject({ buildWord: "p1" });
    expect(parseConstraint("1.0.0-rc.1+build.7")).toMatchObject({ preWord: "rc", preNum: 1, buildWord: "build", buildNum: 7 });
  });
  it.each(["", "A", "v1", "1.x", "1.0.0.0", " 1.0", "1.0 ", ">=1.0", "~>1.0", "~ 1.0", "<2", "!=1", "=1", "1.", "1..0", "1-", "1+", "1.0-be ta", "-1", "1e3", "99999999999999999999"])(
    "%j is invalid: 400 CONSTRAINT_INVALID with source.parameter (64, SPEC 12)",
    (text) => {
      let thrown: unknown;
      try {
        parseConstraint(text);
      } catch (error) {
        thrown = error;
      }
      expect(isSdkError(thrown)).toBe(true);
      expect(thrown).toMatchObject({ status: 400, code: "CONSTRAINT_INVALID", detail: "invalid constraint format", source: { parameter: "constraint" } });
    },
  );
});
