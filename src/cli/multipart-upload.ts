/**
 * @module cli/multipart-upload — `upload` of a file over the server's multipart threshold: the parts
 * the server already holds are asked for first (`GET /artifacts/{id}/upload/parts`, so a rerun after
 * a kill sends only the rest), then each missing part is hashed, presigned (`POST …/upload/parts`,
 * its size and SHA-256 bound) and PUT straight from the file, a few at a time; then the artifact is
 * confirmed (`POST …/actions/confirm`: the server assembles the parts and checks the whole file).
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { CHUNK_BYTES } from "./file-info.js";
import { ServerRefusal, TransportError, resourceOf, type ApiClient, type Resource } from "./http-client.js";
import type { Progress } from "./progress.js";
import { putFile } from "./put-file.js";

/** A multipart upload's shape, as the server answers it in `meta.multipart`. */
export interface MultipartPlan {
  filesize: number;
  partSize: number;
  partCount: number;
}

/** What the driver needs besides the client. */
export interface MultipartUploadInput {
  artifactId: string;
  path: string;
  plan: MultipartPlan;
  contentType: string;
  /** Called once with the bytes already stored, then as bytes are sent. */
  progress: Progress;
  /** Parts in flight at once (default 2). */
  concurrency?: number;
  /** Says how much a resumed upload skips. */
  note: (line: string) => void;
}

/** The plan in a document's `meta.multipart`; null when there is none (a single-PUT upload). */
export function multipartPlanOf(body: Record<string, unknown> | null | undefined): MultipartPlan | null {
  const m = (body?.meta as { multipart?: Partial<MultipartPlan> } | undefined)?.multipart;
  const whole = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (m === undefined || !whole(m.filesize) || !whole(m.partSize) || m.partSize < 1 || !whole(m.partCount) || m.partCount < 1) return null;
  return { filesize: m.filesize, partSize: m.partSize, partCount: m.partCount };
}

const partsPath = (id: string) => `artifacts/${encodeURIComponent(id)}/upload/parts`;

/**
 * The plan and stored parts of an artifact's multipart upload in progress; null when the artifact
 * has none (it uploads in one PUT, or its upload is gone). @throws {ServerRefusal} for other refusals.
 */
export async function storedParts(client: ApiClient, artifactId: string): Promise<{ plan: MultipartPlan; stored: Map<number, { size: number; checksum: string | null }> } | null> {
  let res;
  try {
    res = await client.request("GET", partsPath(artifactId));
  } catch (error) {
    if (error instanceof ServerRefusal && error.status === 422) return null;
    throw error;
  }
  const plan = multipartPlanOf(res.body);
  if (plan === null) throw new TransportError(`GET ${partsPath(artifactId)} answered no meta.multipart plan`);
  const stored = new Map<number, { size: number; checksum: string | null }>();
  for (const part of Array.isArray(res.body?.data) ? (res.body.data as Resource[]) : []) {
    const a = part.attributes ?? {};
    if (typeof a.number === "number" && typeof a.size === "number") stored.set(a.number, { size: a.size, checksum: typeof a.checksum === "string" ? a.checksum : null });
  }
  return { plan, stored };
}

/** The SHA-256 (hex) of `size` bytes of a file from `offset`. */
async function hashPart(path: string, offset: number, size: number): Promise<string> {
  const hash = createHash("sha256");
  const file = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, size)));
    let done = 0;
    while (done < size) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - done), offset + done);
      if (bytesRead === 0) throw new TransportError(`${path} is shorter than its declared size: it changed during the upload`);
      hash.update(buffer.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await file.close();
  }
  return hash.digest("hex");
}

/** Sizes of the plan's parts, the last one shorter. */
function sizesOf(plan: MultipartPlan): number[] {
  return Array.from({ length: plan.partCount }, (_, i) => Math.min(plan.partSize, plan.filesize - i * plan.partSize));
}

/**
 * Upload the parts the server does not hold yet and confirm the artifact; the confirmed artifact.
 * A stored part is kept when its size matches and its SHA-256 (when the server reports one) is this file's.
 * @throws {TransportError} / {ServerRefusal} (the artifact stays WAITING: rerun the same upload to resume).
 */
export async function uploadMultipart(client: ApiClient, input: MultipartUploadInput): Promise<Resource> {
  const { plan, path, artifactId } = input;
  const sizes = sizesOf(plan);
  const already = (await storedParts(client, artifactId))?.stored ?? new Map<number, { size: number; checksum: string | null }>();
  const todo: number[] = [];
  let kept = 0;
  let keptBytes = 0;
  for (let n = 1; n <= plan.partCount; n++) {
    const size = sizes[n - 1] as number;
    const have = already.get(n);
    if (have !== undefined && have.size === size && (have.checksum === null || have.checksum === (await hashPart(path, (n - 1) * plan.partSize, size)))) {
      kept++;
      keptBytes += size;
    } else {
      todo.push(n);
    }
  }
  if (kept > 0) input.note(`resuming: ${kept} of ${plan.partCount} part(s) already stored, ${todo.length} to send\n`);
  input.progress.add(keptBytes);

  const sendPart = async (n: number) => {
    const offset = (n - 1) * plan.partSize;
    const size = sizes[n - 1] as number;
    const checksum = await hashPart(path, offset, size);
    const res = await client.request("POST", partsPath(artifactId), { body: { data: [{ type: "parts", attributes: { number: n, checksum } }] } });
    const part = (Array.isArray(res.body?.data) ? (res.body.data as Array<Resource & { links?: { upload?: unknown }; meta?: { headers?: unknown } }>) : [])[0];
    const url = typeof part?.links?.upload === "string" ? new URL(part.links.upload, res.url) : null;
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) throw new TransportError(`POST ${partsPath(artifactId)} answered no http(s) upload URL for part ${n}`);
    const headers = Object.fromEntries(Object.entries((part?.meta?.headers ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
    const put = await putFile(url, path, size, input.contentType, (b) => input.progress.add(b), client.userAgent, { offset, headers }).catch((error: unknown) => {
      throw new TransportError(`part ${n} of ${plan.partCount} failed (${(error as { code?: string }).code ?? (error as Error).message}); artifact ${artifactId} is not UPLOADED: run the same upload again to resume`);
    });
    if (put.status < 200 || put.status >= 300) throw new TransportError(`the storage refused part ${n} of ${plan.partCount} (HTTP ${put.status}): ${put.body.slice(0, 300)}`);
  };

  // A few workers take the next missing part; the first failure stops them all.
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < todo.length) {
      const n = todo[next++] as number;
      try {
        await sendPart(n);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 2, todo.length)) }, worker));
  if (failed !== null) {
    input.progress.abort();
    throw failed;
  }
  input.progress.done();
  return resourceOf(await client.request("POST", `artifacts/${encodeURIComponent(artifactId)}/actions/confirm`));
}
