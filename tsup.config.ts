import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing.ts",
    node: "src/node.ts",
    sqlite: "src/sqlite.ts",
    postgres: "src/postgres.ts",
    s3: "src/s3.ts",
    cli: "src/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", testing: "src/testing.ts", node: "src/node.ts", sqlite: "src/sqlite.ts", postgres: "src/postgres.ts", s3: "src/s3.ts" } },
  splitting: true,
  sourcemap: false,
  clean: true,
  target: "node20",
  external: ["vitest", "better-sqlite3", "pg"],
});
