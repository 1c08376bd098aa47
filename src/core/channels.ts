/**
 * @module core/channels — which release channels an upgrade on a channel may pick (Keygen's channel matrix).
 */
import type { Channel } from "./version.js";

/** Channels a release may upgrade to, by requested channel; any other channel allows none. */
export const CHANNEL_MATRIX: Readonly<Record<Channel, readonly Channel[]>> = Object.freeze({
  stable: ["stable"],
  rc: ["stable", "rc"],
  beta: ["stable", "rc", "beta"],
  alpha: ["stable", "rc", "beta", "alpha"],
  dev: ["dev"],
});

/** The candidate channels for a requested channel; [] for a channel Keygen does not know (e.g. `edge`). */
export function upgradeChannels(channel: string): readonly Channel[] {
  return Object.prototype.hasOwnProperty.call(CHANNEL_MATRIX, channel) ? CHANNEL_MATRIX[channel as Channel] : [];
}

