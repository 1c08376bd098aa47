/**
 * @module engines/pypi/pep440 — a Python package version (PEP 440) as the SemVer release it is stored as.
 */
import { parseStrict, type Channel } from "../../core/version.js";

/** A PEP 440 version as a canonical SemVer version and the channel its pre-release names. */
export interface SemverOfPep440 {
  version: string;
  channel: Channel;
}

const PEP440 = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:[-_.]?(?:post|rev|r)[-_.]?(\d+))?(?:[-_.]?dev[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE: Record<string, Channel> = { a: "alpha", alpha: "alpha", b: "beta", beta: "beta", c: "rc", rc: "rc", pre: "rc", preview: "rc" };

/**
 * The SemVer release a PEP 440 version is stored as (`1.2` → `1.2.0`, `2.0rc1` → `2.0.0-rc.1`,
 * `1.0.dev3` → `1.0.0-dev.3`, `1.0+local.7` → `1.0.0+local.7`); null for what SemVer cannot hold
 * (epochs, four release numbers, post-releases).
 */
export function semverOfPep440(input: string): SemverOfPep440 | null {
  const m = PEP440.exec(input.trim());
  if (m === null || m[6] !== undefined) return null;
  const [, major, minor = "0", patch = "0", preWord, preNum, , devNum, local] = m;
  const pre: string[] = [];
  let channel: Channel = "stable";
  if (preWord !== undefined) {
    channel = PRE[preWord.toLowerCase()] as Channel;
    pre.push(channel, String(Number(preNum ?? "0")));
  }
  if (devNum !== undefined || /dev/i.test(input.replace(/\+.*$/, ""))) {
    if (channel === "stable") channel = "dev";
    pre.push("dev", String(Number(devNum ?? "0")));
  }
  const text = `${Number(major)}.${Number(minor)}.${Number(patch)}${pre.length > 0 ? `-${pre.join(".")}` : ""}${local !== undefined ? `+${local.replace(/[-_]/g, ".").toLowerCase()}` : ""}`;
  const parsed = parseStrict(text);
  return parsed === null ? null : { version: parsed.version, channel };
}
