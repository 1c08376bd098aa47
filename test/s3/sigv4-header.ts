/**
 * An independent SigV4 verifier for header-signed requests (the server's own HEAD/GET/PUT/DELETE),
 * written from AWS's "Authenticating Requests: Using the Authorization Header (AWS Signature Version
 * 4)", and a fetch that answers as S3 does (403 SignatureDoesNotMatch, 400 XAmzContentSHA256Mismatch
 * or BadDigest) before forwarding to s3rver, which checks none of it. node:crypto only.
 */
import { createHash, createHmac } from "node:crypto";
import { uriEncode } from "./sigv4.js";

/** The signature S3 computes for a header-signed request; null when it carries no SigV4 Authorization. */
export function expectedHeaderSignature(method: string, url: string, headers: Headers, secretAccessKey: string): { given: string; expected: string } | null {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(headers.get("authorization") ?? "");
  if (auth === null) return null;
  const [, credential = "", signedHeaders = "", given = ""] = auth;
  const [, date = "", region = "", service = ""] = credential.split("/");
  const u = new URL(url);
  const path = uriEncode(decodeURIComponent(u.pathname), true);
  const query = [...u.searchParams]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = signedHeaders.split(";");
  const value = (name: string) => (name === "host" ? u.host : (headers.get(name) ?? "").trim().replace(/\s+/g, " "));
  const canonical = [method, path, query, names.map((n) => `${n}:${value(n)}\n`).join(""), signedHeaders, headers.get("x-amz-content-sha256") ?? ""].join("\n");
  const scope = credential.split("/").slice(1).join("/");
  const toSign = ["AWS4-HMAC-SHA256", headers.get("x-amz-date") ?? "", scope, createHash("sha256").update(canonical, "utf8").digest("hex")].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  return { given, expected: createHmac("sha256", kSigning).update(toSign, "utf8").digest("hex") };
}

/** A request the checking fetch saw, and whether it passed. */
export interface SeenRequest {
  method: string;
  url: string;
  verified: boolean;
}

const s3Error = (status: number, code: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`, { status, headers: { "content-type": "application/xml" } });

/**
 * A fetch for `createS3BlobStorage({ fetch })` that checks each request's SigV4 signature against
 * `secretAccessKey`, its payload hash and `x-amz-checksum-sha256` against its body, as S3 does, then
 * forwards it; `afterPut` runs once a PUT was stored (to race a store write against it).
 */
export function checkingFetch(secretAccessKey: string, seen: SeenRequest[], afterPut?: (url: URL) => Promise<void>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const body = req.method === "GET" || req.method === "HEAD" ? null : new Uint8Array(await req.arrayBuffer());
    const sig = expectedHeaderSignature(req.method, req.url, req.headers, secretAccessKey);
    const entry = { method: req.method, url: req.url, verified: false };
    seen.push(entry);
    if (sig === null || sig.given !== sig.expected) return s3Error(403, "SignatureDoesNotMatch");
    const payload = req.headers.get("x-amz-content-sha256");
    const digest = body === null ? null : createHash("sha256").update(body).digest();
    if (payload !== "UNSIGNED-PAYLOAD" && payload !== (digest ?? createHash("sha256").digest()).toString("hex")) return s3Error(400, "XAmzContentSHA256Mismatch");
    const checksum = req.headers.get("x-amz-checksum-sha256");
    if (checksum !== null && digest !== null && checksum !== digest.toString("base64")) return s3Error(400, "BadDigest");
    entry.verified = true;
    const res = await fetch(req.url, { method: req.method, headers: req.headers, ...(body !== null ? { body } : {}) });
    if (req.method === "PUT" && res.ok) await afterPut?.(new URL(req.url));
    return res;
  }) as typeof fetch;
}
