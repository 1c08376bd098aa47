/**
 * The package as a user installs it, in a temporary project: `node_modules/release-engines` holding its
 * package.json and an ESM build of its `.` and `./node` entries (the package's own tsup config), its
 * dependencies linked, and the runtimes' server files next to an in-code dataset module.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build as tsup } from "tsup";
import tsupConfig from "../../tsup.config.js";
import { conformanceDatasetFile } from "../../src/testing/fixture.js";
import { ROOT } from "../helpers/process.js";

/** A fixed clock inside the conformance dataset's validity. */
export const NOW = "2026-03-01T12:00:30Z";

/** A temporary project with the built package installed and the server files; `remove` deletes it. */
export interface Project {
  dir: string;
  remove: () => void;
}

/** Build the package into a new temporary project. */
export async function makeProject(): Promise<Project> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-runtimes-"));
  const pkg = path.join(dir, "node_modules", "release-engines");
  const config = tsupConfig as Record<string, unknown>;
  await tsup({ ...config, entry: { index: "src/index.ts", node: "src/node.ts" }, outDir: path.join(pkg, "dist"), format: ["esm"], dts: false, clean: false, silent: true, config: false } as Parameters<typeof tsup>[0]);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: manifest.name, version: manifest.version, type: "module", exports: manifest.exports, dependencies: manifest.dependencies }));
  for (const dep of Object.keys(manifest.dependencies as Record<string, string>)) {
    fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(dir, "node_modules", dep), "dir");
  }
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "runtime-check", private: true, type: "module", dependencies: { "release-engines": manifest.version } }));
  const servers = path.join(ROOT, "test", "runtimes", "servers");
  for (const f of fs.readdirSync(servers)) fs.copyFileSync(path.join(servers, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "dataset.mjs"), `export default ${JSON.stringify({ file: conformanceDatasetFile(), now: NOW })};\n`);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
