import type { SignalProtocol } from "../../signalling/types.js";

/** The far peer to connect to through the user's own signalling (WHIP or Pipecat). */
export interface RemoteTarget {
  url: string;
  protocol: SignalProtocol;
  token?: string;
  headers?: Record<string, string>;
  trickle?: boolean;
}
