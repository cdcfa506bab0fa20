import type { ProbeError, TransportAddress } from "../facts/common.js";
import type { ServerFact, StunExchange, TlsFact } from "../facts/servers.js";
import type { IceUrl } from "../config/types.js";
import { addressAttribute, errorCodeOf, isSuccess, mappedAddressOf, methods, newRequest, stringAttribute } from "../stun/message.js";
import { UdpStunSocket } from "../stun/udp-socket.js";
import { NotStunError, NotTlsError, openStreamChannel, TcpConnectTimeoutError, TlsHandshakeStalledError } from "../stun/stream-channel.js";
import { StunIcmpError, StunTimeoutError, StunTransportError, type StrayReplies, type StunChannel } from "../stun/transaction.js";
import { tlsFactFrom, tlsHandshakeFailure } from "./tls-certificate.js";
import { probeError } from "../facts/probe-error.js";

/** What a per-server probe adds to its ServerFact. */
export type ProbeOutcome = Partial<
  Pick<
    ServerFact,
    | "rttMs"
    | "retransmissions"
    | "mappedAddress"
    | "relayedAddress"
    | "relayedAddressClass"
    | "requestedFamily"
    | "otherFamilyAllocation"
    | "otherAddress"
    | "allocation"
    | "peerPermissions"
    | "realm"
    | "software"
    | "tls"
    | "strayReplies"
    | "streamConnected"
    | "error"
  >
> & { ok: boolean; exchanges: StunExchange[] };

export interface ChannelOptions {
  timeoutMs: number;
  tlsCa?: string | Buffer;
  /** Wraps the opened channel, e.g. to share the first-contact wait across the run's probes. */
  wrap?: (channel: StunChannel) => StunChannel;
}

export interface OpenedChannel {
  channel: StunChannel;
  tls?: TlsFact;
  /** UDP: late copies of answers so far, beyond one per request sent. */
  duplicateReplies?(): number;
}

/** One channel to the server over the URL's own transport: UDP, TCP, or TLS for stuns:/turns:. */
export async function openChannel(url: IceUrl, remote: TransportAddress, options: ChannelOptions): Promise<OpenedChannel> {
  const wrap = options.wrap ?? ((channel: StunChannel) => channel);
  if (url.transport === "udp") {
    // Connected, so that an ICMP port unreachable ends the probe at once instead of its timeout.
    const socket = await UdpStunSocket.connect(remote).catch((error: NodeJS.ErrnoException) => {
      throw new StunTransportError(error.message, error.code);
    });
    return { channel: wrap(socket.channelTo(remote)), duplicateReplies: () => socket.duplicateRepliesFrom(remote) };
  }
  const channel = await openStreamChannel(remote, {
    transport: url.transport,
    timeoutMs: options.timeoutMs,
    servername: url.host,
    ca: options.tlsCa,
  });
  return { channel: wrap(channel), tls: channel.tls ? tlsFactFrom(channel.tls, url.host) : undefined };
}

function strayWords(stray: StrayReplies): string {
  const parts = [
    ...(stray.notStun > 0 ? [`${stray.notStun} ${stray.notStun === 1 ? "reply" : "replies"} that ${stray.notStun === 1 ? "was" : "were"} not STUN`] : []),
    ...(stray.unknownTransaction > 0 ? [`${stray.unknownTransaction} STUN ${stray.unknownTransaction === 1 ? "reply" : "replies"} to no request of ours (wrong transaction id)`] : []),
  ];
  return parts.join(" and ");
}

/**
 * The counts for the server fact: what a timed-out transaction saw instead of an answer, and the
 * late copies of answers (a server, or a load balancer in front of several, that answers each
 * request many times).
 */
export function strayRepliesWith(stray: StrayReplies | undefined, duplicates: number): StrayReplies | undefined {
  if (duplicates <= 0) return stray;
  return { notStun: stray?.notStun ?? 0, unknownTransaction: stray?.unknownTransaction ?? 0, duplicates };
}

/** The counts a timed-out transaction carries, for the server fact. */
export function strayRepliesOf(error: unknown): StrayReplies | undefined {
  return error instanceof StunTimeoutError ? error.stray : undefined;
}

/** An exchange's outcome when an ICMP error ended it, as its ProbeError code names it. */
export function icmpOutcome(error: StunIcmpError): "port-unreachable" | "network-unreachable" {
  return error.code === "ECONNREFUSED" ? "port-unreachable" : "network-unreachable";
}

/** A failed connect or transaction as the error it was: what was tried, and what the OS or the clock said. */
export function transportFailure(error: unknown, url: IceUrl, phase: "connect" | "request"): ProbeError {
  const where = `${url.host}:${url.port} over ${url.transport.toUpperCase()}`;
  if (error instanceof TcpConnectTimeoutError) {
    return probeError("timeout", `no TCP connection to ${url.host}:${url.port} within ${Math.round(error.elapsedMs)} ms: the SYN got no SYN-ACK`);
  }
  if (error instanceof TlsHandshakeStalledError) return probeError("tls-handshake-stalled", `TLS handshake with ${where} stalled: ${error.message}`);
  if (error instanceof NotTlsError) return probeError("not-tls", `${where}: ${error.message}`);
  if (error instanceof NotStunError) return probeError("malformed-reply", `${where}: ${error.message}`);
  if (error instanceof StunTimeoutError) {
    if (error.stray) return probeError("malformed-reply", `no valid answer from ${where} (${error.message}), but ${strayWords(error.stray)}`);
    if (url.transport === "udp") {
      return probeError("timeout", `no answer from ${where}: ${error.message}`);
    }
    const connection = url.transport === "tls" ? "TCP connection and the TLS handshake" : "TCP connection";
    return probeError("timeout", `${where}: the ${connection} came up, then no answer within ${Math.round(error.elapsedMs)} ms`);
  }
  if (error instanceof StunIcmpError) {
    return probeError(icmpOutcome(error), `${where}: ${error.message}`);
  }
  if (error instanceof StunTransportError) {
    switch (error.code) {
      case "ECONNREFUSED":
        return probeError("connection-refused", `${where}: connection refused (${error.code})`);
      case "ENETUNREACH":
      case "EHOSTUNREACH":
        return probeError("network-unreachable", `${where}: network unreachable (${error.code})`);
    }
    // A TLS connect can fail in many ways (reset, alert, protocol mismatch); all mean no usable TLS session.
    if (url.transport === "tls" && phase === "connect") {
      return tlsHandshakeFailure(error.message.replace(/^TLS handshake failed: /, ""), where);
    }
    if (error.code === "ECONNRESET") return probeError("connection-reset", `${where}: ${error.message}`);
    return probeError("internal-error", `${where}: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return probeError("internal-error", `${where}: ${message}`);
}

/**
 * STUN Binding (RFC 5389) over the URL's transport: our address as the server sees it, the RTT, how
 * many retransmissions it took, and what the server says about itself (SOFTWARE, OTHER-ADDRESS).
 */
export async function probeBinding(url: IceUrl, remote: TransportAddress, options: ChannelOptions): Promise<ProbeOutcome> {
  const exchanges: StunExchange[] = [];
  let opened: OpenedChannel;
  try {
    opened = await openChannel(url, remote, options);
  } catch (error) {
    return { ok: false, exchanges, error: transportFailure(error, url, "connect") };
  }
  const { channel, tls } = opened;
  const connected = url.transport === "udp" ? {} : { streamConnected: true };
  const duplicates = async () => {
    if (!opened.duplicateReplies) return {};
    // Copies that arrived with the answer are already in the socket's buffer: read them before closing.
    await new Promise((resolve) => setImmediate(resolve));
    const stray = strayRepliesWith(undefined, opened.duplicateReplies());
    return stray ? { strayReplies: stray } : {};
  };
  try {
    const result = await channel.request(newRequest(methods.BINDING), { timeoutMs: options.timeoutMs });
    const rttMs = round(result.rttMs);
    const response = result.response;
    if (!isSuccess(response)) {
      const e = errorCodeOf(response);
      exchanges.push({ request: "Binding", outcome: `error ${e?.code ?? "?"} ${e?.reason ?? ""}`.trim(), rttMs, retransmissions: result.retransmissions });
      return {
        ok: false,
        exchanges,
        tls,
        rttMs,
        retransmissions: result.retransmissions,
        ...(await duplicates()),
        software: stringAttribute(response, "SOFTWARE"),
        error: probeError("stun-error", `the server answered the Binding request with error ${e?.code ?? "(no ERROR-CODE)"}${e?.reason ? ` ${e.reason}` : ""}`, {
          stunErrorCode: e?.code,
          stunReason: e?.reason,
        }),
      };
    }
    exchanges.push({ request: "Binding", outcome: "success", rttMs, retransmissions: result.retransmissions });
    const mappedAddress = mappedAddressOf(response);
    return {
      ok: mappedAddress !== undefined,
      exchanges,
      tls,
      rttMs,
      retransmissions: result.retransmissions,
      mappedAddress,
      ...(await duplicates()),
      otherAddress: addressAttribute(response, "OTHER-ADDRESS") ?? addressAttribute(response, "CHANGED-ADDRESS"),
      software: stringAttribute(response, "SOFTWARE"),
      error: mappedAddress ? undefined : probeError("malformed-reply", "the Binding response carries no (XOR-)MAPPED-ADDRESS"),
    };
  } catch (error) {
    const failure = transportFailure(error, url, "request");
    exchanges.push({
      request: "Binding",
      outcome: failure.code === "timeout" ? "timeout" : failure.code,
      retransmissions: error instanceof StunTimeoutError || error instanceof StunIcmpError ? error.attempts - 1 : undefined,
    });
    const stray = strayRepliesOf(error);
    return { ok: false, exchanges, tls, error: failure, ...connected, ...(stray ? { strayReplies: stray } : {}) };
  } finally {
    channel.close();
  }
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
