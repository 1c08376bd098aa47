/**
 * Public documentation (every TSDoc block in src/, README.md and docs/) points at nothing a user
 * cannot read: no internal spec or reference notes, no section numbers of them, no internal issue
 * numbers. Public standards (RFC sections, PEPs) and public URLs are fine.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

const PRIVATE: RegExp[] = [
  /\bSPEC\b/,
  /(?<!RFC \d{3,5} )§/,
  /\bclients\.md\b/,
  /\bkeygen-engines\.md\b/,
  /\b[Ii]ssues? #?\d+/,
  /\bReference rule\b/,
];

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : []);
}

function offences(file: string, texts: string[]): string[] {
  return texts.flatMap((text) => PRIVATE.filter((re) => re.test(text)).map((re) => `${relative(ROOT, file)}: ${re} in ${text.trim().slice(0, 160)}`));
}

it("no TSDoc block in src/ cites a document users cannot read", () => {
  const found = filesUnder(join(ROOT, "src"), ".ts").flatMap((file) => {
    const blocks = [...readFileSync(file, "utf8").matchAll(/\/\*\*[\s\S]*?\*\//g)].map((m) => m[0]);
    return offences(file, blocks.flatMap((b) => b.split("\n")));
  });
  expect(found).toEqual([]);
});

it("README.md and docs/ cite no document users cannot read", () => {
  const found = [join(ROOT, "README.md"), ...filesUnder(join(ROOT, "docs"), ".md")].flatMap((file) => offences(file, readFileSync(file, "utf8").split("\n")));
  expect(found).toEqual([]);
});
