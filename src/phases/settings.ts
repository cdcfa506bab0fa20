import type { LoopbackQuality, RemoteTarget } from "../probes/connect/types.js";

/** What the default phases need from a check's options, resolved once with their defaults. */
export interface PhaseSettings {
  /** Bound on each probe step (DNS, connect, one transaction, one gathering). */
  timeoutMs: number;
  /** Bound on ICE + DTLS + data channel of one connection attempt. */
  connectTimeoutMs: number;
  /** Bound on each request to the signalling URL. */
  signalTimeoutMs: number;
  tlsCa?: string | Buffer;
  natLifetime?: boolean;
  /** The clock TURN REST expiries are read against. */
  startedAt: Date;
  /** Which phases run at all (each defaults to on except remote, which needs a target). */
  gather: boolean;
  nat: boolean;
  loopback: boolean;
  remote?: RemoteTarget;
  /** At most this many connection attempts at once. */
  connectParallelism: number;
  /** Wall time of each connected path's quality flood; 0 skips it. */
  qualityDurationMs: number;
  /**
   * The host and srflx loopbacks never leave this machine: their quality is only the reference a
   * relay or remote path is judged against, so by default they are flooded only when such a path
   * is tried ("with-relays"). "always" floods them too (the exporter's STUN target: its srflx path is the one measured).
   */
  loopbackQuality?: LoopbackQuality;
}
