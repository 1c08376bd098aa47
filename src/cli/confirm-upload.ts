/**
 * @module cli/confirm-upload — the end of a single-PUT upload to object storage: the checksum header a
 * presigned URL signed (`x-amz-checksum-sha256`), and the confirmation that makes the artifact UPLOADED
 * (`POST /artifacts/{id}/actions/confirm`), falling back to waiting where the server has no such action.
 */
import { declaredDigest } from "../core/checksum.js";
import { waitForUpload, type WaitOptions } from "./artifacts.js";
import { ServerRefusal, resourceOf, type ApiClient, type Resource } from "./http-client.js";

/** Headers the upload URL's signature covers besides the bytes: `x-amz-checksum-sha256` (base64) when it is signed. */
export function signedUploadHeaders(url: URL, checksum: string | undefined): Record<string, string> {
  const signed = (url.searchParams.get("X-Amz-SignedHeaders") ?? "").split(";");
  const digest = checksum === undefined || checksum === "" ? null : declaredDigest(checksum);
  if (!signed.includes("x-amz-checksum-sha256") || digest?.name !== "sha256") return {};
  return { "x-amz-checksum-sha256": Buffer.from(digest.hex, "hex").toString("base64") };
}

/**
 * The artifact once the PUT is done: confirmed (the server checks the object; S3 storages), else as
 * the server marks it (embedded storage, Keygen) within the wait. @throws {ServerRefusal} a refused confirmation (422 with the reason).
 */
export async function settleUpload(client: ApiClient, id: string, wait: WaitOptions): Promise<Resource> {
  try {
    return resourceOf(await client.request("POST", `artifacts/${encodeURIComponent(id)}/actions/confirm`));
  } catch (error) {
    // No confirm action (Keygen: 404), or a storage that took the bytes itself (422 CONFIRM_UNSUPPORTED).
    const noAction = error instanceof ServerRefusal && (error.status === 404 || error.status === 405 || error.errors.some((e) => e.code === "CONFIRM_UNSUPPORTED"));
    if (!noAction) throw error;
  }
  return waitForUpload(client, id, wait);
}
