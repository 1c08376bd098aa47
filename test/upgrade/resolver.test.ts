/**
 * The shared upgrade resolver (keygen-engines.md §5, behaviours 57–63; SPEC 12–13).
 */
import { describe, expect, it } from "vitest";
import { CHANNELS } from "../../src/core/version.js";
import { CHANNEL_MATRIX, upgradeChannels } from "../../src/engines/upgrade.js";
import { ANONYMOUS_SCOPE } from "../../src/access/scope.js";
import { upgradeOf } from "./support.js";

describe("channel matrix (57, 58)", () => {
  it("is Keygen's table; any other channel allows nothing", () => {
    expect(CHANNEL_MATRIX).toEqual({
      stable: ["stable"], rc: ["stable", "rc"], beta: ["stable", "rc", "beta"], alpha: ["stable", "rc", "beta", "alpha"], dev: ["dev"],
    });
    for (const c of ["edge", "", "Stable", "constructor", "__proto__"]) expect(upgradeChannels(c)).toEqual([]);
  });
  const candidateOf = (ch: string) => (ch === "stable" ? "2.0.0" : `2.0.0-${ch}.1`);
  for (const requested of [...CHANNELS, "edge"]) {
    for (const candidate of CHANNELS) {
      const allowed = (upgradeChannels(requested) as readonly string[]).includes(candidate);
      it(`channel=${requested} ${allowed ? "offers" : "never offers"} a ${candidate} release`, async () => {
        expect(await upgradeOf(["1.0.0", candidateOf(candidate)], "1.0.0", { channel: requested })).toBe(allowed ? candidateOf(candidate) : null);
      });
    }
  }
  it("without a channel, the current release's channel is used (58)", async () => {
    expect(await upgradeOf(["1.0.0-beta.1", "1.0.0-beta.2"], "1.0.0-beta.1")).toBe("1.0.0-beta.2");
    expect(await upgradeOf(["1.0.0", "1.0.1-beta.1"], "1.0.0")).toBeNull();
    expect(await upgradeOf(["1.0.0-dev.1", "1.0.0", "1.0.0-dev.2"], "1.0.0-dev.1")).toBe("1.0.0-dev.2");
  });
  it("Keygen's channel examples (§5.6)", async () => {
    expect(await upgradeOf(["1.0.0", "1.7.0", "2.0.0-alpha.1"], "1.0.0", { channel: "beta" })).toBe("1.7.0");
    expect(await upgradeOf(["1.0.3", "1.7.0", "1.8.0-beta.1", "1.8.0-alpha.1"], "1.0.3", { channel: "rc" })).toBe("1.7.0");
    expect(await upgradeOf(["1.8.0-alpha.2", "1.8.0-beta.1", "1.7.0"], "1.8.0-alpha.2", { channel: "beta" })).toBe("1.8.0-beta.1");
    expect(await upgradeOf(["1.0.0", "1.7.0", "2.0.0-alpha.1"], "1.0.0", { channel: "alpha" })).toBe("2.0.0-alpha.1");
    expect(await upgradeOf(["3.0.1", "3.1.0-rc.1"], "3.0.1")).toBeNull();
    expect(await upgradeOf(["3.0.1", "3.1.0-rc.1"], "3.0.1", { channel: "rc" })).toBe("3.1.0-rc.1");
    expect(await upgradeOf(["3.0.1-beta.1", "3.1.0-beta.1", "3.1.0-alpha.1", "3.1.0-dev.1"], "3.0.1-beta.1")).toBe("3.1.0-beta.1");
    expect(await upgradeOf(["3.0.3-alpha.1", "3.1.0-dev.1", "3.0.3"], "3.0.3-alpha.1")).toBe("3.0.3");
    expect(await upgradeOf(["3.0.1-dev.1", "3.0.1", "3.0.2-dev.1"], "3.0.1-dev.1")).toBe("3.0.2-dev.1");
  });
});

describe("candidates (59, 61)", () => {
  it("never offers drafts or yanked releases, even to admins (59)", async () => {
    expect(await upgradeOf(["1.0.0", { version: "2.0.0", status: "DRAFT" }, { version: "1.5.0", status: "YANKED" }], "1.0.0")).toBeNull();
    expect(await upgradeOf(["1.0.0", "1.1.0", { version: "2.0.0", status: "DRAFT" }], "1.0.0")).toBe("1.1.0");
  });
  it("the highest by precedence wins: a final release above its pre-releases (61)", async () => {
    expect(await upgradeOf(["0.9.0", "1.0.0-rc.1", "1.0.0", "1.0.0-beta.2"], "0.9.0", { channel: "rc" })).toBe("1.0.0");
  });
  it("equal precedence (build metadata only) goes to the newest created", async () => {
    expect(await upgradeOf(["0.9.0", "1.0.0+b", "1.0.0"], "0.9.0")).toBe("1.0.0");
    expect(await upgradeOf(["0.9.0", "1.0.0", "1.0.0+b"], "0.9.0")).toBe("1.0.0+b");
  });
  it("only what the caller may see: an anonymous caller never gets an entitlement-constrained release", async () => {
    const versions = ["1.0.0", "1.1.0", { version: "1.2.0", entitlements: ["PRO"] }];
    expect(await upgradeOf(versions, "1.0.0", { scope: ANONYMOUS_SCOPE })).toBe("1.1.0");
    expect(await upgradeOf(versions, "1.0.0")).toBe("1.2.0");
  });
});

describe("'greater than current' (60, SPEC 13: build metadata never makes an upgrade)", () => {
  const table: Array<[string, string, boolean]> = [
    ["1.0.0", "1.0.0+build.1", false],
    ["1.0.0+1", "1.0.0+2", false],
    ["1.0.0-beta", "1.0.0-beta.1", true],
    // Keygen answers true here; SPEC 13 says build metadata never makes an upgrade.
    ["1.0.0-beta.1", "1.0.0-beta.1+b", false],
    ["1.0.0-beta.2", "1.0.0-beta.11", true],
    ["1.0.0-alpha.1", "1.0.0-beta.1", true],
    ["1.0.0-rc.1", "1.0.0", true],
    ["1.0.0-beta.1", "1.0.1-alpha.1", true],
    ["1.0.0", "1.0.0-rc.1", false],
    ["1.0.0-beta", "1.0.0-alpha.5", false],
    ["1.9.0", "1.10.0", true],
    ["2.0.0", "10.0.0", true],
    ["1.0.0-rc.1", "1.0.0+b", true],
    ["1.0.0-alpha.beta", "1.0.0-alpha.1", false],
    ["1.0.0-alpha.1", "1.0.0-alpha.beta", true],
  ];
  it.each(table)("%s → %s is %s", async (current, candidate, upgrade) => {
    expect(await upgradeOf([current, candidate], current, { channel: "alpha" })).toBe(upgrade ? candidate : null);
  });
});

describe("constraints (62, 63)", () => {
  const twos = ["2.0.0", ...Array.from({ length: 9 }, (_, i) => `2.${i + 1}.0`), ...Array.from({ length: 9 }, (_, i) => `2.1.${i + 1}`), "2.11.0-beta.1", "3.0.0"];
  it.each([["2", "2.9.0"], ["2.0", "2.9.0"], ["2.1.0", "2.1.9"], ["2.1.5", "2.1.9"], ["2.9", "2.9.0"], ["3", "3.0.0"], ["4", null]])(
    "from 2.0.0, constraint %s → %s",
    async (constraint, expected) => {
      expect(await upgradeOf(twos, "2.0.0", { constraint })).toBe(expected);
    },
  );
  it("1.0 means 1.x: 2.x is excluded", async () => {
    expect(await upgradeOf(["1.5.0", "1.7.0", "2.0.0"], "1.5.0", { constraint: "1.0" })).toBe("1.7.0");
  });
  it("a pre-release word pins the candidate's word (and number when given) (63)", async () => {
    const betas = ["1.0.0-beta.1", "1.0.0-beta.2", "1.0.0-beta.3", "1.0.0"];
    expect(await upgradeOf(betas, "1.0.0-beta.1", { constraint: "1-beta" })).toBe("1.0.0-beta.3");
    expect(await upgradeOf(betas, "1.0.0-beta.1", { constraint: "1-beta.2" })).toBe("1.0.0-beta.2");
    expect(await upgradeOf(betas, "1.0.0-beta.1")).toBe("1.0.0");
  });
  it("a build word pins the candidate's build (63)", async () => {
    const builds = ["1.0.0+p1", "1.0.1+p1", "1.0.2+p2", "1.0.3"];
    expect(await upgradeOf(builds, "1.0.0+p1", { constraint: "1+p1" })).toBe("1.0.1+p1");
    expect(await upgradeOf(builds, "1.0.0+p1")).toBe("1.0.3");
  });
});
