/**
 * @module blobs/signed — the embedded blob storage: HMAC-signed, expiring URLs served by the same handler.
 *
 * A download URL is `/v1/blobs/<account>/<artifact>/<filename>?expires=<unix>&kid=<key id>&signature=<hex>`,
 * where the signature is HMAC-SHA256 over key id, account, artifact and expiry. Expiry is rounded
 * up to a time bucket, so repeated requests get the same URL and caches keep working.
 *
 * An upload URL is `/v1/blobs/uploads/<account>/<artifact>?expires=<unix>&kid=<key id>&signature=<hex>`,
 * signed over the purpose, key id, account, artifact, the artifact's declared filesize and checksum,
 * and expiry; its `PUT` goes to {@link receiveUpload}.
 *
 * Keys are separated by purpose: a URL is signed with `HMAC-SHA256(secret, label)`,
 * the label naming the purpose (`blob-download/v1`, `blob-upload/v1`), never with the secret itself,
 * so no signature can stand in for a token digest (`HMAC-SHA256(secret, token)`) or for another
 * purpose. Download URLs minted before under a legacy key id (`a1`, signed with the secret itself)
 * still verify, for downloads only, until they expire.
 */
import { hmacSha256Hex, timingSafeEqual } from "../core/crypto.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../core/errors.js";
import { boundedMemo } from "../core/memo.js";
import type { EngineResult } from "../core/result.js";
import { isUuid } from "../core/uuid.js";
import type { Account, Artifact, Release } from "../model/records.js";
import type { Store } from "../store/types.js";
import { receiveUpload, type UploadSink } from "./receive.js";
import type { BlobRequest, BlobStorage, BlobUploadRequest, PresignInput } from "./types.js";

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
   * Signing secrets by key id, and the id new URLs use; each URL is signed with a key derived from
   * the secret for its purpose. Defaults to `d1` (new URLs) and the legacy `a1`, both the account's
   * secret key. Keep an old id here until its URLs have expired to rotate safely.
   */
  keys?: { current: string; secrets: Record<string, string | ((account: Account) => string)> };
  /**
   * Key ids whose download URLs were signed with the secret itself (before keys were separated by
   * purpose): verified for downloads only, never minted (default `["a1"]`).
   */
  legacyKeyIds?: readonly string[];
  /** Seconds expiries are rounded up to (default 300). */
  bucketSeconds?: number;
  /** Where uploaded bytes go; with it the storage takes uploads (`presignUpload`, `receive`, `remove`). */
  uploads?: UploadSink;
  /** The largest declared `filesize` an upload may have (a quota); larger ones are refused before any byte is written. */
  maxUploadBytes?: number;
}

const DEFAULT_KEYS = { current: "d1", secrets: { d1: (account: Account) => account.secretKey, a1: (account: Account) => account.secretKey } };

/** What a signing key is for: the label its key is derived with. */
const PURPOSES = { download: "blob-download/v1", upload: "blob-upload/v1" } as const;
type Purpose = keyof typeof PURPOSES;

/** Derived keys already worked out, by purpose and secret (the secrets are in memory anyway, as HMAC keys). */
const derived = boundedMemo((key: string) => {
  const cut = key.indexOf("\n");
  return hmacSha256Hex(key.slice(cut + 1), PURPOSES[key.slice(0, cut) as Purpose]);
}, 1000);

/** The key a purpose signs with: HMAC-SHA256 of the secret over the purpose's label (hex), never the secret itself. */
export function purposeKey(secret: string, purpose: Purpose): Promise<string> {
  return derived(`${purpose}\n${secret}`);
}

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

/** What an upload signature covers; JSON, so that no field (a checksum is free text) can run into the next. */
function uploadMessage(kid: string, account: Account, artifact: Artifact, expires: number): string {
  return JSON.stringify(["upload", kid, account.id, artifact.id, artifact.filesize, artifact.checksum, expires]);
}

/** The path of an artifact's upload URL, after the origin. */
export function uploadPath(accountId: string, artifactId: string): string {
  return `/v1/blobs/uploads/${accountId}/${artifactId}`;
}

const forbiddenUpload = (why: string) => new ForbiddenError(`The upload link is ${why}`, { code: "SIGNATURE_INVALID" });

/** What a valid upload URL names: the account, and the artifact with its release. */
export interface VerifiedUpload {
  account: Account;
  artifact: Artifact;
  release: Release;
}

/** A safe `filename="…"` value for Content-Disposition. */
function dispositionName(filename: string): string {
  const base = filename.split("/").pop() ?? "download";
  return base.replace(/[^A-Za-z0-9._+-]/g, "_");
}

/** The embedded {@link BlobStorage}: signed, expiring URLs on the same origin, bytes from `open`. */
export function createSignedBlobStorage(options: SignedBlobStorageOptions): BlobStorage {
  const keys = options.keys ?? DEFAULT_KEYS;
  const legacy = new Set(options.legacyKeyIds ?? ["a1"]);
  if (legacy.has(keys.current)) throw new Error(`blob key id '${keys.current}' is a legacy id: new URLs need another id`);
  const bucket = Math.max(1, options.bucketSeconds ?? 300);
  const currentSecret = (account: Account): string => {
    const secret = secretFor(keys, keys.current, account);
    if (secret === null) throw new Error(`no secret for blob key id '${keys.current}'`);
    return secret;
  };
  /** The key a URL under `kid` was signed with for `purpose`; null for an unknown id or a legacy id used for anything but a download. */
  const verifyingKey = async (kid: string, account: Account, purpose: Purpose): Promise<string | null> => {
    const secret = secretFor(keys, kid, account);
    if (secret === null) return null;
    if (legacy.has(kid)) return purpose === "download" ? secret : null;
    return purposeKey(secret, purpose);
  };
  const sink = options.uploads;
  const storage: BlobStorage = {
    async presign({ account, artifact, ttl, now, origin }: PresignInput) {
      if (artifact.blob === null) return null;
      const key = await purposeKey(currentSecret(account), "download");
      const expires = Math.ceil((Math.floor(now.getTime() / 1000) + ttl) / bucket) * bucket;
      const signature = await hmacSha256Hex(key, message(keys.current, account.id, artifact.id, expires));
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
      const key = await verifyingKey(kid, account, "download");
      if (key === null) throw forbidden("invalid");
      const expires = Number(expiresText);
      const expected = await hmacSha256Hex(key, message(kid, accountId, artifactId, expires));
      if (!timingSafeEqual(expected, signature)) throw forbidden("invalid");
      if (expires * 1000 <= req.now.getTime()) throw forbidden("expired");
      const found = await req.store.getArtifact(accountId, artifactId);
      if (found === null || found.artifact.blob === null) throw new NotFoundError();
      return serveArtifact(found.artifact, await options.open(found.artifact.blob), req);
    },
  };
  if (sink === undefined) return storage;
  /** Check an upload URL: its signature (constant time), expiry, and that the artifact still waits for bytes. */
  const verifyUpload = async (path: string, query: URLSearchParams, store: Store, now: Date): Promise<VerifiedUpload> => {
    const [prefix, accountId, artifactId, extra] = path.split("/");
    if (prefix !== "uploads" || extra !== undefined || accountId === undefined || artifactId === undefined || !isUuid(accountId) || !isUuid(artifactId)) throw new NotFoundError();
    const expiresText = query.get("expires") ?? "";
    const kid = query.get("kid") ?? "";
    const signature = query.get("signature") ?? "";
    if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(signature)) throw forbiddenUpload("invalid");
    const account = await store.getAccount(accountId);
    if (account === null || account.id !== accountId) throw forbiddenUpload("invalid");
    const key = await verifyingKey(kid, account, "upload");
    if (key === null) throw forbiddenUpload("invalid");
    // A missing artifact is the same 403 as a bad signature, after the same work: the link says nothing about what exists.
    const found = await store.getArtifact(accountId, artifactId);
    const expires = Number(expiresText);
    const signed = found?.artifact ?? ({ id: artifactId, filesize: null, checksum: null } as Artifact);
    const expected = await hmacSha256Hex(key, uploadMessage(kid, account, signed, expires));
    if (!timingSafeEqual(expected, signature) || found === null) throw forbiddenUpload("invalid");
    if (expires * 1000 <= now.getTime()) throw forbiddenUpload("expired");
    if (found.artifact.status !== "WAITING" && found.artifact.status !== "FAILED") {
      throw new ConflictError(`The artifact is ${found.artifact.status}, not waiting for an upload`, { code: "ARTIFACT_NOT_WAITING" });
    }
    return { account, artifact: found.artifact, release: found.release };
  };
  storage.presignUpload = async ({ account, artifact, ttl, now, origin }: PresignInput) => {
    const key = await purposeKey(currentSecret(account), "upload");
    const expires = Math.floor(now.getTime() / 1000) + Math.max(1, Math.ceil(ttl));
    const signature = await hmacSha256Hex(key, uploadMessage(keys.current, account, artifact, expires));
    return `${origin}${uploadPath(account.id, artifact.id)}?expires=${expires}&kid=${encodeURIComponent(keys.current)}&signature=${signature}`;
  };
  storage.receive = async (req: BlobUploadRequest): Promise<EngineResult> => {
    const verified = await verifyUpload(req.path, req.query, req.store, req.now);
    return receiveUpload({ ...verified, body: req.body, headers: req.headers, store: req.store, now: req.now, sink, ...(options.maxUploadBytes !== undefined ? { maxUploadBytes: options.maxUploadBytes } : {}), ...(req.uploaded !== undefined ? { uploaded: req.uploaded } : {}) });
  };
  storage.remove = async (_account: Account, artifact: Artifact) => {
    if (artifact.blob !== null) await sink.remove(artifact.blob);
  };
  return storage;
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
