import { describe, expect, it } from "vitest";
import { semverOfPep440 } from "../../src/engines/pypi/pep440.js";

describe("semverOfPep440", () => {
  it.each([
    ["1.2", "1.2.0", "stable"],
    ["1.2.3", "1.2.3", "stable"],
    ["01.2.3", "1.2.3", "stable"],
    ["2.0rc1", "2.0.0-rc.1", "rc"],
    ["2.0.0c2", "2.0.0-rc.2", "rc"],
    ["1.0a1", "1.0.0-alpha.1", "alpha"],
    ["1.0.0b3", "1.0.0-beta.3", "beta"],
    ["1.0.0-beta.3", "1.0.0-beta.3", "beta"],
    ["1.0.dev3", "1.0.0-dev.3", "dev"],
    ["1.0a1.dev2", "1.0.0-alpha.1.dev.2", "alpha"],
    ["1.0+local.7", "1.0.0+local.7", "stable"],
    ["1.0+Ubuntu_1", "1.0.0+ubuntu.1", "stable"],
  ])("%s is stored as %s on %s", (input, version, channel) => {
    expect(semverOfPep440(input)).toEqual({ version, channel });
  });

  it.each(["1!2.0", "1.2.3.4", "1.0.post1", "banana", "", "1.0-"])("refuses %j", (input) => {
    expect(semverOfPep440(input)).toBeNull();
  });
});
