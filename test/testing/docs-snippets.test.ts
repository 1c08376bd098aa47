/**
 * docs/testing.md's runnable snippets, run exactly as written: each ```ts block that imports vitest is
 * copied to a file and imported here, so its tests register in this file and the page cannot drift
 * from what the package does. `release-engines` and `release-engines/testing` resolve to the
 * package's own entries (vitest.config.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

const page = readFileSync(join(ROOT, "docs/testing.md"), "utf8");
const blocks = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
const runnable = blocks.filter((code) => /from "vitest"/.test(code));

it("docs/testing.md has the upgrade-rule test, importing only the package's public entries", () => {
  expect(runnable.length).toBeGreaterThanOrEqual(1);
  for (const code of runnable) {
    const imports = [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    expect(imports.every((name) => name === "vitest" || name === "release-engines" || name === "release-engines/testing"), imports.join(", ")).toBe(true);
  }
  expect(runnable[0]).toMatch(/resolveTauriUpdate/);
});

const dir = join(ROOT, ".tmp", "docs-snippets");
mkdirSync(dir, { recursive: true });
for (const [i, code] of runnable.entries()) {
  const file = join(dir, `testing-md-${i}.ts`);
  writeFileSync(file, code);
  describe(`docs/testing.md snippet ${i + 1}`, async () => {
    await import(pathToFileURL(file).href);
  });
}
