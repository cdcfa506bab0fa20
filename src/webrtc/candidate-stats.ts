import type { CandidateFact, CandidateType } from "../facts/candidates.js";
import type { CandidatePairFact, PairState } from "../facts/session.js";
import { classifyAddress, familyOf } from "../net/address-class.js";

const TYPES = new Set<string>(["host", "srflx", "prflx", "relay"]);

function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function port(value: unknown): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== null && value !== "" && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/**
 * One RTCIceCandidateStats entry (werift's getStats() or a webrtc-internals dump, which share the
 * W3C names) as a candidate fact; undefined for an entry that is not a usable candidate. An empty
 * address (Chrome under mDNS) gives address "" with addressClass "hidden". Stats carry
 * `relayProtocol` only in browsers; werift's caller passes the transport it really used instead.
 * Pure and werift-free, so `explain` can use it without loading the stack.
 */
export function candidateFromStats(stats: Record<string, unknown> | undefined, relayTransport?: "udp" | "tcp" | "tls"): CandidateFact | undefined {
  if (!stats) return undefined;
  const address = text(stats["address"]) || text(stats["ip"]);
  const type = text(stats["candidateType"]);
  const protocol = text(stats["protocol"]).toLowerCase();
  if (!TYPES.has(type) || (protocol !== "udp" && protocol !== "tcp")) return undefined;
  const family = familyOf(address);
  const tcpType = text(stats["tcpType"]);
  const reported = text(stats["relayProtocol"]).toLowerCase();
  const relayProtocol = reported === "udp" || reported === "tcp" || reported === "tls" ? reported : relayTransport;
  const relatedAddress = text(stats["relatedAddress"]);
  const relatedPort = port(stats["relatedPort"]);
  return {
    type: type as CandidateType,
    protocol,
    address,
    port: port(stats["port"]) ?? 0,
    component: 1,
    ...(tcpType === "active" || tcpType === "passive" || tcpType === "so" ? { tcpType } : {}),
    ...(relatedAddress ? { relatedAddress } : {}),
    ...(relatedAddress && relatedPort !== undefined ? { relatedPort } : {}),
    // Chrome gives "" for a candidate it knows only by an mDNS name: the pair is still evidence.
    addressClass: address ? classifyAddress(address) : "hidden",
    ...(family ? { family } : {}),
    ...(type === "relay" && relayProtocol ? { relayProtocol } : {}),
  };
}

const PAIR_STATES = new Set<string>(["frozen", "waiting", "in-progress", "succeeded", "failed"]);
const COUNTERS = ["requestsSent", "responsesReceived", "requestsReceived", "responsesSent", "bytesSent", "bytesReceived"] as const;

function count(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.max(0, Math.round(n)) : undefined;
}

/**
 * One RTCIceCandidatePairStats entry as a pair fact, its ends already converted with
 * candidateFromStats; undefined for a pair without both ends or with a state the spec does not name.
 * Counters are kept only when the entry has them.
 */
export function pairFromStats(
  stats: Record<string, unknown>,
  local: CandidateFact | undefined,
  remote: CandidateFact | undefined,
  selected: boolean,
): CandidatePairFact | undefined {
  const state = text(stats["state"]);
  if (!local || !remote || !PAIR_STATES.has(state)) return undefined;
  const counters: Partial<Record<(typeof COUNTERS)[number], number>> = {};
  for (const key of COUNTERS) {
    const n = count(stats[key]);
    if (n !== undefined) counters[key] = n;
  }
  // werift counts a transaction once in requestsSent and its resends apart; browsers have no such field.
  const resent = count(stats["retransmissionsSent"]);
  if (resent !== undefined && counters.requestsSent !== undefined) counters.requestsSent += resent;
  return { state: state as PairState, nominated: stats["nominated"] === true, selected, local, remote, ...counters };
}
