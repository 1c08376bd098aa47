/**
 * @module blobs/signed — the embedded blob storage: HMAC-signed, expiring URLs served by the same handler.
 *
 * A URL is `/v1/blobs/<account>/<artifact>/<filename>?expires=<unix>&kid=<key id>&signature=<hex>`,
 * where the signature is HMAC-SHA256 over key id, account, artifact and expiry. Expiry is rounded
 * up to a time bucket, so repeated requests get the same URL and caches keep working.
 */
import { hmacSha256Hex, timingSafeEqual } from "../core/crypto.js";
import { ForbiddenError, NotFoundError } from "../core/errors.js";
import type { EngineResult } from "../core/result.js";
import { isUuid } from "../core/uuid.js";
import type { Account, Artifact } from "../model/records.js";
import type { BlobRequest, BlobStorage, PresignInput } from "./types.js";

/** Bytes of a blob, opened for streaming. */
export interface OpenedBlob {
  body: ReadableStream<Uint8Array>;
  size: number;
}

/** Options of {@link createSignedBlobStorage}. */
export interface SignedBlobStorageOptions {
  /** Open a blob by its key (a path relative to the storage root); null when it does not exist. */
  open(blobKey: string): Promise<OpenedBlob | null>;
  /**
   * Signing keys by key id, and the id new URLs use. Defaults to one key, `a1`, that is the
   * account's secret key. Keep an old id here until its URLs have expired to rotate safely.
   */
  keys?: { current: string; secrets: Record<string, string | ((account: Account) => string)> };
  /** Seconds expiries are rounded up to (default 300). */
  bucketSeconds?: number;
}

const DEFAULT_KEYS = { current: "a1", secrets: { a1: (account: Account) => account.secretKey } };

/** The secret of a key id; only own entries count, so `kid=constructor` or `__proto__` can never select a secret. */
function secretFor(keys: NonNullable<SignedBlobStorageOptions["keys"]>, kid: string, account: Account): string | null {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid) || !Object.prototype.hasOwnProperty.call(keys.secrets, kid)) return null;
  const s = keys.secrets[kid];
  const secret = typeof s === "function" ? s(account) : s;
  return typeof secret === "string" && secret !== "" ? secret : null;
}

function message(kid: string, accountId: string, artifactId: string, expires: number): string {
  return `${kid}\n${accountId}\n${artifactId}\n${expires}`;
}

/** A safe `filename="…"` value for Content-Disposition. */
function dispositionName(filename: string): string {
  const base = filename.split("/").pop() ?? "download";
  return base.replace(/[^A-Za-z0-9._+-]/g, "_");
}

/** The embedded {@link BlobStorage}: signed, expiring URLs on the same origin, bytes from `open`. */
export function createSignedBlobStorage(options: SignedBlobStorageOptions): BlobStorage {
  const keys = options.keys ?? DEFAULT_KEYS;
  const bucket = Math.max(1, options.bucketSeconds ?? 300);
  return {
    async presign({ account, artifact, ttl, now, origin }: PresignInput) {
      if (artifact.blob === null) return null;
      const secret = secretFor(keys, keys.current, account);
      if (secret === null) throw new Error(`no secret for blob key id '${keys.current}'`);
      const expires = Math.ceil((Math.floor(now.getTime() / 1000) + ttl) / bucket) * bucket;
      const signature = await hmacSha256Hex(secret, message(keys.current, account.id, artifact.id, expires));
      const name = encodeURIComponent(artifact.filename.split("/").pop() ?? artifact.filename);
      return `${origin}/v1/blobs/${account.id}/${artifact.id}/${name}?expires=${expires}&kid=${encodeURIComponent(keys.current)}&signature=${signature}`;
    },
    async serve(req: BlobRequest): Promise<EngineResult> {
      const [accountId, artifactId] = req.path.split("/");
      const expiresText = req.query.get("expires") ?? "";
      const kid = req.query.get("kid") ?? "";
      const signature = req.query.get("signature") ?? "";
      if (accountId === undefined || artifactId === undefined || !isUuid(accountId) || !isUuid(artifactId)) throw new NotFoundError();
      const forbidden = (why: string) => new ForbiddenError(`The download link is ${why}`, { code: "SIGNATURE_INVALID" });
      if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(signature)) throw forbidden("invalid");
      const account = await req.store.getAccount(accountId);
      if (account === null || account.id !== accountId) throw forbidden("invalid");
      const secret = secretFor(keys, kid, account);
      if (secret === null) throw forbidden("invalid");
      const expires = Number(expiresText);
      const expected = await hmacSha256Hex(secret, message(kid, accountId, artifactId, expires));
      if (!timingSafeEqual(expected, signature)) throw forbidden("invalid");
      if (expires * 1000 <= req.now.getTime()) throw forbidden("expired");
      const found = await req.store.getArtifact(accountId, artifactId);
      if (found === null || found.artifact.blob === null) throw new NotFoundError();
      return serveArtifact(found.artifact, await options.open(found.artifact.blob), req);
    },
  };
}

function serveArtifact(artifact: Artifact, blob: OpenedBlob | null, req: BlobRequest): EngineResult {
  if (blob === null) throw new NotFoundError();
  const etag = artifact.checksum !== null && /^[0-9a-fA-F]{32,128}$/.test(artifact.checksum) ? `"${artifact.checksum.toLowerCase()}"` : `"${artifact.id}"`;
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(blob.size),
    "Content-Disposition": `attachment; filename="${dispositionName(artifact.filename)}"`,
    ETag: etag,
    "Cache-Control": "private, max-age=300, no-transform",
    "Accept-Ranges": "none",
  };
  if (req.headers.get("if-none-match") === etag) {
    void blob.body.cancel().catch(() => {});
    return { status: 304, headers: { ETag: etag }, body: null };
  }
  return { status: 200, headers, body: req.method === "HEAD" ? (void blob.body.cancel().catch(() => {}), null) : blob.body };
}
