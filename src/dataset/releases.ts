/**
 * @module dataset/releases — an account's releases and artifacts from a dataset file.
 */
import { isUuid } from "../core/uuid.js";
import { channelOf, parseVersion } from "../core/version.js";
import type { Artifact, Release } from "../model/records.js";
import type { AccountLoad } from "./account.js";
import { readArtifactFile, type DatasetFileReader } from "./files.js";
import type { DatasetAccountInput } from "./schema.js";
import { isArtifactShape, isReleaseShape, NotShaped } from "./shape.js";
import { copyRecord, distinct, EPOCH, iso, ownList, ownRecord } from "./values.js";

type Section<K extends keyof DatasetAccountInput> = NonNullable<DatasetAccountInput[K]>;


/** File names of one release: a short list, or a set once the release has many. */
type FileNames = string[] | Set<string>;

/** Releases: versions valid and on their channel, versions and tags unique per product and package. */
export function loadReleases(load: AccountLoad, releaseList: Section<"releases">): Release[] {
  const { accountId, path, problems, ids, refs } = load;
  const releases: Release[] = [];
  // Tags taken, per product id then package id ("" for none); the versions taken are refs.releasesByVersion's.
  const tagsByProduct = new Map<string, Map<string, Set<string>>>();
  const tagsOf = (productId: string, packageId: string): Set<string> => {
    let byPackage = tagsByProduct.get(productId);
    if (byPackage === undefined) tagsByProduct.set(productId, (byPackage = new Map()));
    let tags = byPackage.get(packageId);
    if (tags === undefined) byPackage.set(packageId, (tags = new Set()));
    return tags;
  };
  const releaseAt = (j: number) => `${path}.releases[${j}]`;
  ids.begin(`${path}.releases`, true);
  for (let j = 0; j < releaseList.length; j++) {
    const r = releaseList[j] as (typeof releaseList)[number];
    if (load.checkElements && !isReleaseShape(r)) throw new NotShaped();
    const product = refs.product(r.product);
    if (product === null) problems.push({ path: `${releaseAt(j)}.product`, message: `no product with id or code '${r.product}'` });
    let packageId: string | null = null;
    if (r.package != null) {
      const pkg = refs.package(r.package);
      if (pkg === null) problems.push({ path: `${releaseAt(j)}.package`, message: `no package with id or key '${r.package}'` });
      else if (product !== null && pkg.productId !== product.id) problems.push({ path: `${releaseAt(j)}.package`, message: "package belongs to another product" });
      packageId = pkg?.id ?? null;
    }
    const version = parseVersion(r.version);
    let channel = r.channel ?? "stable";
    if (version === null) {
      problems.push({ path: `${releaseAt(j)}.version`, message: `'${r.version}' is not a valid version` });
    } else {
      const implied = channelOf(version);
      if (implied === null) problems.push({ path: `${releaseAt(j)}.version`, message: "a pre-release must start with rc, beta, alpha or dev" });
      else if (r.channel !== undefined && r.channel !== implied) problems.push({ path: `${releaseAt(j)}.channel`, message: `version ${version.version} belongs to channel '${implied}'` });
      else channel = implied;
    }
    const versionText = version?.version ?? r.version;
    const productId = product?.id ?? "";
    const sameVersion = refs.releasesByVersion.get(versionText);
    if (sameVersion !== undefined && inSlot(sameVersion, productId, packageId)) {
      problems.push({ path: `${releaseAt(j)}.version`, message: `version ${versionText} is already released for this product and package` });
    }
    if (r.tag != null) {
      if (isUuid(r.tag)) problems.push({ path: `${releaseAt(j)}.tag`, message: "must not look like a UUID" });
      if (tagsOf(productId, packageId ?? "").has(r.tag)) problems.push({ path: `${releaseAt(j)}.tag`, message: `tag '${r.tag}' is already used for this product and package` });
    }
    refs.checkCodes(r.entitlements, () => `${releaseAt(j)}.entitlements`, problems);
    const id = r.id ?? (load.derive("release", `${productId}:${packageId ?? ""}:${versionText}`));
    ids.claim(id, problems);
    const created = iso(r.created) ?? EPOCH;
    const status = r.status ?? "DRAFT";
    const rec: Release = {
      id, accountId, productId, packageId, version: versionText, versionKey: version?.key ?? "", channel, status,
      tag: r.tag ?? null, name: r.name ?? null, description: r.description ?? null,
      entitlements: load.owned ? ownList(r.entitlements) : distinct(r.entitlements), metadata: load.owned ? ownRecord(r.metadata) : copyRecord(r.metadata), created, updated: created,
      backdated: iso(r.backdated), yanked: iso(r.yanked) ?? (status === "YANKED" ? created : null),
    };
    releases.push(rec);
    refs.releaseById.set(id, rec);
    if (rec.tag !== null) tagsOf(productId, packageId ?? "").add(rec.tag);
    if (sameVersion === undefined) refs.releasesByVersion.set(versionText, rec);
    else if (Array.isArray(sameVersion)) sameVersion.push(rec);
    else refs.releasesByVersion.set(versionText, [sameVersion, rec]);
  }
  return releases;
}

/** True when one of the releases (of one version) is of this product and package. */
function inSlot(releases: Release | Release[], productId: string, packageId: string | null): boolean {
  if (!Array.isArray(releases)) return releases.productId === productId && releases.packageId === packageId;
  for (const r of releases) if (r.productId === productId && r.packageId === packageId) return true;
  return false;
}

/** Artifacts: each of a known release, file names plain and unique per release, `file`s read and checked. */
export async function loadArtifacts(load: AccountLoad, artifactList: Section<"artifacts">, readFile: DatasetFileReader | undefined): Promise<Artifact[]> {
  const { accountId, path, problems, ids, refs } = load;
  const artifacts: Artifact[] = [];
  const filesByRelease = new Map<string, FileNames>();
  const artifactAt = (j: number) => `${path}.artifacts[${j}]`;
  let lastRef: string | undefined;
  let lastNamed: Release | string | undefined;
  let lastRelease: Release | undefined;
  let lastFiles: FileNames | undefined;
  ids.begin(`${path}.artifacts`, true);
  for (let j = 0; j < artifactList.length; j++) {
    const a = artifactList[j] as (typeof artifactList)[number];
    if (load.checkElements && !isArtifactShape(a)) throw new NotShaped();
    // Artifacts of one release mostly come together: the release and its file names are those of the last artifact's.
    if (a.release !== lastRef) {
      lastRef = a.release;
      lastNamed = refs.release(a.release);
    }
    const named = lastNamed as Release | string;
    const release = typeof named === "string" ? undefined : named;
    if (typeof named === "string") problems.push({ path: `${artifactAt(j)}.release`, message: named });
    const filename = a.filename;
    if (filename.includes("\\") || filename.startsWith("/") || (filename.includes("..") && filename.split("/").includes(".."))) {
      problems.push({ path: `${artifactAt(j)}.filename`, message: "must be a plain file name" });
    }
    if (release !== undefined) {
      const files = release === lastRelease ? lastFiles : filesByRelease.get(release.id);
      lastRelease = release;
      if (files === undefined) filesByRelease.set(release.id, (lastFiles = [filename]));
      else {
        lastFiles = files;
        if (Array.isArray(files) ? files.includes(filename) : files.has(filename)) {
          problems.push({ path: `${artifactAt(j)}.filename`, message: `'${filename}' is already a file of this release` });
        }
        if (!Array.isArray(files)) files.add(filename);
        else if (files.length < 16) files.push(filename);
        else filesByRelease.set(release.id, (lastFiles = new Set(files).add(filename)));
      }
    }
    let filesize = a.filesize ?? null;
    let checksum = a.checksum ?? null;
    let blob: string | null = null;
    let sha256: string | null = null;
    let found: Record<string, unknown> | undefined;
    if (a.file != null) ({ blob, filesize, checksum, sha256, metadata: found } = await readArtifactFile(a.file, artifactAt(j), { filesize, checksum }, readFile, problems));
    const id = a.id ?? (load.derive("artifact", `${release?.id ?? ""}:${filename}`));
    ids.claim(id, problems);
    const created = iso(a.created) ?? EPOCH;
    const filetype = a.filetype;
    artifacts.push({
      id, accountId, releaseId: release?.id ?? "", filename,
      filetype: filetype === undefined ? (/\.([^./]+)$/.exec(filename)?.[1]?.toLowerCase() ?? null) : filetype === null ? null : filetype.replace(/^\./, "").toLowerCase(),
      platform: a.platform?.trim().toLowerCase() || null, arch: a.arch?.trim().toLowerCase() || null,
      filesize, checksum, signature: a.signature ?? null, status: a.status ?? (blob !== null ? "UPLOADED" : "WAITING"),
      metadata: withSha256(found === undefined ? (load.owned ? ownRecord(a.metadata) : copyRecord(a.metadata)) : { ...copyRecord(a.metadata), ...found }, sha256), created, updated: created, blob,
    });
  }
  return artifacts;
}

/** Metadata with the file's sha256 beside a checksum of another digest, as an upload keeps it (a written `sha256` wins). */
function withSha256(metadata: Record<string, unknown>, sha256: string | null): Record<string, unknown> {
  if (sha256 === null || metadata.sha256 !== undefined) return metadata;
  metadata.sha256 = sha256;
  return metadata;
}
