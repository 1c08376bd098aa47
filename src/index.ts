/**
 * @module release-engines — licensed software distribution over any store: the Engines resource,
 * a PyPI simple index, a Tauri update server and raw download links, gated like Keygen.
 * Web APIs only: runs on Node 20+, Bun, Deno and Workers.
 */
export * from "./core/errors.js";
export type { EngineResult, ResultBody } from "./core/result.js";
export { parseVersion, parseStrict, precedenceKey, comparePrecedence, CHANNELS, type Channel, type ParsedVersion } from "./core/version.js";
export { normalizeProjectName } from "./core/names.js";
export { isUuid, uuidV5 } from "./core/uuid.js";
export * from "./model/records.js";
export { loadDataset, EPOCH, type Dataset, type DatasetFileReader, type LoadDatasetOptions } from "./dataset/load.js";
export { DatasetFileSchema, type DatasetFile } from "./dataset/schema.js";
export type * from "./store/types.js";
export { ANONYMOUS_SCOPE, ADMIN_SCOPE, isArtifactVisible, isPackageVisible, isReleaseVisible, type Grant, type Scope } from "./access/scope.js";
export { createMemoryStore, type MemoryStoreOptions } from "./store/memory.js";
export { createWritableMemoryStore } from "./store/memory-write.js";
export { wrapStore, type WrapStoreOptions } from "./store/wrap.js";
export { authenticate, challengeScheme, type AuthContext } from "./auth/authenticate.js";
export { authorize, type Action, type Decision, type Resource } from "./access/authorize.js";
export { queryCredential, readCredential, type Credential, type CredentialSource, type QueryCredential } from "./auth/credentials.js";
export { ANONYMOUS, scopeOf, type LicenseContext, type Principal } from "./access/principal.js";
export { digestToken, generateToken, TOKEN_PREFIXES, type TokenKind } from "./auth/tokens.js";
export type { BlobStorage, BlobRequest, BlobUploadRequest, PresignInput } from "./blobs/types.js";
export { createSignedBlobStorage, type OpenedBlob, type SignedBlobStorageOptions } from "./blobs/signed.js";
export { receiveUpload, type PendingUpload, type ReceiveInput, type UploadSink } from "./blobs/receive.js";
export { readWheelMetadata, type ByteSource, type WheelMetadata } from "./engines/pypi/wheel.js";
export type { EngineContext } from "./engines/context.js";
export { serializeEngine, listEngines, retrieveEngine, type EngineResource, type ListEnginesInput } from "./engines/engines.js";
export { serializeArtifact, downloadArtifact, type DownloadInput } from "./engines/artifacts.js";
export { createFetchHandler, createRequestHandler, type FetchHandlerOptions, type RequestLike, type RouteHandler, type RouteRequest } from "./http/fetch.js";
export { resolveRawArtifact, type RawArtifactInput } from "./engines/raw.js";
export { challengeFor, LICENSE_DOCS, TOKEN_DOCS } from "./auth/authenticate.js";
export { accessDenied, REASON_BEARER_NOT_ALLOWED, REASON_NO_BEARER } from "./access/authorize.js";
export { RECOGNISED_SCHEMES } from "./auth/credentials.js";
export { grantOf, isExpired, licensesOf } from "./access/principal.js";
export { statusVisible, withinWindow, withYanked, type WindowRule } from "./access/scope.js";
export { CHANNEL_MATRIX, parseConstraint, resolveUpgrade, upgradeChannels, upgradeQuery, type UpgradeContext, type UpgradeRequest } from "./engines/upgrade.js";
export { resolveTauriUpdate, tauriUpdateBody, artifactUrl, REASON_HEADER, type TauriUpdateInput, type TauriUpdateBody, type TauriNoUpdateReason } from "./engines/tauri/update.js";
export { tauriManifest, type TauriManifest, type TauriManifestInput, type TauriPlatformEntry } from "./engines/tauri/manifest.js";
export { pickTauriArtifact, bundleTypeOf, isTauriEligible, type TauriBundle } from "./engines/tauri/artifact.js";
export { serializeRelease, upgradeRelease, type ReleaseResource, type UpgradeReleaseInput } from "./engines/releases.js";
export { renderPep503Index, pypiChallenge, DEFAULT_PYPI_UPSTREAM, type Pep503Input, type PypiOptions } from "./engines/pypi/render.js";
export { createPageCache, type PageCache, type PageCacheOptions, type PageCacheStats, type CachedPage } from "./engines/pypi/cache.js";
export { negotiatePypiFormat, negotiateEncoding, type PypiFormat, type ContentCoding } from "./engines/pypi/negotiate.js";
export { pep503Hash, type FileHash, type PypiFile } from "./engines/pypi/files.js";
export * from "./store/write.js";
export { mayWrite, assertMayWrite, isWriter, requireAuthenticated, WRITER_ROLES } from "./access/permissions.js";
export { artifactEvent, emitUploaded, packageEvent, releaseEvent, safeEmitter, type Emit, type EventHook, type EventType, type SdkEvent } from "./engines/publish/events.js";
export { serializePackage, serializeConstraint, constraintId, type PackageResource } from "./engines/publish/serialize.js";
export { publishContext, type PublishContext, type ListInput } from "./engines/publish/context.js";
export { createPackage, listPackages, retrievePackage, updatePackage, deletePackage } from "./engines/publish/packages.js";
export {
  createRelease, listReleases, retrieveRelease, updateRelease, deleteRelease, publishRelease, yankRelease,
  attachConstraints, detachConstraints, changeReleasePackage, type ReleaseRef,
} from "./engines/publish/releases.js";
export { createArtifact, listArtifacts, updateArtifact, deleteArtifact, UPLOAD_TTL, type CreateArtifactInput, type ArtifactRef } from "./engines/publish/artifacts.js";
export { MAX_BODY_BYTES, readJsonDocument } from "./http/body.js";
export { createUrls, keygenUrls, linkPath, linkUrl, KEYGEN_LINKS, type LinkBuilder, type LinkName, type LinkParams, type Urls, type UrlsOptions } from "./engines/urls.js";
export { createEngineContext, type EngineContextOptions } from "./http/context.js";
export { errorResult, finalizeResult, pypiErrorResult, toWebResponse } from "./http/respond.js";
export type { ShortHosts } from "./http/mounts.js";
