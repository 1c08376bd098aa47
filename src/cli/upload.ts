/**
 * @module cli/upload — `upload <path>`: keygen-cli's exchange (`POST /artifacts`, then a PUT of
 * the bytes to the 307's `Location`), with size and checksum computed by streaming, the Tauri
 * `.sig` read from beside the file, progress on stderr, and the artifact confirmed UPLOADED.
 */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { findArtifactByFilename, waitForUpload } from "./artifacts.js";
import { settleUpload, signedUploadHeaders } from "./confirm-upload.js";
import {
  CHECKSUM_ALGORITHMS, CHECKSUM_ENCODINGS, contentTypeOf, encodeDigest, hashFile, inferFiletype, MAX_SIGNATURE_BYTES, readTauriSignature,
  type ChecksumAlgorithm, type ChecksumEncoding,
} from "./file-info.js";
import { CONNECTION_FLAGS, CommandUsageError, RELEASE_FLAGS, metadataOf, parseCommand, releaseFlagOf, usageOf, type CommandSpec } from "./flags.js";
import { ServerRefusal, TransportError, resourceOf, type ApiResponse, type Resource } from "./http-client.js";
import type { CommandIo } from "./io.js";
import { multipartPlanOf, storedParts, uploadMultipart, type MultipartPlan } from "./multipart-upload.js";
import { formatBytes, startProgress } from "./progress.js";
import { putFile, type PutResult } from "./put-file.js";
import { connectToRelease } from "./resolve.js";

/** The spec of `upload`. */
export const UPLOAD_COMMAND: CommandSpec = {
  name: "upload", args: "<path>", positionals: 1,
  summary: "Upload a file as a new artifact of a release (POST /artifacts, then PUT of the bytes to the upload URL).",
  flags: {
    ...CONNECTION_FLAGS,
    ...RELEASE_FLAGS,
    filename: { type: "string", value: "NAME", help: "filename for the artifact (default: the basename of <path>)" },
    filetype: { type: "string", value: "TYPE", help: "filetype (default: from the filename; .tar.gz is tar.gz)" },
    platform: { type: "string", value: "OS", help: "platform, e.g. linux, darwin, windows" },
    arch: { type: "string", value: "ARCH", help: "arch, e.g. x86_64, aarch64" },
    checksum: { type: "string", value: "DIGEST", help: "pre-computed checksum (default: computed from the file)" },
    "checksum-algorithm": { type: "string", value: "ALG", help: "sha-256 (default), sha-512 or sha-1" },
    "checksum-encoding": { type: "string", value: "ENC", help: "hex (default), base64, base64raw or base64url" },
    signature: { type: "string", value: "SIG", help: "signature (default: the Tauri <path>.sig beside the file, when there is one)" },
    "no-signature": { type: "boolean", help: "do not read <path>.sig" },
    "signing-key": { type: "string", value: "PATH", help: "keygen-cli's ed25519ph signing: not supported here; sign first and pass --signature" },
    "signing-algorithm": { type: "string", value: "ALG", help: "with --signing-key (not supported)" },
    "signature-encoding": { type: "string", value: "ENC", help: "with --signing-key (not supported)" },
    metadata: { type: "string", value: "JSON", help: "JSON object of metadata key-value pairs" },
  },
  notes: "Example (after tauri build):\n  release-engines upload src-tauri/target/release/bundle/appimage/app.AppImage.tar.gz \\\n" +
    "    --release 1.2.0 --package demo-app --platform linux --arch x86_64",
};

/** How an upload run reports and waits (tests shorten them). */
export interface UploadTuning {
  progressIntervalMs?: number;
  waitTimeoutMs?: number;
}

function isFilenameTaken(error: unknown): boolean {
  return error instanceof ServerRefusal && error.status === 422 &&
    error.errors.some((e) => e.code === "FILENAME_TAKEN" || e.source?.pointer === "/data/attributes/filename");
}

/** Run `upload`. @throws {CommandUsageError} / {ServerRefusal} / {TransportError}. */
export async function runUpload(args: string[], io: CommandIo, tuning: UploadTuning = {}): Promise<void> {
  const usage = usageOf(UPLOAD_COMMAND);
  const parsed = parseCommand(UPLOAD_COMMAND, args);
  if (parsed.help) {
    io.out(usage);
    return;
  }
  const s = parsed.strings;
  const given = parsed.positionals[0] as string;
  // keygen-cli expands a leading ~ itself (a quoted path in CI reaches it unexpanded).
  const path = given === "~" || given.startsWith("~/") ? join(homedir(), given.slice(1)) : given;
  releaseFlagOf(parsed, usage);
  const algorithm = (s["checksum-algorithm"] ?? "sha-256") as ChecksumAlgorithm;
  if (!(algorithm in CHECKSUM_ALGORITHMS)) throw new CommandUsageError(`--checksum-algorithm must be one of ${Object.keys(CHECKSUM_ALGORITHMS).join(", ")} (got '${algorithm}')`, usage);
  const encoding = (s["checksum-encoding"] ?? "hex") as ChecksumEncoding;
  if (!(CHECKSUM_ENCODINGS as readonly string[]).includes(encoding)) throw new CommandUsageError(`--checksum-encoding must be one of ${CHECKSUM_ENCODINGS.join(", ")} (got '${encoding}')`, usage);
  const signingKey = s["signing-key"] ?? io.env.KEYGEN_SIGNING_KEY_PATH ?? io.env.KEYGEN_SIGNING_KEY;
  if (s.signature === undefined && signingKey !== undefined && signingKey !== "") {
    throw new CommandUsageError("signing with --signing-key (KEYGEN_SIGNING_KEY[_PATH]) is not supported: sign the file first and pass --signature", usage);
  }
  if (s.signature !== undefined && Buffer.byteLength(s.signature) > MAX_SIGNATURE_BYTES) throw new CommandUsageError(`--signature is over ${MAX_SIGNATURE_BYTES} bytes`, usage);
  const metadata = metadataOf(s.metadata, usage);
  const info = await stat(path).catch(() => null);
  if (info === null) throw new CommandUsageError(`${path}: no such file`, usage);
  if (!info.isFile()) throw new CommandUsageError(`${path} is not a file`, usage);
  const filename = s.filename !== undefined && s.filename !== "" ? s.filename : basename(path);
  const filetype = s.filetype !== undefined && s.filetype !== "<auto>" ? (s.filetype === "" ? null : s.filetype.replace(/^\./, "").toLowerCase()) : inferFiletype(filename);
  let signature: string | null = s.signature ?? null;
  if (signature === null && !parsed.booleans["no-signature"]) {
    try {
      signature = await readTauriSignature(path);
    } catch (error) {
      throw new CommandUsageError((error as Error).message, usage);
    }
  }
  const { client, release } = await connectToRelease(parsed, io.env, usage);

  const filesize = info.size;
  let checksum = s.checksum;
  if (checksum === undefined) {
    const hashing = startProgress({ label: `hashing ${filename}`, total: filesize, write: io.err, tty: io.stderrIsTTY, columns: io.columns, intervalMs: tuning.progressIntervalMs });
    checksum = encodeDigest(await hashFile(path, algorithm, (n) => hashing.add(n)), encoding);
    hashing.done();
  }
  const attributes: Record<string, unknown> = {
    filename, filesize,
    ...(filetype !== null ? { filetype } : {}),
    ...(s.platform !== undefined && s.platform !== "" ? { platform: s.platform } : {}),
    ...(s.arch !== undefined && s.arch !== "" ? { arch: s.arch } : {}),
    ...(signature !== null && signature !== "" ? { signature } : {}),
    ...(checksum !== "" ? { checksum } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  };
  const body = { data: { type: "artifacts", attributes, relationships: { release: { data: { type: "releases", id: release.id } } } } };
  let created: ApiResponse | null = null;
  let resumed: Resource | null = null;
  let plan: MultipartPlan | null = null;
  try {
    created = await client.request("POST", "artifacts", { body });
  } catch (error) {
    if (!isFilenameTaken(error)) throw error;
    // A retry after an interrupted upload: resume its multipart upload (same size and checksum), or replace the artifact that never got its bytes.
    const existing = await findArtifactByFilename(client, release.id, filename);
    const status = existing?.attributes.status;
    if (existing === null || (status !== "WAITING" && status !== "FAILED")) throw error;
    const same = status === "WAITING" && existing.attributes.filesize === filesize && (existing.attributes.checksum ?? "") === checksum;
    plan = same ? ((await storedParts(client, existing.id))?.plan ?? null) : null;
    if (plan !== null) {
      resumed = existing;
    } else {
      io.err(`replacing artifact ${existing.id} (${filename}), left ${String(status)} by an earlier upload\n`);
      await client.request("DELETE", `artifacts/${encodeURIComponent(existing.id)}`);
      created = await client.request("POST", "artifacts", { body });
    }
  }
  const artifact = resumed ?? resourceOf(created as ApiResponse);
  plan ??= multipartPlanOf(created?.body);
  if (plan !== null) {
    // Over the server's multipart threshold: parts, resumable (multipart-upload.ts).
    const parts = startProgress({ label: `uploading ${filename} (${plan.partCount} parts)`, total: filesize, write: io.err, tty: io.stderrIsTTY, columns: io.columns, intervalMs: tuning.progressIntervalMs });
    const done = await uploadMultipart(client, { artifactId: artifact.id, path, plan, contentType: contentTypeOf(filetype), progress: parts, note: io.err });
    finish(done, filename, filesize, parsed.booleans.json === true, io);
    return;
  }
  created = created as ApiResponse;
  const location = created.headers.get("location");
  if (location === null || location === "") throw new TransportError(`POST /artifacts answered ${created.status} without an upload URL (Location)`);
  const target = new URL(location, created.url);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new TransportError(`the upload URL is not http(s): ${target.protocol}`);

  const progress = startProgress({ label: `uploading ${filename}`, total: filesize, write: io.err, tty: io.stderrIsTTY, columns: io.columns, intervalMs: tuning.progressIntervalMs });
  let put: PutResult;
  try {
    put = await putFile(target, path, filesize, contentTypeOf(filetype), (n) => progress.add(n), client.userAgent, { headers: signedUploadHeaders(target, checksum) });
  } catch (error) {
    progress.abort();
    throw new TransportError(`the upload of ${filename} failed (${(error as { code?: string }).code ?? (error as Error).message}); artifact ${artifact.id} is not UPLOADED: run the same upload again`);
  }
  if (put.status < 200 || put.status >= 300) {
    progress.abort();
    throw refusalOf(put.status, put.body);
  }
  progress.done();
  const wait = { timeoutMs: tuning.waitTimeoutMs ?? 30_000, intervalMs: 250 };
  // Straight to object storage (a presigned S3 URL): confirm, so the server checks the object now; otherwise wait as keygen-cli does.
  const final = target.searchParams.has("X-Amz-Signature") ? await settleUpload(client, artifact.id, wait) : await waitForUpload(client, artifact.id, wait);
  finish(final, filename, filesize, parsed.booleans.json === true, io);
}

/** Print the uploaded artifact. @throws {TransportError} when it is not UPLOADED. */
function finish(final: Resource, filename: string, filesize: number, json: boolean, io: CommandIo): void {
  const status = final.attributes.status;
  if (status !== "UPLOADED") {
    const reason = (final.attributes.metadata as Record<string, unknown> | undefined)?.failureReason;
    throw new TransportError(`artifact ${final.id} (${filename}) is ${String(status)} after the upload${typeof reason === "string" ? `: ${reason}` : ""}`);
  }
  io.out(json ? JSON.stringify(final, null, 2) : `uploaded: artifact ${final.id} (${describe(final, filename, filesize)})`);
}

function describe(artifact: Resource, filename: string, filesize: number): string {
  const a = artifact.attributes;
  const parts = [String(a.filename ?? filename), formatBytes(typeof a.filesize === "number" ? a.filesize : filesize)];
  if (typeof a.platform === "string" && typeof a.arch === "string") parts.push(`${a.platform}/${a.arch}`);
  if (typeof a.signature === "string" && a.signature !== "") parts.push("signed");
  return parts.join(", ");
}

function refusalOf(status: number, body: string): ServerRefusal {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) return new ServerRefusal(status, parsed.errors, "");
  } catch {
    // not JSON: S3's XML or plain text
  }
  return new ServerRefusal(status, [], body);
}
