import type { RTCIceServerLike } from "../config/types.js";
import { bounded } from "./bounded.js";
import { browserLikeDtls, holdEarlyDtls } from "./browser-like-dtls.js";
import { parseCertificateOnce } from "./certificate-once.js";
import { decodeDtlsKeyOnce } from "./dtls-signing.js";
import { nativeX25519ForWerift } from "./native-x25519.js";
import { numberChannelsBeforeStart } from "./sctp-before-start.js";
import { partialReliability } from "./partial-reliability.js";
import { browserSctpTimers } from "./sctp-timers.js";
import { closeLateProtocols, closeTransportsOfFailedAllocations, disableNagle, guardReconnects, iceTransportsOf, releaseAllocations, stopRefreshOnClose } from "./turn-allocations.js";
import type { PeerConfig, PeerConnection, Werift } from "./types.js";

export type { DataChannel, PeerConnection, Werift } from "./types.js";

/** werift costs ~200 ms to import; only the phases that open peer connections pay for it. */
export async function loadWerift(): Promise<Werift> {
  const werift = await import("werift");
  const classes = werift as unknown as {
    TurnProtocol?: Parameters<typeof closeTransportsOfFailedAllocations>[0] & Parameters<typeof stopRefreshOnClose>[0];
    Message?: Parameters<typeof stopRefreshOnClose>[1];
    RTCDtlsTransport?: Parameters<typeof browserLikeDtls>[0];
    RTCSctpTransport?: Parameters<typeof browserSctpTimers>[0] & Parameters<typeof numberChannelsBeforeStart>[0] & Parameters<typeof partialReliability>[0];
    CipherContext?: Parameters<typeof decodeDtlsKeyOnce>[0] & Parameters<typeof parseCertificateOnce>[0];
    RTCCertificate?: Parameters<typeof parseCertificateOnce>[1];
  };
  closeTransportsOfFailedAllocations(classes.TurnProtocol);
  stopRefreshOnClose(classes.TurnProtocol, classes.Message);
  // A check with many relay paths is CPU-bound; these two were a third of a connection's CPU.
  nativeX25519ForWerift();
  decodeDtlsKeyOnce(classes.CipherContext);
  parseCertificateOnce(classes.CipherContext, classes.RTCCertificate);
  // On lossy, reordering paths werift's DTLS and SCTP lose handshakes a browser completes.
  browserLikeDtls(classes.RTCDtlsTransport);
  browserSctpTimers(classes.RTCSctpTransport);
  numberChannelsBeforeStart(classes.RTCSctpTransport);
  // The quality flood's channel must lose what the path loses, as a browser's unreliable one does.
  partialReliability(classes.RTCSctpTransport);
  return werift;
}

export interface PeerSetup {
  iceServers: readonly RTCIceServerLike[];
  /**
   * Gather only relay candidates (needs a TURN URL with credentials): werift then skips host and
   * STUN gathering entirely (ice.js getCandidatePromises: gatherRelayOnly).
   */
  relayOnly?: boolean;
  /** Extra trust anchor for turns: certificates; without it werift trusts only the system store, like a browser. */
  tlsCa?: string | Buffer;
}

export interface Peer {
  pc: PeerConnection;
  /**
   * Call once the ICE transports exist (after createDataChannel/addTransceiver on the offerer, after
   * setRemoteDescription on the answerer) and before gathering starts.
   */
  prepareGathering(): void;
  /** Call once gathering has finished (setLocalDescription resolved): tunes the sockets werift opened. */
  gathered(): void;
}

function hasStunUrl(servers: readonly RTCIceServerLike[]): boolean {
  return servers.some((s) => s.urls.some((u) => /^stuns?:/i.test(u.trim())));
}

/** The one place rtc-doctor makes a werift peer connection. */
export async function createPeer(setup: PeerSetup): Promise<Peer> {
  const { RTCPeerConnection } = await loadWerift();
  const config: Partial<PeerConfig> = {
    iceServers: setup.iceServers.map((s) => ({ ...s, urls: [...s.urls] })) as PeerConfig["iceServers"],
    iceTransportPolicy: setup.relayOnly ? "relay" : "all",
  };
  if (setup.tlsCa) config.turnTlsOptions = { ca: setup.tlsCa } as PeerConfig["turnTlsOptions"];
  const pc = new RTCPeerConnection(config);
  const noStun = !hasStunUrl(setup.iceServers);
  return {
    pc,
    prepareGathering() {
      // werift queries stun.l.google.com whenever no STUN URL is configured (ice.js constructor).
      // A peer configured without STUN must gather host (and relay) candidates only, as a browser
      // would, and must not send traffic to a public server nobody asked for.
      if (noStun) for (const transport of iceTransportsOf(pc)) transport.connection.stunServer = undefined;
      holdEarlyDtls(pc);
    },
    gathered() {
      disableNagle(pc);
      guardReconnects(pc);
    },
  };
}

/** Releases TURN allocations, then closes; never throws and never waits longer than the bounds. */
export async function closePeer(pc: PeerConnection, boundMs = 2000): Promise<void> {
  guardReconnects(pc);
  await releaseAllocations(pc, boundMs).catch(() => undefined);
  await bounded(pc.close(), boundMs).catch(() => false);
  closeLateProtocols(pc);
}
