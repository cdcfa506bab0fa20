import { packFlights, type WeriftDtlsSendSide } from "./dtls-flight-packing.js";
import { orderHandshakes, type WeriftDtlsSocket } from "./dtls-handshake-order.js";

type DtlsSocket = WeriftDtlsSocket & WeriftDtlsSendSide;

interface DtlsTransportClass {
  prototype: { start(this: { dtls?: DtlsSocket }): Promise<void>; rtcDoctorBrowserLike?: boolean };
}

/**
 * Every werift DTLS transport receives handshakes in order (dtls-handshake-order.ts) and sends its
 * flights packed (dtls-flight-packing.ts), as a browser's DTLS does, from the moment its socket
 * exists: RTCDtlsTransport.start makes the DtlsServer or DtlsClient synchronously, before its first
 * await, so the socket is there when start returns its promise and no datagram has reached it or
 * left it yet. Applied once per process.
 */
export function browserLikeDtls(transportClass: DtlsTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorBrowserLike || typeof proto.start !== "function") return;
  const start = proto.start;
  proto.start = function (this: { dtls?: DtlsSocket }) {
    const started = start.call(this);
    orderHandshakes(this.dtls);
    packFlights(this.dtls);
    return started;
  };
  proto.rtcDoctorBrowserLike = true;
}
