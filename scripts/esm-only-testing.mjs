// After tsup: `release-engines/testing` is ESM-only (vitest cannot be required), so its CommonJS
// entry becomes one that throws a message saying so, with declarations that export nothing.
import { writeFileSync } from "node:fs";

const message =
  'release-engines/testing is ESM-only, because vitest (which it registers tests with) cannot be loaded by require(). ' +
  'Import it from an ES module test file: import { runStoreConformance } from "release-engines/testing"; ' +
  'or, from CommonJS, use await import("release-engines/testing").';

writeFileSync(new URL("../dist/testing.cjs", import.meta.url), `"use strict";\nthrow new Error(${JSON.stringify(message)});\n`);
writeFileSync(
  new URL("../dist/testing.d.cts", import.meta.url),
  `/** ${message} */\nexport {};\n`,
);
