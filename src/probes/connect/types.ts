import type { IceServerTarget } from "../../config/types.js";
import type { SignalProtocol } from "../../signalling/types.js";

/** One loopback connection path: host candidates, or through one STUN or TURN target. */
export type LoopbackPath =
  | { mode: "loopback-host" }
  | { mode: "loopback-srflx"; stun: IceServerTarget }
  | { mode: "loopback-relay"; turn: IceServerTarget };

/** Whether the host/srflx loopbacks get a quality flood only as the reference for a relay or remote path, or always. */
export type LoopbackQuality = "with-relays" | "always";

/** The far peer to connect to through the user's own signalling (WHIP or Pipecat). */
export interface RemoteTarget {
  url: string;
  protocol: SignalProtocol;
  token?: string;
  headers?: Record<string, string>;
  trickle?: boolean;
  /** Once connected, ask the far end for an ICE restart through the signalling (slower: opt-in). */
  restart?: boolean;
  /** Send Opus audio to the far side and watch for its audio (default true); false offers a data channel only. */
  audio?: boolean;
}
