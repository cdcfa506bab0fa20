import type { PeerConnection } from "./types.js";

/** werift's ICE transport as far as a restart needs it; not exported API, so read defensively. */
interface RestartableIceTransport {
  state?: string;
  connection?: { nominated?: unknown; remoteUsername?: string };
  start?(): Promise<void>;
}

function iceTransports(pc: PeerConnection): RestartableIceTransport[] {
  return (pc as unknown as { iceTransports?: RestartableIceTransport[] }).iceTransports ?? [];
}

/**
 * werift 0.24 takes a restart's new credentials (restartIce, createOffer, the far side's new
 * ufrag/pwd) but then never checks again: its connect() returns early for every transport whose
 * DTLS is already connected (peerConnection.js connect: checkDtlsConnected), so the restarted ICE
 * agent sits with no pair and the call stays dead. A browser keeps DTLS and starts new checks;
 * this does the same by starting each transport that has the far side's credentials and no pair.
 * Call after both descriptions of the restart are applied (on either side). Returns how many
 * transports it started.
 */
export function resumeRestartedIce(pc: PeerConnection): number {
  let started = 0;
  for (const transport of iceTransports(pc)) {
    const connection = transport.connection;
    if (!connection || connection.nominated || !connection.remoteUsername || transport.state === "closed") continue;
    if (typeof transport.start !== "function") continue;
    // A failed start shows as a restart that never reconnects; the caller's bound reports it.
    transport.start().catch(() => undefined);
    started += 1;
  }
  return started;
}

/** The local ICE credentials in a description (the first media section's, or the session's). */
export function iceCredentialsOf(sdp: string): { ufrag: string; pwd: string } | undefined {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const pwd = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
  return ufrag && pwd ? { ufrag, pwd } : undefined;
}

/**
 * The selected pair's consent checks (RFC 7675) so far: requests werift sent and responses it got
 * on that pair. werift exposes neither a "disconnected" state nor a missed-consent event (it only
 * fails the pair after 30 s without an answer), so a watcher compares the two counters.
 */
export function consentCounters(pc: PeerConnection): { pair: unknown; sent: number; answered: number } | undefined {
  const connection = iceTransports(pc)[0]?.connection as { nominated?: { consentRequestsSent?: number; responsesReceived?: number } } | undefined;
  const pair = connection?.nominated;
  if (!pair || typeof pair.consentRequestsSent !== "number" || typeof pair.responsesReceived !== "number") return undefined;
  return { pair, sent: pair.consentRequestsSent, answered: pair.responsesReceived };
}
