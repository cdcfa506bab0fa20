import type { Message } from "./message.js";
import type { TransportAddress } from "../facts/common.js";

/** A STUN transaction that got an answer (success or error class). */
export interface TransactionResult {
  response: Message;
  /** Where the answer came from (differs from the destination in RFC 5780 tests). */
  from: TransportAddress;
  /** From the last transmission to the answer: RFC 6298's rule against counting a retransmit's RTT twice is moot here, only one answer counts. */
  rttMs: number;
  retransmissions: number;
}

export interface RequestOptions {
  /** Overall bound for this transaction. */
  timeoutMs: number;
  /** UDP only: first retransmission timeout, doubled after each send (RFC 5389 section 7.2.1). */
  initialRtoMs?: number;
  /** UDP only: sends in all, including the first (RFC 5389's Rc is 7). */
  maxAttempts?: number;
  /** UDP only: accept the answer from any source address, as RFC 5780 CHANGE-REQUEST answers come from elsewhere. */
  acceptAnySource?: boolean;
  /** UDP only: ends the wait early, as a timeout (the caller learned that no answer is coming). */
  signal?: AbortSignal;
}

/** Datagrams from the server that answered nothing: not STUN at all, or STUN for no request of ours. */
export interface StrayReplies {
  notStun: number;
  unknownTransaction: number;
  /** Copies of answers already received, beyond one per request sent (see StunChannel.duplicateReplies). */
  duplicates?: number;
}

/** No answer within the bound. Carries how often the request was sent, and what came instead. */
export class StunTimeoutError extends Error {
  override readonly name = "StunTimeoutError";
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly stray?: StrayReplies,
  ) {
    super(`no answer after ${attempts} ${attempts === 1 ? "try" : "tries"} in ${Math.round(elapsedMs)} ms`);
  }
}

/** What each OS error on a connected UDP socket says came back: Linux reports only these ICMP errors there. */
const ICMP_WORDS: Record<string, string> = {
  ECONNREFUSED: "ICMP port unreachable",
  EHOSTUNREACH: "ICMP destination unreachable, communication prohibited",
  ENETUNREACH: "ICMP network prohibited",
  EHOSTDOWN: "ICMP host unknown",
  ENOPROTOOPT: "ICMP protocol unreachable",
};

/** The OS error codes that mean an ICMP error came back for a connected UDP socket's datagram. */
export function isIcmpErrorCode(code: string | undefined): boolean {
  return code !== undefined && code in ICMP_WORDS;
}

/**
 * UDP only: an ICMP error came back for the request (seen on a connected socket). Unlike silence it
 * is an answer: from the destination host (nothing listens on the port) or from a router or firewall
 * on the path. It ends the transaction at once; carries how often the request was sent by then.
 */
export class StunIcmpError extends Error {
  override readonly name = "StunIcmpError";
  constructor(
    /** ECONNREFUSED (port unreachable), EHOSTUNREACH or ENETUNREACH (prohibited), ... */
    readonly code: string,
    readonly attempts: number,
    readonly elapsedMs: number,
  ) {
    super(`${ICMP_WORDS[code] ?? "ICMP error"} (${code}) after ${attempts} ${attempts === 1 ? "send" : "sends"} in ${Math.round(elapsedMs * 10) / 10} ms`);
  }
}

/** The connection under a stream transaction failed (refused, reset, TLS). */
export class StunTransportError extends Error {
  override readonly name = "StunTransportError";
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A way to run STUN transactions with one server, whatever the transport. */
export interface StunChannel {
  readonly transport: "udp" | "tcp" | "tls";
  readonly localAddress: TransportAddress | undefined;
  request(message: Message, options: RequestOptions): Promise<TransactionResult>;
  /** UDP only: answers beyond one per request sent, so far (late copies of answers already received). */
  duplicateReplies?(): number;
  close(): void;
}
