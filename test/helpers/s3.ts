/**
 * A real S3-compatible server for tests: s3rver (from node_modules) on loopback, on a free port,
 * with its objects in a temporary folder; its one account's key pair is S3RVER / S3RVER.
 *
 * s3rver 3.7 stores multipart uploads but answers 405 to ListParts (`GET key?uploadId=`) and
 * AbortMultipartUpload (`DELETE key?uploadId=`); the helper adds those two operations in front of it,
 * as the S3 API reference specifies them, on s3rver's own upload folder (each part's ChecksumSHA256 is
 * the SHA-256 of the bytes s3rver stored, as S3 reports the checksum it verified). It also records
 * every request, so tests can count the part PUTs that reached the server.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

interface KoaContext {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/** A running s3rver and how to reach it. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The folder s3rver keeps buckets in. */
  directory: string;
  /** Every request s3rver received: method, URL (path and query) and headers. */
  requests: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined> }>;
  /** Hold each part PUT this long before s3rver takes it (a slow link, so a test can kill an uploader mid-way); 0 for none. */
  slowParts(ms: number): void;
  stop(): Promise<void>;
}

/** Start s3rver on 127.0.0.1 with one empty bucket. */
export async function startS3(bucket = "artifacts"): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "re-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const requests: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined> }> = [];
  let partDelay = 0;
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, url: ctx.url, headers: { ...ctx.headers } });
    const uploadId = ctx.query.uploadId;
    if (ctx.method === "PUT" && uploadId !== undefined && partDelay > 0) await new Promise((r) => setTimeout(r, partDelay));
    const [, bucketName, ...key] = ctx.path.split("/");
    if (uploadId === undefined || bucketName === undefined || key.length === 0 || (ctx.method !== "GET" && ctx.method !== "DELETE")) return next();
    const folder = path.join(server.store.getResourcePath(bucketName, undefined, "uploads"), path.basename(uploadId));
    const xml = (status: number, body: string) => {
      ctx.status = status;
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    };
    if (!fs.existsSync(path.join(folder, "key"))) return xml(404, "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>");
    if (ctx.method === "DELETE") {
      fs.rmSync(folder, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const numbers = fs.readdirSync(folder).filter((f) => /^\d+$/.test(f)).map(Number).sort((a, b) => a - b);
    const parts = numbers.map((n) => {
      const bytes = fs.readFileSync(path.join(folder, String(n)));
      const md5 = fs.readFileSync(path.join(folder, `${n}.md5`), "utf8");
      return `<Part><PartNumber>${n}</PartNumber><ETag>"${md5}"</ETag><Size>${bytes.length}</Size><ChecksumSHA256>${createHash("sha256").update(bytes).digest("base64")}</ChecksumSHA256></Part>`;
    });
    xml(200, `<ListPartsResult><Bucket>${bucketName}</Bucket><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join("")}</ListPartsResult>`);
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    directory,
    requests,
    slowParts(ms: number) {
      partDelay = ms;
    },
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
