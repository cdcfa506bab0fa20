import type { IceServerTarget, RTCIceServerLike } from "./types.js";

/**
 * The RTCIceServer list a peer connection is given for these targets: one entry per URL, with the
 * credentials only where the target has them (STUN targets never carry any). Every place that hands
 * targets to a peer, or to a client through signalling, goes through here.
 */
export function toRTCIceServers(targets: readonly IceServerTarget[]): RTCIceServerLike[] {
  return targets.map((t) => ({
    urls: [t.url.raw],
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.credential !== undefined ? { credential: t.credential } : {}),
  }));
}
