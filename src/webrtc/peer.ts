import type { RTCIceServerLike } from "../config/types.js";

export type Werift = typeof import("werift");
export type PeerConnection = InstanceType<Werift["RTCPeerConnection"]>;
export type DataChannel = ReturnType<PeerConnection["createDataChannel"]>;
type PeerConfig = NonNullable<ConstructorParameters<Werift["RTCPeerConnection"]>[0]>;

/** werift costs ~200 ms to import; only the phases that open peer connections pay for it. */
export function loadWerift(): Promise<Werift> {
  return import("werift");
}

export interface PeerSetup {
  iceServers: readonly RTCIceServerLike[];
  /** Gather only relay candidates (needs a TURN URL with credentials). */
  relayOnly?: boolean;
  /** Extra trust anchor for turns: certificates. */
  tlsCa?: string | Buffer;
}

export interface Peer {
  pc: PeerConnection;
  /**
   * Call once the ICE transports exist (after createDataChannel/addTransceiver on the offerer, after
   * setRemoteDescription on the answerer) and before gathering starts.
   */
  prepareGathering(): void;
}

function hasStunUrl(servers: readonly RTCIceServerLike[]): boolean {
  return servers.some((s) => s.urls.some((u) => /^stuns?:/i.test(u.trim())));
}

export async function createPeer(setup: PeerSetup): Promise<Peer> {
  const { RTCPeerConnection } = await loadWerift();
  const config: Partial<PeerConfig> = {
    iceServers: setup.iceServers.map((s) => ({ ...s })) as PeerConfig["iceServers"],
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
      if (noStun) for (const transport of iceTransports(pc)) transport.connection.stunServer = undefined;
    },
  };
}

interface WeriftIceTransport {
  connection: { stunServer?: unknown; protocols?: { turn?: WeriftTurnClient }[] };
}

interface WeriftTurnClient {
  server: unknown;
  transport?: { type?: string };
  request(message: unknown, address: unknown): Promise<unknown>;
}

function iceTransports(pc: PeerConnection): WeriftIceTransport[] {
  return (pc as unknown as { iceTransports?: WeriftIceTransport[] }).iceTransports ?? [];
}

function turnClients(pc: PeerConnection): WeriftTurnClient[] {
  try {
    return iceTransports(pc)
      .flatMap((t) => t.connection.protocols ?? [])
      .flatMap((p) => (p.turn ? [p.turn] : []));
  } catch {
    return [];
  }
}

/** The transport werift really used towards TURN: it falls back from UDP to TCP without telling. */
export function relayTransportOf(pc: PeerConnection): "udp" | "tcp" | "tls" | undefined {
  const type = turnClients(pc)[0]?.transport?.type;
  return type === "udp" || type === "tcp" || type === "tls" ? type : undefined;
}

/** werift 0.24 never releases its allocations; left alone they count against the TURN quota for 10 minutes. */
async function releaseAllocations(pc: PeerConnection, boundMs: number): Promise<void> {
  const clients = turnClients(pc);
  if (clients.length === 0) return;
  const { Message, methods, classes } = await loadWerift();
  await Promise.all(
    clients.map((turn) => {
      const refresh = new Message(methods.REFRESH, classes.REQUEST).setAttribute("LIFETIME", 0);
      return bounded(turn.request(refresh, turn.server), boundMs).catch(() => false);
    }),
  );
}

/** Releases TURN allocations, then closes; never throws and never waits longer than the bounds. */
export async function closePeer(pc: PeerConnection, boundMs = 2000): Promise<void> {
  await releaseAllocations(pc, boundMs).catch(() => undefined);
  await bounded(pc.close(), boundMs).catch(() => false);
}

/** Resolves true when the work finished in time, false when the bound came first. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
