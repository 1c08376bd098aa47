/**
 * @module engines/pypi/negotiate — pick the PyPI page format from `Accept` (PEP 691) and the
 * content coding from `Accept-Encoding`, both by q-value.
 */

/** A page format the simple index serves. */
export type PypiFormat = "json" | "html" | "v1html";

/** Content type sent for each format. */
export const PYPI_CONTENT_TYPES: Record<PypiFormat, string> = {
  json: "application/vnd.pypi.simple.v1+json",
  html: "text/html; charset=utf-8",
  v1html: "application/vnd.pypi.simple.v1+html; charset=utf-8",
};

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseQ(params: string[]): number {
  for (const p of params) {
    const [k, v] = p.split("=").map((s) => s.trim());
    if (k?.toLowerCase() === "q") {
      const q = Number(v);
      return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
    }
  }
  return 1;
}

function parseRanges(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(",")) {
    const [media, ...params] = part.split(";");
    const [type, subtype] = (media ?? "").trim().toLowerCase().split("/");
    if (!type || !subtype) continue;
    // PEP 691: `latest` is an alias of the newest version this server speaks (v1).
    out.push({ type, subtype: subtype.replace(/^vnd\.pypi\.simple\.latest\+/, "vnd.pypi.simple.v1+"), q: parseQ(params) });
  }
  return out;
}

/** q of the most specific range matching `type/subtype` (RFC 9110 §12.5.1), with its specificity; null when none. */
function matchOffer(ranges: readonly Range[], type: string, subtype: string): { q: number; specificity: number } | null {
  let best: { q: number; specificity: number } | null = null;
  for (const r of ranges) {
    let specificity = -1;
    if (r.type === type && r.subtype === subtype) specificity = 2;
    else if (r.type === type && r.subtype === "*") specificity = 1;
    else if (r.type === "*" && r.subtype === "*") specificity = 0;
    if (specificity < 0) continue;
    if (best === null || specificity > best.specificity) best = { q: r.q, specificity };
  }
  return best;
}

const OFFERS: Array<{ format: PypiFormat; type: string; subtype: string }> = [
  { format: "html", type: "text", subtype: "html" },
  { format: "v1html", type: "application", subtype: "vnd.pypi.simple.v1+html" },
  { format: "json", type: "application", subtype: "vnd.pypi.simple.v1+json" },
];

/**
 * The format to answer with: the offer with the highest q, then the most specific match, then
 * HTML before JSON (as Warehouse breaks ties); null when `Accept` allows none (answer 406).
 * A missing `Accept` means `*∕*` and gets HTML.
 */
export function negotiatePypiFormat(accept: string | null, htmlOnly = false): PypiFormat | null {
  const ranges = parseRanges(accept === null || accept.trim() === "" ? "*/*" : accept);
  let best: { format: PypiFormat; q: number; specificity: number } | null = null;
  for (const offer of OFFERS) {
    if (htmlOnly && offer.format === "json") continue;
    const m = matchOffer(ranges, offer.type, offer.subtype);
    if (m === null || m.q <= 0) continue;
    if (best === null || m.q > best.q || (m.q === best.q && m.specificity > best.specificity)) best = { format: offer.format, ...m };
  }
  return best?.format ?? null;
}

/** A content coding the index can send. */
export type ContentCoding = "br" | "gzip" | "identity";

/**
 * The coding to send: brotli when the runtime can make it and the client prefers it, gzip next,
 * identity otherwise (identity is never refused, as RFC 9110 allows).
 */
export function negotiateEncoding(acceptEncoding: string | null, brotli: boolean): ContentCoding {
  if (acceptEncoding === null) return "identity";
  const qs = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.split(";");
    const coding = (name ?? "").trim().toLowerCase();
    if (coding !== "") qs.set(coding, parseQ(params));
  }
  const q = (c: string) => qs.get(c) ?? (c !== "identity" ? qs.get("*") ?? 0 : 1);
  const candidates: ContentCoding[] = brotli ? ["br", "gzip"] : ["gzip"];
  let best: ContentCoding = "identity";
  let bestQ = 0;
  for (const c of candidates) {
    const value = q(c);
    if (value > bestQ) {
      best = c;
      bestQ = value;
    }
  }
  return best;
}
