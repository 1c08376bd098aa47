import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Files in the per-store folders that never touch a store, or are property tests building hundreds
 * of memory stores: a run on another store (RE_TEST_STORE, npm run test:sqlite / test:postgres) skips them.
 */
const MEMORY_ONLY = [
  "test/auth/properties.test.ts", "test/auth/tokens.test.ts", "test/tauri/oracle.test.ts", "test/tauri/artifact.test.ts",
  "test/tauri/manifest.test.ts", "test/pypi/units.test.ts", "test/upgrade/constraint.test.ts", "test/downloads/file-blobs.test.ts",
];
const perStore = process.env.RE_TEST_STORE === "sqlite" || process.env.RE_TEST_STORE === "postgres";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^release-engines\/node$/, replacement: src("node.ts") },
      { find: /^release-engines\/testing$/, replacement: src("testing.ts") },
      { find: /^release-engines$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(perStore ? MEMORY_ONLY : [])],
    testTimeout: 30_000,
    // Servers the tests start write no access log unless a test asks for one (--log-format).
    env: { RELEASE_ENGINES_LOG_FORMAT: "none" },
    hookTimeout: 90_000,
    // RE_TEST_STORE=postgres: one throwaway PostgreSQL cluster for the run (test/helpers/store.ts).
    globalSetup: process.env.RE_TEST_STORE === "postgres" ? ["test/helpers/pg-global.ts"] : [],
  },
});
