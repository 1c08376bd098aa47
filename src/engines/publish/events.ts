/**
 * @module engines/publish/events — what happened, for a host's `onEvent` hook (Keygen's webhook event
 * names): sent after a change is committed, and for downloads and upgrades; a hook never blocks or
 * fails the request that caused it.
 */
import type { Artifact, Package, Release } from "../../model/records.js";
import { serializeArtifact } from "../artifacts.js";
import { serializeRelease } from "../releases.js";
import { serializePackage } from "./serialize.js";

/** Event names, as Keygen's webhooks name them. */
export type EventType =
  | "package.created"
  | "package.updated"
  | "package.deleted"
  | "release.created"
  | "release.updated"
  | "release.published"
  | "release.yanked"
  | "release.deleted"
  | "release.upgraded"
  | "release.constraints.attached"
  | "release.constraints.detached"
  | "release.package.updated"
  | "artifact.created"
  | "artifact.updated"
  | "artifact.uploaded"
  | "artifact.deleted"
  | "artifact.downloaded";

/** One event: its name, the account, when, and the record as the API serialises it. */
export interface SdkEvent {
  type: EventType;
  accountId: string;
  /** ISO instant of the change (the request's clock). */
  at: string;
  /** The JSON:API resource object of the package, release or artifact (as it was before a delete). */
  data: Record<string, unknown>;
}

/** The hook a host passes as `onEvent`; a returned promise is not awaited. */
export type EventHook = (event: SdkEvent) => void | Promise<void>;

/** Reports an event; engines call it right after the store committed. */
export type Emit = (event: SdkEvent) => void;

/** An event about a release. */
export function releaseEvent(type: EventType, release: Release, at: Date): SdkEvent {
  return { type, accountId: release.accountId, at: at.toISOString(), data: serializeRelease(release, { accountId: release.accountId }) as unknown as Record<string, unknown> };
}

/** An event about an artifact (`artifact.uploaded` is the upload helper's to send, once the bytes are in). */
export function artifactEvent(type: EventType, artifact: Artifact, at: Date): SdkEvent {
  return { type, accountId: artifact.accountId, at: at.toISOString(), data: serializeArtifact(artifact, { accountId: artifact.accountId }) };
}

/** An event about a package. */
export function packageEvent(type: EventType, pkg: Package, at: Date): SdkEvent {
  return { type, accountId: pkg.accountId, at: at.toISOString(), data: serializePackage(pkg, { accountId: pkg.accountId }) as unknown as Record<string, unknown> };
}

/**
 * An {@link Emit} that calls `hook` and can never throw or wait: a synchronous exception or a rejected
 * promise goes to `onError` (when given) and nowhere else.
 */
export function safeEmitter(hook: EventHook | undefined, onError?: (error: unknown) => void): Emit {
  if (hook === undefined) return () => {};
  return (event) => {
    try {
      const out = hook(event);
      if (out !== undefined && typeof (out as Promise<void>).then === "function") {
        (out as Promise<void>).then(undefined, (error: unknown) => {
          try {
            onError?.(error);
          } catch {
            // an onError that throws must not become an unhandled rejection
          }
        });
      }
    } catch (error) {
      try {
        onError?.(error);
      } catch {
        // as above
      }
    }
  };
}

/**
 * Send `artifact.uploaded` for an artifact whose bytes just became UPLOADED: the upload route calls it
 * after `completeArtifact` commits (with the handler's `onEvent` and `onError`); it never throws.
 */
export function emitUploaded(hook: EventHook | undefined, artifact: Artifact, at: Date, onError?: (error: unknown) => void): void {
  safeEmitter(hook, onError)(artifactEvent("artifact.uploaded", artifact, at));
}
