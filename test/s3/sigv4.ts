/**
 * An independent SigV4 query-string (presigned URL) verifier, written from AWS's "Authenticating
 * Requests: Using Query Parameters (AWS Signature Version 4)": canonical request, string to sign,
 * HMAC chain. node:crypto and hand-written encoding only, so it shares nothing with aws4fetch.
 */
import { createHash, createHmac } from "node:crypto";

/** URI-encode per the spec: every byte but A–Z a–z 0–9 - _ . ~ as %XY (upper-case hex); '/' kept when asked. */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** What the server recomputes for a presigned request. */
export interface PresignedRequest {
  method: string;
  /** The URL as the client sends it (X-Amz-Signature included; it is left out of the computation). */
  url: string;
  /** Values of the signed headers other than host, lower-case names. */
  headers?: Record<string, string>;
  secretAccessKey: string;
}

/** The canonical request of a presigned URL. */
export function canonicalRequest(req: PresignedRequest): string {
  const url = new URL(req.url);
  // The path as S3 sees it: decoded once, then each byte encoded once ('/' kept).
  const path = uriEncode(decodeURIComponent(url.pathname), true);
  // Query parameters are decoded with %20 and '+' meaning what RFC 3986 says ('+' is literal in a signed URL we write).
  const pairs = url.search.slice(1).split("&").filter((p) => p !== "").map((p) => {
    const at = p.indexOf("=");
    const [k, v] = at < 0 ? [p, ""] : [p.slice(0, at), p.slice(at + 1)];
    return [decodeURIComponent(k), decodeURIComponent(v)] as const;
  });
  const query = pairs
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const signed = (url.searchParams.get("X-Amz-SignedHeaders") ?? "").split(";");
  const headerValue = (name: string) => (name === "host" ? url.host : (req.headers?.[name] ?? "").trim().replace(/\s+/g, " "));
  const canonicalHeaders = signed.map((name) => `${name}:${headerValue(name)}\n`).join("");
  return [req.method, path, query, canonicalHeaders, signed.join(";"), "UNSIGNED-PAYLOAD"].join("\n");
}

/** The string to sign of a presigned URL. */
export function stringToSign(req: PresignedRequest): string {
  const url = new URL(req.url);
  const credential = url.searchParams.get("X-Amz-Credential") ?? "";
  const scope = credential.split("/").slice(1).join("/");
  const hash = createHash("sha256").update(canonicalRequest(req), "utf8").digest("hex");
  return ["AWS4-HMAC-SHA256", url.searchParams.get("X-Amz-Date") ?? "", scope, hash].join("\n");
}

/** The signature S3 expects for a presigned URL, from the date, region and service of its credential scope. */
export function expectedSignature(req: PresignedRequest): string {
  const credential = new URL(req.url).searchParams.get("X-Amz-Credential") ?? "";
  const [, date = "", region = "", service = ""] = credential.split("/");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${req.secretAccessKey}`, date), region), service), "aws4_request");
  return createHmac("sha256", kSigning).update(stringToSign(req), "utf8").digest("hex");
}

/** True when the URL's X-Amz-Signature is the one S3 would compute for this request. */
export function verifies(req: PresignedRequest): boolean {
  return new URL(req.url).searchParams.get("X-Amz-Signature") === expectedSignature(req);
}
