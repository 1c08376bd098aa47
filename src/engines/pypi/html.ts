/**
 * @module engines/pypi/html — PEP 503 pages with Keygen's layout (doctype, title, repository-version
 * meta, `h1`, one anchor per entry); every value escaped.
 */
import type { PypiFile } from "./files.js";

/** HTML-escape text or an attribute value (`&`, `<`, `>`, `"`, `'`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function attrs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join("");
}

function page(title: string, anchors: string[]): string {
  const t = escapeHtml(title);
  return (
    `<!DOCTYPE html>\n<html>\n<head>\n<title>${t}</title>\n<meta name="pypi:repository-version" content="1.1">\n</head>\n` +
    `<body>\n<h1>${t}</h1>\n${anchors.map((a) => `${a}<br>\n`).join("")}</body>\n</html>\n`
  );
}

/** One project of the project list: its text, link and `data-*` pairs. */
export interface IndexEntry {
  name: string;
  href: string;
  data: Array<[string, string]>;
}

/** The project list page (Keygen §2.2: `Packages for <account name>`). */
export function renderIndexHtml(accountName: string, entries: readonly IndexEntry[]): string {
  return page(
    `Packages for ${accountName}`,
    entries.map((e) => `<a href="${escapeHtml(e.href)}"${attrs(e.data.map(([k, v]) => [`data-${k}`, v] as const))}>${escapeHtml(e.name)}</a>`),
  );
}

/** The project page (Keygen §2.2: `Files for <package name> by <account name>`), with PEP 503/592/658/714 attributes. */
export function renderProjectHtml(packageName: string, accountName: string, files: readonly PypiFile[]): string {
  return page(
    `Files for ${packageName} by ${accountName}`,
    files.map((f) => {
      const pairs: Array<readonly [string, string]> = [];
      if (f.requiresPython !== null) pairs.push(["data-requires-python", f.requiresPython]);
      // PEP 592: always with a value; pip ignores a bare attribute.
      if (f.yanked !== null) pairs.push(["data-yanked", f.yanked]);
      if (f.coreMetadata !== null) {
        const value = f.coreMetadata.hash === null ? "true" : `${f.coreMetadata.hash.name}=${f.coreMetadata.hash.hex}`;
        pairs.push(["data-core-metadata", value], ["data-dist-info-metadata", value]);
      }
      for (const [k, v] of f.data) pairs.push([`data-${k}`, v]);
      const href = f.hash === null ? f.url : `${f.url}#${f.hash.name}=${f.hash.hex}`;
      return `<a href="${escapeHtml(href)}"${attrs(pairs)}>${escapeHtml(f.filename)}</a>`;
    }),
  );
}
