/**
 * @module uuid — UUID shape checks and deterministic UUIDv5.
 */
import { toHex, utf8 } from "./encoding.js";
import { sha1 } from "./sha1.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Namespace of every id this SDK derives. */
export const RELEASE_ENGINES_NAMESPACE = "6f1c1c3e-6b1e-5c55-9a34-3b0f5e0d2a11";

/** True when the value looks like a UUID (any version), as Keygen's alias lookups test. */
export function isUuid(value: string): boolean {
  // The length first: most values asked about (a package key, a slug) are no UUID, and fail without the expression.
  return value.length === 36 && UUID_RE.test(value);
}

const namespaceBytes = new Map<string, Uint8Array>();

/** UUIDv5 (SHA-1, RFC 9562) of `name` in `namespace`, computed synchronously. */
export function uuidV5(name: string, namespace: string = RELEASE_ENGINES_NAMESPACE): string {
  let nsBytes = namespaceBytes.get(namespace);
  if (nsBytes === undefined) {
    const ns = namespace.replace(/-/g, "");
    nsBytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) nsBytes[i] = parseInt(ns.slice(i * 2, i * 2 + 2), 16);
    namespaceBytes.set(namespace, nsBytes);
  }
  const nameBytes = utf8(name);
  const buf = new Uint8Array(16 + nameBytes.length);
  buf.set(nsBytes, 0);
  buf.set(nameBytes, 16);
  const hash = sha1(buf).slice(0, 16);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const h = toHex(hash);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
