/**
 * S3 presigned URLs (issue 16 item 1), checked with an independent SigV4 verifier (./sigv4.ts) since
 * s3rver does not check SigV4 signatures: the verifier reproduces AWS's published example, then every
 * URL we mint verifies, tampering any signed part breaks it, and expiries are bucketed.
 */
import { describe, expect, it } from "vitest";
import { createS3BlobStorage, s3UploadHeaders, type S3BlobStorageOptions } from "../../src/blobs/s3/storage.js";
import { bucketedWindow } from "../../src/blobs/s3/presign.js";
import type { Account, Artifact } from "../../src/model/records.js";
import { canonicalRequest, expectedSignature, stringToSign, verifies } from "./sigv4.js";
import { createHash } from "node:crypto";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const OPTIONS: S3BlobStorageOptions = { endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "acme-releases", prefix: "dist/", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET };
const account: Account = { id: "00000000-0000-4000-8000-00000000aaaa", slug: "acme", name: "Acme", secretKey: "acme-secret-0123456789abcdef", created: "2026-01-01T00:00:00.000Z" };
const artifact = (over: Partial<Artifact> = {}): Artifact => ({
  id: "00000000-0000-4000-8000-00000000bbbb", accountId: account.id, releaseId: "00000000-0000-4000-8000-00000000cccc",
  filename: "app 1.0 (x64)+beta.tar.gz", filetype: "tar.gz", platform: null, arch: null, filesize: 1234, checksum: null, signature: null,
  status: "UPLOADED", metadata: {}, created: account.created, updated: account.created, blob: "artifacts/x/y/z/app 1.0 (x64)+beta.tar.gz", ...over,
});
// Not on a bucket boundary: T0 and T0 + 60 s share a 300 s bucket.
const T0 = new Date("2026-03-01T12:00:30Z");
const SHA = createHash("sha256").update("bytes").digest("hex");

const download = async (over: Partial<S3BlobStorageOptions> = {}, now = T0, ttl = 900, a = artifact()) =>
  (await createS3BlobStorage({ ...OPTIONS, ...over }).presign({ account, artifact: a, ttl, now, origin: "http://api" })) as string;
const upload = (a: Artifact, over: Partial<S3BlobStorageOptions> = {}, now = T0) => createS3BlobStorage({ ...OPTIONS, ...over }).presignUpload({ account, artifact: a, ttl: 0, now, origin: "http://api" });

/** The URL with one query parameter replaced (written back in the same encoding). */
function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  const parts = u.search.slice(1).split("&").map((p) => (p.startsWith(`${name}=`) ? `${name}=${encodeURIComponent(value)}` : p));
  return `${u.origin}${u.pathname}?${parts.join("&")}`;
}

describe("the independent SigV4 verifier", () => {
  it("reproduces AWS's published presigned-URL example (GET examplebucket/test.txt)", () => {
    const url = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    const req = { method: "GET", url, secretAccessKey: SECRET };
    expect(createHash("sha256").update(canonicalRequest(req)).digest("hex")).toBe("3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
    expect(stringToSign(req).split("\n").slice(0, 3)).toEqual(["AWS4-HMAC-SHA256", "20130524T000000Z", "20130524/us-east-1/s3/aws4_request"]);
    expect(expectedSignature(req)).toBe("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    expect(verifies(req)).toBe(true);
  });
});

describe("presign (downloads)", () => {
  it("signs a virtual-hosted GET of prefix + blob key with the filename as response-content-disposition", async () => {
    const url = new URL(await download());
    expect(url.origin).toBe("https://acme-releases.s3.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/dist/artifacts/x/y/z/app%201.0%20%28x64%29%2Bbeta.tar.gz");
    expect(url.searchParams.get("response-content-disposition")).toBe('attachment; filename="app_1.0__x64_+beta.tar.gz"');
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/s3/aws4_request");
    expect(url.search).not.toContain("+"); // spaces are %20: what S3 canonicalises, never form-encoding's '+'
    expect(verifies({ method: "GET", url: url.toString(), secretAccessKey: SECRET })).toBe(true);
  });

  it("addresses endpoint/bucket/key with forcePathStyle (MinIO, s3rver), under the endpoint's own path", async () => {
    const url = await download({ endpoint: "http://127.0.0.1:9000/minio", forcePathStyle: true, region: "us-east-1" });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9000\/minio\/acme-releases\/dist\/artifacts\/x\/y\/z\/app%201\.0/);
    expect(verifies({ method: "GET", url, secretAccessKey: SECRET })).toBe(true);
  });

  it("tampering with any signed part (path, host, method, any parameter, the secret) breaks the signature", async () => {
    const url = await download();
    const good = { method: "GET", url, secretAccessKey: SECRET };
    expect(verifies(good)).toBe(true);
    const u = new URL(url);
    const tampered = [
      { ...good, method: "PUT" },
      { ...good, secretAccessKey: `${SECRET}x` },
      { ...good, url: url.replace("/dist/", "/dist2/") },
      { ...good, url: url.replace("beta.tar.gz", "beta.tar.gz.sig") },
      { ...good, url: url.replace("acme-releases.", "other-bucket.") },
      ...["response-content-disposition", "X-Amz-Expires", "X-Amz-Date", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Algorithm"].map((name) => ({
        ...good,
        url: withParam(url, name, `${u.searchParams.get(name)}0`),
      })),
      { ...good, url: `${url}&response-content-type=text%2Fhtml` },
    ];
    for (const req of tampered) expect(verifies(req), req.url).toBe(false);
  });

  it("gives the same URL for every request within a time bucket, a new one in the next, valid for at least the ttl", async () => {
    const first = await download();
    expect(await download({}, new Date(T0.getTime() + 60_000))).toBe(first);
    const next = await download({}, new Date(T0.getTime() + 300_000));
    expect(next).not.toBe(first);
    for (const [url, now] of [[first, T0], [next, new Date(T0.getTime() + 300_000)]] as const) {
      const u = new URL(url);
      const date = u.searchParams.get("X-Amz-Date") as string;
      const signedAt = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      const expiresAt = signedAt + Number(u.searchParams.get("X-Amz-Expires")) * 1000;
      expect(signedAt).toBeLessThanOrEqual(now.getTime());
      expect(expiresAt).toBeGreaterThanOrEqual(now.getTime() + 900_000);
      expect(expiresAt % 300_000).toBe(0);
    }
  });

  it("never asks for more than S3's seven-day limit", () => {
    expect(bucketedWindow(T0, 604_800, 300).expires).toBe(604_800);
    expect(bucketedWindow(T0, 10, 300)).toEqual({ signedAt: Math.floor(T0.getTime() / 300_000) * 300, expires: 300 });
  });

  it("mints no URL for an artifact without bytes or a blob key that could leave the prefix", async () => {
    const storage = createS3BlobStorage(OPTIONS);
    for (const blob of [null, "", "../x", "a/../../x", "a//b", "./a", "a\\b", "a\u0000b", "/abs"]) {
      expect(await storage.presign({ account, artifact: artifact({ blob }), ttl: 900, now: T0, origin: "http://api" }), String(blob)).toBeNull();
    }
  });

  it("refuses options that cannot name a bucket", () => {
    for (const over of [{ endpoint: "not a url" }, { endpoint: "ftp://x" }, { endpoint: "https://u:p@x" }, { endpoint: "https://x?a=1" }, { bucket: "A_B" }, { bucket: "x" }, { prefix: "/abs/" }, { prefix: "../up/" }, { secretAccessKey: "" }]) {
      expect(() => createS3BlobStorage({ ...OPTIONS, ...over }), JSON.stringify(over)).toThrow(TypeError);
    }
  });
});

describe("presignUpload", () => {
  it("binds the declared size and SHA-256 (as base64) into the signature of a PUT to the artifact's key", async () => {
    const a = artifact({ status: "WAITING", blob: null, filename: "app.whl", filesize: 5, checksum: SHA });
    const url = await upload(a);
    const u = new URL(url);
    expect(u.pathname).toBe(`/dist/artifacts/${account.id}/${a.releaseId}/${a.id}/app.whl`);
    expect(u.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host;x-amz-checksum-sha256");
    const headers: Record<string, string> = { "content-length": "5", ...s3UploadHeaders(a) };
    expect(headers["x-amz-checksum-sha256"]).toBe(Buffer.from(SHA, "hex").toString("base64"));
    expect(verifies({ method: "PUT", url, headers, secretAccessKey: SECRET })).toBe(true);
    // S3 recomputes the signature from the headers the request carries: other bytes cannot match it.
    expect(verifies({ method: "PUT", url, headers: { ...headers, "content-length": "6" }, secretAccessKey: SECRET })).toBe(false);
    const other = createHash("sha256").update("other").digest("base64");
    expect(verifies({ method: "PUT", url, headers: { ...headers, "x-amz-checksum-sha256": other }, secretAccessKey: SECRET })).toBe(false);
    expect(verifies({ method: "GET", url, headers, secretAccessKey: SECRET })).toBe(false);
  });

  it("binds a base64 SHA-256 too, and only the size when the checksum is another digest, absent, or binding is off", async () => {
    const b64 = Buffer.from(SHA, "hex").toString("base64");
    expect(new URL(await upload(artifact({ checksum: b64, filename: "a.whl" }))).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host;x-amz-checksum-sha256");
    expect(s3UploadHeaders(artifact({ checksum: b64 }))).toEqual({ "x-amz-checksum-sha256": b64 });
    // Every encoding the upload path accepts (SPEC §3 item 22): unpadded base64url and 0x-hex too; S3 gets padded base64.
    expect(s3UploadHeaders(artifact({ checksum: Buffer.from(SHA, "hex").toString("base64url") }))).toEqual({ "x-amz-checksum-sha256": b64 });
    expect(s3UploadHeaders(artifact({ checksum: `0x${SHA.toUpperCase()}` }))).toEqual({ "x-amz-checksum-sha256": b64 });
    const sha512 = createHash("sha512").update("bytes").digest("hex");
    for (const a of [artifact({ checksum: sha512, filename: "a.whl" }), artifact({ checksum: null, filename: "a.whl" })]) {
      expect(new URL(await upload(a)).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
      expect(s3UploadHeaders(a)).toEqual({});
    }
    expect(new URL(await upload(artifact({ checksum: SHA, filename: "a.whl" }), { bindChecksum: false })).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect(new URL(await upload(artifact({ filesize: null, filename: "a.whl" }))).searchParams.get("X-Amz-SignedHeaders")).toBe("host");
  });

  it("refuses a filename that cannot be one object name with a 422 naming the attribute", async () => {
    for (const filename of ["../x.whl", "a/b.whl", "a\\b.whl", "..", "c:x"]) {
      await expect(upload(artifact({ filename })), filename).rejects.toMatchObject({ status: 422, code: "FILENAME_INVALID", source: { pointer: "/data/attributes/filename" } });
    }
  });
});
