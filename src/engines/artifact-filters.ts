/**
 * @module engines/artifact-filters — the filters of `GET /artifacts/{id}` as Keygen's
 * ReleaseArtifactsController applies them (before the lookup): `product`,
 * `release`, `package`, `engine`, `channel`, `platform`, `arch`, `filetype`, `status`. A filter that
 * names nothing makes the lookup find nothing (404), as Keygen's scopes do.
 */
import { upgradeChannels } from "../core/channels.js";
import { isUuid } from "../core/uuid.js";
import type { ArtifactLookupFilter } from "../store/types.js";
import type { EngineContext } from "./context.js";

/** Keygen's has_scope ignores blank values of these (no `allow_blank`). */
const IGNORE_BLANK = ["product", "release", "channel", "status"] as const;
/** Blank means "has none" for these (`allow_blank: true`, `v.presence` → `where.missing`). */
const BLANK_IS_NONE = ["platform", "arch", "filetype"] as const;

/**
 * The lookup filter a query names: undefined when it names none, null when it names something the
 * account does not have (so nothing can match).
 */
export async function artifactLookupFilter(ctx: EngineContext, query: URLSearchParams): Promise<ArtifactLookupFilter | null | undefined> {
  const given = (name: string): string | undefined => {
    const value = query.get(name);
    return value === null ? undefined : value;
  };
  const filter: ArtifactLookupFilter = {};
  let any = false;
  const [product, release, channel, status] = IGNORE_BLANK.map((n) => {
    const v = given(n)?.trim();
    return v === undefined || v === "" ? undefined : v;
  });
  if (product !== undefined) {
    any = true;
    const found = await ctx.store.getProduct(ctx.account.id, product);
    if (found === null) return null;
    filter.productId = found.id;
  }
  if (release !== undefined) {
    // `for_release` matches the release's id only.
    any = true;
    if (!isUuid(release)) return null;
    filter.releaseId = release.toLowerCase();
  }
  if (channel !== undefined) {
    any = true;
    const channels = upgradeChannels(channel);
    if (channels.length === 0) return null;
    filter.channels = channels;
  }
  if (status !== undefined) {
    any = true;
    filter.status = status.toUpperCase() as ArtifactLookupFilter["status"] & string;
  }
  const pkg = given("package");
  if (pkg !== undefined) {
    any = true;
    if (pkg.trim() === "") filter.packageId = null;
    else {
      const found = await ctx.store.getPackage(ctx.account.id, pkg);
      if (found === null) return null;
      filter.packageId = found.id;
    }
  }
  const engine = given("engine");
  if (engine !== undefined) {
    any = true;
    if (engine.trim() === "") filter.engine = null;
    else {
      const found = await ctx.store.getEngine(ctx.account.id, engine, ctx.lookupScope);
      if (found === null) return null;
      filter.engine = found.key;
    }
  }
  for (const name of BLANK_IS_NONE) {
    const value = given(name);
    if (value === undefined) continue;
    any = true;
    const key = value.toLowerCase().trim();
    filter[name] = key === "" ? null : name === "filetype" ? key.replace(/^\./, "") : key;
  }
  return any ? filter : undefined;
}
