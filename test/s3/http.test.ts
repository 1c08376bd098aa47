/**
 * The publishing API on S3 blobs (issue 16 items 1–2 through the handler): POST /artifacts answers
 * the presigned upload URL, the bytes go straight to s3rver, POST /artifacts/{id}/actions/confirm
 * checks them by HEAD and makes the artifact UPLOADED (artifact.uploaded sent), and the download
 * 303s to the bucket; until then the WAITING artifact is not downloadable by customers.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3BlobStorage } from "../../src/blobs/s3/storage.js";
import { loadDataset } from "../../src/dataset/load.js";
import { createFetchHandler } from "../../src/http/fetch.js";
import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import type { SdkEvent } from "../../src/engines/publish/events.js";
import { startS3, type S3Server } from "../helpers/s3.js";

const ADMIN = `Bearer admin-${"9".repeat(64)}v3`;
let s3: S3Server;
let handler: (r: Request) => Promise<Response>;
let releaseId: string;
const events: SdkEvent[] = [];

beforeAll(async () => {
  s3 = await startS3();
  const dataset = await loadDataset({
    accounts: [{
      slug: "acme", name: "Acme", secretKey: "acme-secret-key-0123456789abcdef",
      products: [{ code: "app", name: "App", distributionStrategy: "OPEN" }],
      releases: [{ product: "app", version: "1.0.0", status: "PUBLISHED" }],
      users: [{ email: "root@acme.test", role: "admin" }],
      tokens: [{ bearer: { type: "user", id: "root@acme.test" }, token: ADMIN.slice(7) }],
    }],
  });
  releaseId = (dataset.releases[0] as { id: string }).id;
  const blobs = createS3BlobStorage({ endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  handler = createFetchHandler({ store: createWritableMemoryStore(dataset), blobs, onEvent: (e) => void events.push(e) });
});
afterAll(async () => {
  await s3?.stop();
});

const api = (path: string, init: RequestInit = {}) => handler(new Request(`http://api/v1/accounts/acme${path}`, init));

async function createArtifact(bytes: Uint8Array, filename: string): Promise<{ id: string; upload: string }> {
  const res = await api("/artifacts", {
    method: "POST",
    headers: { authorization: ADMIN, "content-type": "application/vnd.api+json", prefer: "no-redirect" },
    body: JSON.stringify({ data: { type: "artifacts", attributes: { filename, filesize: bytes.length, checksum: createHash("sha256").update(bytes).digest("hex") }, relationships: { release: { data: { type: "releases", id: releaseId } } } } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { id: ((await res.json()) as { data: { id: string } }).data.id, upload: res.headers.get("location") as string };
}

const confirm = (id: string, authorization = ADMIN) => api(`/artifacts/${id}/actions/confirm`, { method: "POST", headers: { authorization } });

describe("publishing to S3 through the API", () => {
  it("POST /artifacts → PUT to the bucket → confirm → UPLOADED, and the download 303s to the bucket", async () => {
    const bytes = randomBytes(4096);
    const { id, upload } = await createArtifact(bytes, "app-1.0.0.tar.gz");
    expect(upload.startsWith(`${s3.endpoint}/${s3.bucket}/artifacts/`)).toBe(true);
    const put = await fetch(upload, { method: "PUT", body: bytes as BodyInit, headers: { "x-amz-checksum-sha256": createHash("sha256").update(bytes).digest("base64") } });
    expect(put.status).toBe(200);
    expect((await api(`/artifacts/${id}`)).status).toBe(404); // WAITING: not there for customers

    expect((await confirm(id, "")).status).toBe(401);
    const res = await confirm(id);
    expect(res.status, await res.clone().text()).toBe(200);
    const doc = (await res.json()) as { data: { attributes: { status: string; filesize: number } } };
    expect(doc.data.attributes).toMatchObject({ status: "UPLOADED", filesize: 4096 });
    expect(events.filter((e) => e.type === "artifact.uploaded").length).toBe(1);
    expect((await confirm(id)).status).toBe(200);
    expect(events.filter((e) => e.type === "artifact.uploaded").length).toBe(1); // a retried confirmation sends nothing again

    const download = await api(`/artifacts/${id}`);
    expect(download.status).toBe(303);
    const bytesBack = Buffer.from(await (await fetch(download.headers.get("location") as string)).arrayBuffer());
    expect(bytesBack.equals(bytes)).toBe(true);
  });

  it("confirm answers 422 with the reason for wrong bytes, and the artifact is FAILED", async () => {
    const bytes = randomBytes(100);
    const { id, upload } = await createArtifact(bytes, "app-1.0.1.tar.gz");
    await fetch(upload, { method: "PUT", body: randomBytes(100) as BodyInit });
    const res = await confirm(id);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: Array<{ code: string; source: { pointer: string } }> };
    expect(body.errors[0]).toMatchObject({ code: "CHECKSUM_MISMATCH", source: { pointer: "/data/attributes/checksum" } });
    const shown = await api(`/artifacts/${id}`, { headers: { authorization: ADMIN } });
    expect(((await shown.json()) as { data: { attributes: { status: string } } }).data.attributes.status).toBe("FAILED");
    expect((await confirm("00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});
