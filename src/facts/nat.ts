import type { TransportAddress } from "./common.js";

export type NatBehaviour = "endpoint-independent" | "address-dependent" | "address-and-port-dependent" | "unknown";
export type ClassicNatType =
  | "open-internet"
  | "full-cone"
  | "restricted-cone"
  | "port-restricted-cone"
  | "symmetric"
  | "udp-blocked"
  | "unknown";

/** One packet exchange made to classify the NAT: what went where, from which socket, what came back. */
export interface NatTest {
  name: string;
  localAddress?: TransportAddress;
  sentTo: TransportAddress;
  changeRequest?: { ip: boolean; port: boolean };
  /** Where the answer came from, or absent when none came. */
  responseFrom?: TransportAddress;
  mappedAddress?: TransportAddress;
  attempts: number;
  rttMs?: number;
  result: string;
}

export interface NatFact {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  classic: ClassicNatType;
  hairpinning?: boolean;
  portPreserving?: boolean;
  publicAddress?: TransportAddress;
  localAddress?: TransportAddress;
  method: "rfc5780" | "multi-server" | "none";
  /** The STUN server URL(s) the classification used. */
  servers: string[];
  /** Their targets' ids (see ServerFact.id), in the same order. */
  serverIds?: string[];
  /** Binding lifetime in seconds, only with --nat-lifetime. */
  bindingLifetimeSec?: number;
  durationMs: number;
  /** What would settle whatever is "unknown", in words. */
  note?: string;
  tests: NatTest[];
}
