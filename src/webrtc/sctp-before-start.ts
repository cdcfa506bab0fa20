/**
 * werift's SCTP answers an INIT before its RTCSctpTransport was started (it begins as the server
 * side), and once that association is up it flushes its queued data channels, numbering new ones
 * from a stream id only start() sets: `undefined.toString()` throws inside an unawaited promise, and
 * the unhandled rejection ends the whole process. Seen against Chromium over the lab's lossy relay
 * path: werift's DTLS transport had failed (so start() never ran) while its DTLS socket completed
 * the handshake and Chromium set up SCTP over it. The same early association is legitimate when
 * our Finished was lost: the far end's INIT decrypts before our DTLS client calls itself connected.
 * So the flush is not held back (the DCEP ACK of a channel the far end opened must go out, or its
 * side never opens); a transport that was not started yet numbers its channels as start() would:
 * even ids on the ICE-controlled side (werift's DTLS client), odd on the controlling one, as RFC 8832
 * section 6 assigns them by DTLS role.
 */
interface UnstartedSctpTransport {
  dataChannelId?: number;
  isServer?: boolean;
}

interface SctpTransportClass {
  prototype: { dataChannelFlush(this: UnstartedSctpTransport): Promise<void>; rtcDoctorFlushGuarded?: boolean };
}

export function numberChannelsBeforeStart(transportClass: SctpTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorFlushGuarded || typeof proto.dataChannelFlush !== "function") return;
  const flush = proto.dataChannelFlush;
  proto.dataChannelFlush = function (this: UnstartedSctpTransport) {
    if (this.dataChannelId === undefined) {
      try {
        this.dataChannelId = this.isServer ? 0 : 1;
      } catch {
        // No DTLS transport to tell the role by: nothing can have been set up to flush either.
        return Promise.resolve();
      }
    }
    return flush.call(this);
  };
  proto.rtcDoctorFlushGuarded = true;
}
