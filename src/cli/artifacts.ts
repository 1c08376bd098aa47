/**
 * @module cli/artifacts — artifact look-ups of the publishing commands: a release's artifact by id
 * or filename, and an artifact's status after its upload.
 */
import { resourceOf, type ApiClient, type Resource } from "./http-client.js";

const PAGE_SIZE = 100;
const MAX_PAGES = 50;

/** The artifact of a release with this id or filename (`GET /artifacts?release=`, paged); null when none. */
export async function findArtifactByFilename(client: ApiClient, releaseId: string, idOrFilename: string): Promise<Resource | null> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await client.request("GET", "artifacts", { query: { release: releaseId, "page[size]": String(PAGE_SIZE), "page[number]": String(page) } });
    const data = Array.isArray(response.body?.data) ? (response.body.data as Resource[]) : [];
    const hit = data.find((a) => a.id === idOrFilename || a.attributes?.filename === idOrFilename);
    if (hit !== undefined) return { ...hit, attributes: hit.attributes ?? {} };
    const links = response.body?.links as { next?: unknown } | undefined;
    if (data.length < PAGE_SIZE || (links !== undefined && (links.next === null || links.next === undefined))) return null;
  }
  return null;
}

/** An artifact as the server has it now (`GET /artifacts/{id}` with `Prefer: no-download`: the document, no redirect). */
export async function getArtifact(client: ApiClient, id: string): Promise<Resource> {
  return resourceOf(await client.request("GET", `artifacts/${encodeURIComponent(id)}`, { headers: { Prefer: "no-download" } }));
}

/** How long {@link waitForUpload} waits for a storage that marks uploads asynchronously (Keygen's S3 events). */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

/**
 * The artifact once its status has settled after the PUT: UPLOADED, FAILED, or still
 * WAITING/PROCESSING when the wait ran out.
 */
export async function waitForUpload(client: ApiClient, id: string, options: WaitOptions = { timeoutMs: 30_000, intervalMs: 500 }): Promise<Resource> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.intervalMs;
  for (;;) {
    const artifact = await getArtifact(client, id);
    const status = artifact.attributes.status;
    if (status !== "WAITING" && status !== "PROCESSING") return artifact;
    if (Date.now() + interval > deadline) return artifact;
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, 4000);
  }
}
