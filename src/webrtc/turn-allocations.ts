import { bounded } from "./bounded.js";
import type { PeerConnection } from "./types.js";

/** werift's inner ICE objects; none of them is exported API, so everything here reads them defensively. */
interface WeriftIceTransport {
  connection: { stunServer?: unknown; protocols?: { turn?: WeriftTurnClient; close?(): Promise<unknown> }[] };
}

interface WeriftTurnClient {
  server: unknown;
  transport?: { type?: string; stream?: WeriftStream };
  request(message: unknown, address: unknown): Promise<unknown>;
}

/** werift's StreamTransport under TURN over TCP/TLS: reconnects by itself when the server closes. */
interface WeriftStream {
  client?: { setNoDelay?(noDelay: boolean): unknown };
  connecting?: Promise<void>;
  connect?: () => void;
  rtcDoctorGuarded?: boolean;
}

export function iceTransportsOf(pc: PeerConnection): WeriftIceTransport[] {
  return (pc as unknown as { iceTransports?: WeriftIceTransport[] }).iceTransports ?? [];
}

function turnClients(pc: PeerConnection): WeriftTurnClient[] {
  try {
    return iceTransportsOf(pc)
      .flatMap((t) => t.connection.protocols ?? [])
      .flatMap((p) => (p.turn ? [p.turn] : []));
  } catch {
    return [];
  }
}

/**
 * The transport werift really used towards TURN: it falls back from UDP to TCP without telling.
 * Read it before the peer closes, which drops the clients.
 */
export function relayTransportOf(pc: PeerConnection): "udp" | "tcp" | "tls" | undefined {
  const type = turnClients(pc)[0]?.transport?.type;
  return type === "udp" || type === "tcp" || type === "tls" ? type : undefined;
}

/** werift 0.24 never releases its allocations; left alone they count against the TURN quota for 10 minutes. */
export async function releaseAllocations(pc: PeerConnection, boundMs: number): Promise<void> {
  const clients = turnClients(pc);
  if (clients.length === 0) return;
  const { Message, methods, classes } = await import("werift");
  await Promise.all(
    clients.map((turn) => {
      const refresh = new Message(methods.REFRESH, classes.REQUEST).setAttribute("LIFETIME", 0);
      return bounded(turn.request(refresh, turn.server), boundMs).catch(() => false);
    }),
  );
}

/**
 * werift opens TURN's TCP and TLS sockets with Nagle's algorithm on: each small DTLS or SCTP flight
 * then waits for the previous one's delayed ACK, which adds ~130 ms to a TURN/TCP connection on
 * loopback (and more on a real path) that a browser does not have. Switched off once the sockets exist.
 */
export function disableNagle(pc: PeerConnection): void {
  for (const turn of turnClients(pc)) {
    try {
      turn.transport?.stream?.client?.setNoDelay?.(true);
    } catch {
      // A socket that closed meanwhile has nothing left to tune.
    }
  }
}

/**
 * When a TURN server closes a TCP/TLS connection, werift reconnects at once and keeps the attempt's
 * promise to itself: if the server is gone (refused, reset) nobody is listening for the rejection
 * and Node ends the process on it (../shared/notes/werift.md). Every such attempt gets a listener;
 * a send that waits on it still sees the failure.
 */
export function guardReconnects(pc: PeerConnection): void {
  for (const turn of turnClients(pc)) {
    const stream = turn.transport?.stream;
    if (!stream || stream.rtcDoctorGuarded || typeof stream.connect !== "function") continue;
    const reconnect = stream.connect.bind(stream);
    const quiet = () => void stream.connecting?.catch(() => undefined);
    stream.connect = () => {
      reconnect();
      quiet();
    };
    stream.rtcDoctorGuarded = true;
    quiet();
  }
}

/**
 * werift's TURN gathering goes on after the peer is closed: a UDP TURN URL that timed out falls
 * back to TCP seconds later and adds the new TURN connection to the closed peer, where nothing
 * closes it (and its reconnects end the process once the server is gone). Once the peer is closed,
 * whatever werift adds is closed on arrival.
 */
export function closeLateProtocols(pc: PeerConnection): void {
  for (const transport of iceTransportsOf(pc)) {
    const late: NonNullable<WeriftIceTransport["connection"]["protocols"]> = [];
    late.push = (...protocols) => {
      for (const protocol of protocols) void protocol.close?.().catch(() => undefined);
      return 0;
    };
    transport.connection.protocols = late;
  }
}

interface TurnProtocolClass {
  prototype: { connectionMade(this: { transport?: { close?(): Promise<unknown> } }): Promise<void>; rtcDoctorClosesOnFailure?: boolean };
}

/**
 * When werift's Allocate fails (a timeout under load, an error reply), werift drops the TURN client
 * and falls back or gives up, but the socket it opened for it stays open: a UDP socket on 0.0.0.0 that
 * keeps a process alive after check() returned, and a file descriptor lost per failure in a
 * long-running process. A failed Allocate closes its own transport. Applied once per process.
 */
export function closeTransportsOfFailedAllocations(turnProtocol: TurnProtocolClass | undefined): void {
  const proto = turnProtocol?.prototype;
  if (!proto || proto.rtcDoctorClosesOnFailure || typeof proto.connectionMade !== "function") return;
  const connectionMade = proto.connectionMade;
  proto.connectionMade = async function (this: { transport?: { close?(): Promise<unknown> } }) {
    try {
      await connectionMade.call(this);
    } catch (error) {
      await Promise.resolve(this.transport?.close?.()).catch(() => undefined);
      throw error;
    }
  };
  proto.rtcDoctorClosesOnFailure = true;
}

interface RefreshingTurnProtocol {
  server: unknown;
  refresh?: (lifetimeSeconds: number) => void;
  refreshHandle?: { resolve?(): void };
  requestWithRetry?(request: unknown, address: unknown): Promise<[{ getAttributeValue(name: string): unknown }, unknown]>;
}

interface RefreshableTurnProtocolClass {
  prototype: { connectionMade(this: RefreshingTurnProtocol): Promise<void>; rtcDoctorStopsRefreshOnClose?: boolean };
}

interface StunMessageClass {
  new (method: number, messageClass: number): { setAttribute(name: string, value: unknown): unknown };
}

const REFRESH = 0x004;
const REQUEST = 0x000;

/**
 * werift's allocation refresh loop sleeps 5/6 of the lifetime (500 s for coturn's 600 s) on a timer
 * that close() cannot cancel: every closed relay peer stays in memory that long, and a program that
 * calls check() does not exit for eight minutes. The same refresh, on a timer that close() clears
 * and that never keeps the process alive on its own. Applied once per process.
 */
export function stopRefreshOnClose(turnProtocol: RefreshableTurnProtocolClass | undefined, message: StunMessageClass | undefined): void {
  const proto = turnProtocol?.prototype;
  if (!proto || !message || proto.rtcDoctorStopsRefreshOnClose || typeof proto.connectionMade !== "function") return;
  const connectionMade = proto.connectionMade;
  proto.connectionMade = function (this: RefreshingTurnProtocol) {
    if (typeof this.requestWithRetry === "function") this.refresh = (lifetime) => refreshUntilClosed(this, message, lifetime);
    return connectionMade.call(this);
  };
  proto.rtcDoctorStopsRefreshOnClose = true;
}

function refreshUntilClosed(turn: RefreshingTurnProtocol, message: StunMessageClass, lifetimeSeconds: number): void {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (lifetime: number) => {
    if (closed || !(lifetime > 0)) return;
    timer = setTimeout(() => void renew(lifetime), (5 / 6) * lifetime * 1000);
    timer.unref();
  };
  const renew = async (lifetime: number) => {
    const request = new message(REFRESH, REQUEST);
    request.setAttribute("LIFETIME", lifetime);
    try {
      const [reply] = await turn.requestWithRetry!(request, turn.server);
      const granted = reply.getAttributeValue("LIFETIME");
      schedule(typeof granted === "number" ? granted : lifetime);
    } catch {
      // As werift does: a failed refresh is tried again after the same interval.
      schedule(lifetime);
    }
  };
  turn.refreshHandle = {
    resolve: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
  schedule(lifetimeSeconds);
}
