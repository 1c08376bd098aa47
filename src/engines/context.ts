/**
 * @module engines/context — what every engine function receives: the store, the caller and the request's shape.
 */
import type { Principal } from "../access/principal.js";
import type { Account } from "../model/records.js";
import type { Scope } from "../access/scope.js";
import type { Store } from "../store/types.js";
import type { Emit } from "./publish/events.js";
import type { Urls } from "./urls.js";

/** Per-request context of an engine call: `(ctx, input)` is every engine's signature. */
export interface EngineContext {
  store: Store;
  /** The request's instant; every expiry and window is judged against it. */
  now: Date;
  account: Account;
  principal: Principal;
  /** What lists show the caller. */
  scope: Scope;
  /** What single lookups find for the caller (blocked licenses included, so a 403 can say why). */
  lookupScope: Scope;
  /** Origin for absolute URLs: `scheme://host[:port]`, or a configured base URL (no trailing slash). */
  origin: string;
  /** Where emitted links point (default: Keygen's `/v1/accounts/<account>/…` layout, see `createUrls`). */
  urls?: Urls;
  /** Reports an event (a download, an upgrade, a committed change) to the host's hook; absent when there is none. */
  emit?: Emit;
}
