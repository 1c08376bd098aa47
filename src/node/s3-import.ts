/**
 * @module node/s3-import — copying a dataset's local artifact files into a bucket, idempotently:
 * an object whose SHA-256 (or, where the service keeps none, size and MD5 ETag) already matches is skipped.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { S3BlobStorage } from "../blobs/s3/storage.js";
import type { Artifact } from "../model/records.js";

/** What {@link uploadDatasetFiles} did. */
export interface S3ImportSummary {
  uploaded: number;
  /** Files already in the bucket with the same bytes. */
  skipped: number;
}

/** SHA-256 and MD5 of a file, streamed. */
async function digests(file: string): Promise<{ sha256: string; md5: string }> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  for await (const chunk of createReadStream(file)) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha.digest("hex"), md5: md5.digest("hex") };
}

/** PUT a file to a presigned URL with the headers it binds, streamed from disk. */
function putFile(url: string, headers: Record<string, string>, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "PUT", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 2000) body += chunk;
      });
      res.on("end", () => {
        if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) resolve();
        else reject(new Error(`the bucket answered ${res.statusCode} to PUT ${target.pathname}: ${body.slice(0, 300)}`));
      });
    });
    req.on("error", reject);
    createReadStream(file).on("error", (error) => req.destroy(error)).pipe(req);
  });
}

/** Upload the local file of every artifact that has one (`blob`, relative to `root`) unless the bucket already holds the same bytes. */
export async function uploadDatasetFiles(blobs: S3BlobStorage, artifacts: readonly Artifact[], root: string): Promise<S3ImportSummary> {
  const summary: S3ImportSummary = { uploaded: 0, skipped: 0 };
  const seen = new Set<string>();
  for (const artifact of artifacts) {
    if (artifact.blob === null || seen.has(artifact.blob)) continue;
    seen.add(artifact.blob);
    const file = join(root, artifact.blob);
    const size = (await stat(file)).size;
    const { sha256, md5 } = await digests(file);
    const existing = await blobs.head(artifact.blob);
    const same = existing !== null && existing.size === size && (existing.sha256 !== null ? existing.sha256 === sha256 : existing.etag?.replace(/"/g, "") === md5);
    if (same) {
      summary.skipped += 1;
      continue;
    }
    const { url, headers } = await blobs.presignPut(artifact.blob, { size, sha256 });
    await putFile(url, headers, file);
    summary.uploaded += 1;
  }
  return summary;
}
