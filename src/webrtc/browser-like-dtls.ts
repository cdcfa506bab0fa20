import { packFlights, type WeriftDtlsSendSide } from "./dtls-flight-packing.js";
import { orderHandshakes, type WeriftDtlsSocket } from "./dtls-handshake-order.js";
import type { PeerConnection } from "./types.js";

type DtlsSocket = WeriftDtlsSocket & WeriftDtlsSendSide & { connect?: () => Promise<void>; rtcDoctorConnecting?: Promise<void> };

/** werift's RTCDtlsTransport as far as this needs it; not exported API, read defensively. */
interface WeriftDtlsTransport {
  dtls?: DtlsSocket;
  iceTransport?: { connection?: { onData?: { subscribe(listener: (data: Buffer) => void): { unSubscribe(): void } } } };
  rtcDoctorEarly?: { datagrams: Buffer[]; stop(): void };
}

interface DtlsTransportClass {
  prototype: { start(this: WeriftDtlsTransport): Promise<void>; rtcDoctorBrowserLike?: boolean };
}

/** A far end's first flight is one or two datagrams; retransmissions of it add nothing worth keeping. */
const MAX_EARLY_DATAGRAMS = 4;

const isDtls = (data: Buffer) => data.length > 0 && data[0]! > 19 && data[0]! < 64;

/**
 * werift makes its DTLS socket only once its own ICE side is connected; a DTLS datagram that comes
 * before (the far end is the DTLS client and its ICE connected first, which a browser answering
 * our offer does every time) is dropped, and the handshake waits for the far end's retransmission:
 * libwebrtc's first one comes after twice the ICE RTT, ~0.5 s on a 240 ms path. libwebrtc's own
 * DTLS transport keeps such an early ClientHello and hands it over once it is ready; so does this:
 * every DTLS datagram the ICE connection receives before the socket exists is kept (the first few)
 * and replayed into it as soon as it exists. Call once the peer's transports exist, before the
 * offer or answer leaves.
 */
export function holdEarlyDtls(pc: PeerConnection): void {
  let transports: WeriftDtlsTransport[];
  try {
    transports = (pc as unknown as { dtlsTransports?: WeriftDtlsTransport[] }).dtlsTransports ?? [];
  } catch {
    return;
  }
  for (const transport of transports) {
    const onData = transport.iceTransport?.connection?.onData;
    if (transport.dtls || transport.rtcDoctorEarly || !onData || typeof onData.subscribe !== "function") continue;
    const datagrams: Buffer[] = [];
    const subscription = onData.subscribe((data: Buffer) => {
      if (!transport.dtls && isDtls(data) && datagrams.length < MAX_EARLY_DATAGRAMS) datagrams.push(Buffer.from(data));
    });
    transport.rtcDoctorEarly = { datagrams, stop: () => subscription.unSubscribe() };
  }
}

/** Hands the datagrams held for a transport to its new socket's receive path, once. */
function replayEarlyDtls(transport: WeriftDtlsTransport): void {
  const early = transport.rtcDoctorEarly;
  if (!early) return;
  early.stop();
  const datagrams = early.datagrams.splice(0);
  const receive = transport.dtls?.transport?.socket?.onData;
  if (typeof receive !== "function") return;
  for (const datagram of datagrams) {
    try {
      receive(datagram);
    } catch {
      // werift's own receive path logs and drops what it cannot parse; so does the replay.
    }
  }
}

/**
 * werift's DTLS client waits a fixed 100 ms after its ICE side connected before it sends the
 * ClientHello (RTCDtlsTransport.start), so every connection where it is the client spends 100 ms
 * doing nothing: on loopback, two thirds of the time to an open data channel. A browser sends it
 * the moment ICE is writable, and the far ends that matter keep a ClientHello that comes before
 * their DTLS is ready (libwebrtc, aiortc's queue, holdEarlyDtls here); one that drops it gets the
 * flight's retransmission. The client connects at once; werift's own call 100 ms later gets the same
 * attempt, with its own handler for a failure.
 */
function connectAtOnce(dtls: DtlsSocket | undefined): void {
  const connect = dtls?.connect;
  if (!dtls || typeof connect !== "function" || dtls.rtcDoctorConnecting) return;
  const connecting = connect.call(dtls);
  // werift attaches its failure handler only when its delayed call runs; until then this one keeps a
  // rejection from being unhandled.
  connecting.catch(() => undefined);
  dtls.rtcDoctorConnecting = connecting;
  dtls.connect = () => connecting;
}

/**
 * Every werift DTLS transport receives handshakes in order (dtls-handshake-order.ts), sends its
 * flights packed (dtls-flight-packing.ts) and takes the datagrams that came before it was ready
 * (holdEarlyDtls) and, as the client, says hello without werift's pause (connectAtOnce), as a
 * browser's DTLS does, from the moment its socket exists:
 * RTCDtlsTransport.start makes the DtlsServer or DtlsClient synchronously, before its first await,
 * so the socket is there when start returns its promise and no datagram has reached it or left it
 * yet. Applied once per process.
 */
export function browserLikeDtls(transportClass: DtlsTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorBrowserLike || typeof proto.start !== "function") return;
  const start = proto.start;
  proto.start = function (this: WeriftDtlsTransport) {
    const started = start.call(this);
    orderHandshakes(this.dtls);
    packFlights(this.dtls);
    replayEarlyDtls(this);
    if (this.dtls && (this as { role?: string }).role === "client") connectAtOnce(this.dtls);
    return started;
  };
  proto.rtcDoctorBrowserLike = true;
}
