/**
 * werift 0.24's SCTP starts every association with RTO.Initial = 3 s (RFC 4960's figure) and uses
 * it, not backed off, for T1 (INIT, COOKIE-ECHO) and for the first DATA retransmissions (the data
 * channel's DCEP OPEN and ACK). A browser's SCTP (libwebrtc's dcSCTP) uses 1 s for T1-init and
 * T1-cookie and 0.5 s as its initial RTO. On a path that loses a few percent of packets the
 * association then costs werift 3 s per lost packet where a browser loses 1 s or less: two losses
 * and a 10 s connect timeout is gone. The association starts at 1 s instead, the T1 a browser uses;
 * werift's own floor (RTO.Min 1 s) keeps data retransmissions from going below it once RTT is measured.
 */
export const INITIAL_RTO_SECONDS = 1;
/** werift's SCTP_RTO_INITIAL: a transport still at it has not been tuned or measured yet. */
const WERIFT_INITIAL_RTO_SECONDS = 3;

interface WeriftSctp {
  rto?: number;
  started?: boolean;
}

interface SctpTransportClass {
  prototype: { start(this: { sctp?: WeriftSctp }, remotePort?: number): Promise<void>; rtcDoctorBrowserTimers?: boolean };
}

/** Applies to the association before it sends its INIT; one that already started is left alone. */
export function browserInitialRto(sctp: WeriftSctp | undefined): void {
  if (!sctp || sctp.started || sctp.rto !== WERIFT_INITIAL_RTO_SECONDS) return;
  sctp.rto = INITIAL_RTO_SECONDS;
}

/** Every werift RTCSctpTransport starts its association with a browser's initial timers. Applied once per process. */
export function browserSctpTimers(transportClass: SctpTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorBrowserTimers || typeof proto.start !== "function") return;
  const start = proto.start;
  proto.start = function (this: { sctp?: WeriftSctp }, remotePort?: number) {
    browserInitialRto(this.sctp);
    return start.call(this, remotePort);
  };
  proto.rtcDoctorBrowserTimers = true;
}
