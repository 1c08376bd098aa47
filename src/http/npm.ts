/**
 * @module http/npm — the npm registry's write routes (`npm publish`, `npm deprecate`, `npm dist-tag`)
 * and its error answers: JSON:API documents that also carry the `error` text npm prints.
 */
import { ValidationError } from "../core/errors.js";
import type { EngineResult } from "../core/result.js";
import type { BlobStorage } from "../blobs/types.js";
import { artifactEvent, releaseEvent } from "../engines/publish/events.js";
import { DEFAULT_MAX_PUBLISH_BYTES } from "../engines/npm/accept.js";
import { addNpmDistTag, listNpmDistTags, npmPut, removeNpmDistTag } from "../engines/npm/publish.js";
import { readCapped } from "./body.js";
import type { RouteRequest } from "./fetch.js";
import type { MethodHandlers } from "./publish.js";
import { errorResult } from "./respond.js";
import type { RouteName } from "./routes.js";

/** What the npm write routes need from the handler's options. */
export interface NpmRouteOptions {
  blobs?: BlobStorage;
  npm?: { maxPublishBytes?: number };
}

async function readJson(req: RouteRequest, limit: number): Promise<unknown> {
  const body = req.request.body;
  if (body === null || body === undefined) return undefined;
  const bytes = await readCapped(body, req.headers, limit);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new ValidationError("The request body is not JSON", { code: "JSON_INVALID", source: { pointer: "" } });
  }
}

/** The npm registry's write routes by name and method. */
export function npmHandlers(options: NpmRouteOptions): Partial<Record<RouteName, MethodHandlers>> {
  const limit = options.npm?.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES;
  return {
    "npm.package": {
      PUT: async (ctx, req) =>
        npmPut(ctx, {
          name: req.match.params.package as string,
          body: await readJson(req, limit),
          blobs: options.blobs,
          onChange: ({ type, release, artifact }) => {
            if (artifact !== undefined) ctx.emit?.(artifactEvent("artifact.uploaded", artifact, ctx.now));
            ctx.emit?.(releaseEvent(type === "published" ? "release.published" : "release.yanked", release, ctx.now));
          },
        }),
    },
    "npm.distTags": {
      GET: (ctx, req) => listNpmDistTags(ctx, { name: req.match.params.package as string }),
      PUT: async (ctx, req) => {
        const input = { name: req.match.params.package as string, body: await readJson(req, 64 * 1024) };
        return addNpmDistTag(ctx, req.match.params.tag === undefined ? input : { ...input, tag: req.match.params.tag });
      },
      DELETE: (ctx, req) => removeNpmDistTag(ctx, req.match.params.tag === undefined ? { name: req.match.params.package as string } : { name: req.match.params.package as string, tag: req.match.params.tag }),
    },
  };
}

/** An error on an npm route: the JSON:API document, with its first detail as `error` (what npm shows after the status). */
export function npmErrorResult(error: unknown, requestId: string): EngineResult {
  const result = errorResult(error, requestId);
  const doc = JSON.parse(result.body as string) as { errors: Array<{ detail?: string; title?: string }> };
  const first = doc.errors[0];
  return { ...result, body: JSON.stringify({ error: first?.detail ?? first?.title ?? "error", ...doc }) };
}
