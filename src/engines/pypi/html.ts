/**
 * @module engines/pypi/html — PEP 503 pages with Keygen's layout (doctype, title, repository-version
 * meta, `h1`, one anchor per entry); every value escaped.
 */
import type { PypiFile } from "./files.js";

const HTML_SPECIAL = /[&<>"']/;
const HTML_SPECIALS = /[&<>"']/g;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const entity = (c: string) => ENTITIES[c] as string;

/** HTML-escape text or an attribute value (`&`, `<`, `>`, `"`, `'`); text without them is returned as it is. */
export function escapeHtml(text: string): string {
  return HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIALS, entity) : text;
}

/** ` name="value"` with the value escaped. */
function attr(name: string, value: string): string {
  return ` ${name}="${escapeHtml(value)}"`;
}

/** The `data-*` attributes of metadata pairs. */
function dataAttrs(data: ReadonlyArray<readonly [string, string]>): string {
  let out = "";
  for (let i = 0; i < data.length; i++) {
    const [k, v] = data[i] as readonly [string, string];
    out += attr(`data-${k}`, v);
  }
  return out;
}

/** The page around its anchors (each anchor already ends with `<br>\n`). */
function page(title: string, anchors: string): string {
  const t = escapeHtml(title);
  return (
    `<!DOCTYPE html>\n<html>\n<head>\n<title>${t}</title>\n<meta name="pypi:repository-version" content="1.1">\n</head>\n` +
    `<body>\n<h1>${t}</h1>\n${anchors}</body>\n</html>\n`
  );
}

/** One project of the project list: its text, link and `data-*` pairs. */
export interface IndexEntry {
  name: string;
  href: string;
  data: Array<[string, string]>;
}

/** The project list page (`Packages for <account name>`). */
export function renderIndexHtml(accountName: string, entries: readonly IndexEntry[]): string {
  let anchors = "";
  for (const e of entries) anchors += `<a href="${escapeHtml(e.href)}"${dataAttrs(e.data)}>${escapeHtml(e.name)}</a><br>\n`;
  return page(`Packages for ${accountName}`, anchors);
}

/** The project page (`Files for <package name> by <account name>`), with PEP 503/592/658/714 attributes. */
export function renderProjectHtml(packageName: string, accountName: string, files: readonly PypiFile[]): string {
  // Files of a page mostly share their requires-python text: escape it once per distinct value in a row.
  let lastPython: string | null = null;
  let lastPythonAttr = "";
  let anchors = "";
  for (const f of files) {
    const href = f.hash === null ? f.url : `${f.url}#${f.hash.name}=${f.hash.hex}`;
    let a = `<a href="${escapeHtml(href)}"`;
    if (f.requiresPython !== null) {
      if (f.requiresPython !== lastPython) {
        lastPython = f.requiresPython;
        lastPythonAttr = attr("data-requires-python", f.requiresPython);
      }
      a += lastPythonAttr;
    }
    // PEP 592: always with a value; pip ignores a bare attribute.
    if (f.yanked !== null) a += attr("data-yanked", f.yanked);
    if (f.coreMetadata !== null) {
      const value = f.coreMetadata.hash === null ? "true" : `${f.coreMetadata.hash.name}=${f.coreMetadata.hash.hex}`;
      a += attr("data-core-metadata", value) + attr("data-dist-info-metadata", value);
    }
    if (f.data.length > 0) a += dataAttrs(f.data);
    anchors += `${a}>${escapeHtml(f.filename)}</a><br>\n`;
  }
  return page(`Files for ${packageName} by ${accountName}`, anchors);
}
