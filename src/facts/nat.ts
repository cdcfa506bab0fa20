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
  /**
   * An ICMP error came back instead of an answer: port unreachable (nothing listens there, or a
   * firewall that answers like a closed port), or communication prohibited (a router's or firewall's refusal).
   */
  icmp?: "port-unreachable" | "prohibited";
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
  /** Binding lifetime in seconds (a lower bound), only when the lifetime was measured. */
  bindingLifetimeSec?: number;
  /** The shortest idle time tried after which the binding was gone, when one was. */
  bindingExpiredWithinSec?: number;
  /** Multi-server method: how many rounds ran, how many were conclusive, in how many the mapped address changed. */
  mappingRounds?: { total: number; conclusive: number; differing: number };
  durationMs: number;
  /** Why parts of the classification are what they are, or unknown; rules and renderers say them in words. */
  reasons?: NatReason[];
  /** Prose written by versions before `reasons`; no longer written, still read from older reports. */
  note?: string;
  tests: NatTest[];
}

/** Why a NAT classification came out as it did; facts only, no advice. */
export type NatReason =
  /** No STUN server reachable over UDP was configured: nothing could be tested. */
  | "no-udp-server"
  /** No configured server answered a Binding request over UDP. */
  | "no-udp-answer"
  /** No server answered over UDP, and at least one refused with ICMP port unreachable instead of staying silent. */
  | "udp-refused"
  /** The server saw this host's own address. */
  | "no-nat"
  /** No NAT, but unsolicited inbound UDP is filtered as a NAT would. */
  | "stateful-firewall"
  /** The RFC 5780 mapping tests against the server's other address got no usable answer. */
  | "mapping-tests-unanswered"
  /** The RFC 5780 server did not answer CHANGE-REQUEST from the address it announced. */
  | "filtering-tests-unanswered"
  /** Only one STUN address answered and it does not support RFC 5780. */
  | "single-server"
  /** The multi-server rounds did not agree. */
  | "mapping-inconclusive"
  /** Dependence on the destination port alone was not tested (needs two servers on one IP). */
  | "port-dependence-not-tested"
  /** No answering server supports RFC 5780, so the filtering was not tested. */
  | "filtering-not-tested"
  /** A server announced an OTHER-ADDRESS differing only in port or only in IP, so it served as plain STUN. */
  | "other-address-unusable"
  /** The binding lifetime was asked for, but no RFC 5780 server was configured. */
  | "lifetime-needs-rfc5780"
  /** The server ignored RESPONSE-PORT, so the lifetime could not be measured. */
  | "lifetime-response-port-ignored"
  /** The lifetime test got no binding to wait on (the server stopped answering). */
  | "lifetime-no-binding";
