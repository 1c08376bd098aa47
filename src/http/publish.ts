/**
 * @module http/publish — the route handlers of the write API (packages, releases, artifacts) by route and
 * method: each reads its body with a byte cap, then calls its write engine.
 */
import type { BlobStorage } from "../blobs/types.js";
import { NotFoundError, ReadOnlyStoreError } from "../core/errors.js";
import { isWritableStore } from "../store/write.js";
import type { EngineResult } from "../core/result.js";
import type { EngineContext } from "../engines/context.js";
import { maxTarballBytes } from "../engines/npm/accept.js";
import { confirmArtifact, createArtifact, deleteArtifact, listArtifacts, updateArtifact } from "../engines/publish/artifacts.js";
import { publishContext, type PublishContext } from "../engines/publish/context.js";
import { listUploadParts, presignUploadParts } from "../engines/publish/parts.js";
import type { Emit } from "../engines/publish/events.js";
import { createPackage, deletePackage, listPackages, retrievePackage, updatePackage } from "../engines/publish/packages.js";
import {
  attachConstraints,
  changeReleasePackage,
  createRelease,
  deleteRelease,
  detachConstraints,
  listReleases,
  publishRelease,
  retrieveRelease,
  updateRelease,
  yankRelease,
} from "../engines/publish/releases.js";
import { readJsonDocument } from "./body.js";
import type { RouteHandler, RouteRequest } from "./fetch.js";
import type { RouteName } from "./routes.js";

/** Handlers of one route by HTTP method. */
export type MethodHandlers = Partial<Record<"GET" | "POST" | "PATCH" | "PUT" | "DELETE", RouteHandler>>;

/** What the publishing routes need from the handler's options. */
export interface PublishRouteOptions {
  blobs?: BlobStorage;
  /** Receives failures that must not fail a request (a blob left behind). */
  onError?: (error: unknown, request: RouteRequest["request"]) => void;
  /** The npm publish limit, which bounds the npm tarballs a confirmation reads back too. */
  npm?: { maxPublishBytes?: number };
}

const noEmit: Emit = () => {};

/** Why a list answers 405 on a read-only store: the read contract has no list of packages, releases or artifacts. */
const LIST_NEEDS_WRITABLE =
  "This server's store implements only the read contract, which cannot list packages, releases or artifacts: serve a SQLite or PostgreSQL store (serve --db FILE or --database-url URL)";

function cancelBody(req: RouteRequest): void {
  const body = req.request.body;
  if (body !== null && body !== undefined && !body.locked) void body.cancel().catch(() => {});
}

/** The `{id}` of `/artifacts/{id}`; the vanity form `/artifacts/{id}/{filename}` only downloads. */
function artifactId(req: RouteRequest): string {
  if (req.match.params.filename !== undefined) throw new NotFoundError();
  return req.match.params.id as string;
}

/** The route handlers of the write API, by route name and method. */
export function publishHandlers(options: PublishRouteOptions): Partial<Record<RouteName, MethodHandlers>> {
  const writable = (req: RouteRequest, ctx: EngineContext): PublishContext => {
    try {
      return publishContext(ctx, ctx.emit ?? noEmit, (error) => options.onError?.(error, req.request), options.blobs);
    } catch (error) {
      cancelBody(req);
      throw error;
    }
  };
  /** A write: a writable store first (405), then the document. */
  const write =
    (run: (ctx: PublishContext, req: RouteRequest, document: unknown) => Promise<EngineResult>): RouteHandler =>
    async (ctx, req) => {
      const pctx = writable(req, ctx);
      return run(pctx, req, await readJsonDocument(req.request.body, req.headers));
    };
  /** A list: it needs the write contract's list queries. */
  const list =
    (run: (ctx: PublishContext, input: { path: string; query: URLSearchParams }) => Promise<EngineResult>): RouteHandler =>
    (ctx, req) => {
      if (!isWritableStore(ctx.store)) throw new ReadOnlyStoreError(LIST_NEEDS_WRITABLE);
      return run(writable(req, ctx), { path: req.pathname, query: req.query });
    };
  const release = (req: RouteRequest) => ({ release: req.match.params.release as string, query: req.query });
  return {
    "packages.collection": {
      GET: list(listPackages),
      POST: write((ctx, _req, document) => createPackage(ctx, { document })),
    },
    "packages.one": {
      GET: (ctx, req) => retrievePackage(ctx, { id: req.match.params.id as string }),
      PATCH: write((ctx, req, document) => updatePackage(ctx, { id: req.match.params.id as string, document })),
      DELETE: write((ctx, req) => deletePackage(ctx, { id: req.match.params.id as string })),
    },
    "releases.collection": {
      GET: list(listReleases),
      POST: write((ctx, _req, document) => createRelease(ctx, { document })),
    },
    "releases.one": {
      GET: (ctx, req) => retrieveRelease(ctx, release(req)),
      PATCH: write((ctx, req, document) => updateRelease(ctx, { ...release(req), document })),
      DELETE: write((ctx, req) => deleteRelease(ctx, release(req))),
    },
    "releases.publish": { POST: write((ctx, req, document) => publishRelease(ctx, { ...release(req), document })) },
    "releases.yank": { POST: write((ctx, req, document) => yankRelease(ctx, { ...release(req), document })) },
    "releases.constraints": {
      POST: write((ctx, req, document) => attachConstraints(ctx, { ...release(req), document })),
      DELETE: write((ctx, req, document) => detachConstraints(ctx, { ...release(req), document })),
    },
    "releases.package": { PUT: write((ctx, req, document) => changeReleasePackage(ctx, { ...release(req), document })) },
    "artifacts.collection": {
      GET: list(listArtifacts),
      POST: write((ctx, req, document) => createArtifact(ctx, { document, headers: req.headers, query: req.query })),
    },
    "artifacts.download": {
      PATCH: write((ctx, req, document) => updateArtifact(ctx, { id: artifactId(req), query: req.query, document })),
      DELETE: write((ctx, req) => deleteArtifact(ctx, { id: artifactId(req), query: req.query })),
    },
    "artifacts.confirm": {
      POST: (ctx, req) => {
        cancelBody(req);
        return confirmArtifact(writable(req, ctx), { id: req.match.params.id as string, query: req.query, maxNpmTarballBytes: maxTarballBytes(options.npm?.maxPublishBytes) });
      },
    },
    "artifacts.parts": {
      GET: (ctx, req) => listUploadParts(writable(req, ctx), { id: req.match.params.id as string, query: req.query }),
      POST: write((ctx, req, document) => presignUploadParts(ctx, { id: req.match.params.id as string, query: req.query, document })),
    },
  };
}
