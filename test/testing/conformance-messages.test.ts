/**
 * The conformance suites as a store author meets them: deliberately broken stores (findUpgrade
 * ignores channels, listReleaseArtifacts ignores the platform, deleteRelease returns no artifacts)
 * fail with records named by natural key and the rule in words, never a UUID; `only`/`skip` pick
 * tests by the store methods they use.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { conformanceDataset } from "../../src/testing/fixture.js";
import { RecordNames } from "../../src/testing/names.js";
import { STORE_METHODS, methodTests } from "../../src/testing/suite.js";
import { ROOT } from "../helpers/process.js";

interface Result { status: string; title: string; failureMessages: string[]; file: string }
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe("a broken store under runStoreConformance", () => {
  let results: Result[] = [];
  let text = "";
  beforeAll(() => {
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    const json = join(ROOT, ".tmp", "broken-store.json");
    const run = spawnSync("npx", ["vitest", "run", "--config", "test/testing/fixtures/vitest.config.ts", "--no-color", "--reporter=default", "--reporter=json", `--outputFile.json=${json}`], {
      cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(1);
    text = run.stdout + run.stderr;
    const report = JSON.parse(readFileSync(json, "utf8")) as { testResults: Array<{ name: string; assertionResults: Result[] }> };
    results = report.testResults.flatMap((f) => f.assertionResults.map((r) => ({ ...r, file: f.name })));
  }, 150_000);

  it("fails the tests of the broken methods, naming releases and artifacts by natural key, with the rule", () => {
    const failed = results.filter((r) => r.status === "failed");
    expect(failed.map((r) => r.title)).toContain("answers the newest published release above the current one, per channel [findUpgrade]");
    expect(failed.map((r) => r.title)).toContain("lists a release's artifacts newest first, by platform and arch, within scope [listReleaseArtifacts]");
    for (const r of failed) {
      const message = r.failureMessages.join("\n").split("\n")[0] as string;
      expect(message).toContain(r.title);
      expect(message, message).not.toMatch(UUID);
    }
    const upgrade = failed.find((r) => r.title.startsWith("answers the newest"))?.failureMessages[0] ?? "";
    expect(upgrade).toMatch(/^AssertionError: upgrades: answers the newest published release above the current one, per channel \[findUpgrade\]: expected 'release acme-tools@[^']+' to be 'release acme-tools@2\.0\.0-beta\.2'/);
    // The printed diff of the artifact list names each file and its release.
    expect(text).toContain('"artifact app.msi of acme-app@1.2.0"');
    expect(text).toContain('"artifact app.AppImage.tar.gz of acme-app@1.2.0"');
    const failures = text.slice(text.indexOf("Failed Tests"));
    expect(failures.replace(/\/[^\s]*\/[^\s]*/g, ""), "no UUID anywhere in the failure report").not.toMatch(UUID);
  });

  it("names the records a write test creates by natural key too", () => {
    const writes = results.filter((r) => r.file.endsWith("broken-writable.suite.ts"));
    // `only: ["deleteRelease"]` runs exactly the write tests that call it; the broken method fails only the one that checks its answer.
    const ran = writes.filter((r) => r.status !== "skipped");
    expect(ran.map((r) => r.title)).toContain("deletes a release with its artifacts [createRelease, createArtifact, deleteRelease, getRelease, getArtifact]");
    for (const r of ran) expect(r.title).toMatch(/\[[^\]]*\bdeleteRelease\b[^\]]*\]$/);
    expect(writes.filter((r) => r.status === "skipped").length).toBeGreaterThan(0);
    expect(writes.filter((r) => r.status === "failed").map((r) => r.title)).toEqual(["deletes a release with its artifacts [createRelease, createArtifact, deleteRelease, getRelease, getArtifact]"]);
    const deleted = results.find((r) => r.title.startsWith("deletes a release with its artifacts ["));
    expect(deleted?.status).toBe("failed");
    expect(deleted?.failureMessages[0]).toMatch(/^AssertionError: releases: deletes a release with its artifacts \[[^\]]*deleteRelease[^\]]*\]: expected \[\] to deeply equal/);
    // The diff names the artifact the test created, and its release, the way the dataset's are named.
    expect(text).toMatch(/"artifact acme_tools-\d+-py3-none-any\.whl of acme-tools@7\.\d+\.0"/);
  });

  it("runs only the tests that use an `only` method, minus those that use a `skip` one", () => {
    const byTitle = new Map(results.filter((r) => r.file.endsWith("broken-store.suite.ts")).map((r) => [r.title, r.status]));
    expect(byTitle.get("finds an account by id and by slug, null otherwise [getAccount]")).toBe("skipped");
    expect(byTitle.get("filters by version range and pre-release word [findUpgrade]")).toBe("passed");
    expect(byTitle.get("finds a YANKED release's files by id and filename, never one not uploaded [listReleaseArtifacts, findArtifact]")).toBe("passed");
    expect(byTitle.get("never chooses a YANKED release as an upgrade or as raw latest, even with the flag [findUpgrade, findRawArtifact]")).toBe("skipped");
    for (const r of results.filter((x) => x.file.endsWith("broken-store.suite.ts"))) {
      const uses = /\[([^\]]+)\]$/.exec(r.title)?.[1]?.split(", ") ?? [];
      const runs = uses.some((m) => m === "findUpgrade" || m === "listReleaseArtifacts") && !uses.includes("findRawArtifact");
      expect(r.status === "skipped", r.title).toBe(!runs);
    }
  });
});

describe("only/skip and names", () => {
  it("a method name the suite does not test is refused, listing the ones it does", () => {
    expect(() => methodTests({ only: ["findUpgrad" as "findUpgrade"] }, STORE_METHODS)).toThrow(/'findUpgrad' is not a method this suite tests; it tests getAccount, .*findUpgrade/);
  });
  it("every record of the conformance dataset has a name of its own", async () => {
    const dataset = await conformanceDataset();
    const names = new RecordNames();
    names.learnDataset(dataset);
    const all = [...dataset.products, ...dataset.packages, ...dataset.releases, ...dataset.artifacts].map((r) => names.rename(r.id) as string);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((n) => UUID.test(n))).toEqual([]);
    expect(all).toContain("package acme-tools in account other");
    expect(all).toContain("release acme-tools@2.0.0+build.7");
    expect(all).toContain("artifact app.AppImage.tar.gz of acme-app@1.2.0");
  });
});
