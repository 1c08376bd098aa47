/**
 * @module engines/etag — weak ETags from text, computed synchronously.
 *
 * An ETag only has to change when the answer does; it is no secret and no signature. A 128-bit
 * non-cryptographic hash (four mixed 32-bit lanes, cyrb128) costs about a microsecond, where
 * `crypto.subtle.digest` hops to a worker thread and back: in Node that was most of a Tauri check
 * and of a PyPI 304 (see bench/).
 */

/** A weak ETag (`W/"<32 hex digits>"`) of a text: equal texts give equal tags. */
export function weakEtag(text: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  return `W/"${hex(h1)}${hex(h2)}${hex(h3)}${hex(h4)}"`;
}

/** A tag without its weak prefix (`W/"x"` → `"x"`): what the weak comparison compares. */
function opaqueTag(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * Whether an `If-None-Match` value lets a GET answer 304 for `etag`: `*`, or one of its tags equal to
 * `etag` under the weak comparison (the `W/` prefix ignored on both sides). The value as the client
 * echoes it (the one tag, unchanged) is compared first, without splitting.
 */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header === etag) return true;
  const opaque = opaqueTag(etag);
  for (const part of header.split(",")) {
    const tag = part.trim();
    if (tag === "*" || opaqueTag(tag) === opaque) return true;
  }
  return false;
}
