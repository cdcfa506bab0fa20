/**
 * werift 0.24's SCTP starts every association with RTO.Initial = 3 s (RFC 4960's figure) and uses
 * it, not backed off, for T1 (INIT, COOKIE-ECHO) and for the first DATA retransmissions (the data
 * channel's DCEP OPEN and ACK). A browser's SCTP (libwebrtc's dcSCTP) uses 1 s for T1-init and
 * T1-cookie and 0.5 s as its initial RTO. On a path that loses a few percent of packets the
 * association then costs werift 3 s per lost packet where a browser loses 1 s or less: two losses
 * and a 10 s connect timeout is gone. The association starts at 1 s instead, the T1 a browser uses;
 * werift's own floor (RTO.Min 1 s) keeps data retransmissions from going below it once RTT is measured.
 *
 * werift's side that sends the INIT (the ICE-controlling one, the offerer) sends it the moment its
 * DTLS is connected, which as DTLS server is when it sent its Finished: INIT and Finished leave
 * together, and on a path with jitter the INIT overtakes the Finished half of the time. A werift
 * peer takes such an INIT; libwebrtc drops it (its SCTP starts once its DTLS completed) and, as
 * both its sides send an INIT, never waits for one itself; werift waited T1 for it (half of all
 * connections to libwebrtc over the lab's jittery path were 1 s slower). The INIT is sent once
 * more shortly after, while the association still waits for the INIT-ACK.
 */
export const INITIAL_RTO_SECONDS = 1;
/** Long enough for the far end to have taken the Finished sent with the first INIT, on a path with tens of ms of jitter. */
export const EARLY_INIT_RESEND_MS = 200;
/** werift's SCTP_RTO_INITIAL: a transport still at it has not been tuned or measured yet. */
const WERIFT_INITIAL_RTO_SECONDS = 3;
/** werift's SCTP association state COOKIE_WAIT: the INIT went out, no INIT-ACK yet. */
const COOKIE_WAIT = 2;

interface WeriftSctp {
  rto?: number;
  started?: boolean;
  isServer?: boolean;
  associationState?: number;
  timer1Chunk?: unknown;
  isStopped?: boolean;
  sendChunk?(chunk: unknown): Promise<void>;
}

interface SctpTransportClass {
  prototype: { start(this: { sctp?: WeriftSctp }, remotePort?: number): Promise<void>; rtcDoctorBrowserTimers?: boolean };
}

/** Applies to the association before it sends its INIT; one that already started is left alone. */
export function browserInitialRto(sctp: WeriftSctp | undefined): void {
  if (!sctp || sctp.started || sctp.rto !== WERIFT_INITIAL_RTO_SECONDS) return;
  sctp.rto = INITIAL_RTO_SECONDS;
}

/** Once the INIT is out: its copy EARLY_INIT_RESEND_MS later, unless the INIT-ACK came first. */
export function resendEarlyInit(sctp: WeriftSctp | undefined, afterMs = EARLY_INIT_RESEND_MS): void {
  if (!sctp || sctp.isServer || sctp.associationState !== COOKIE_WAIT || typeof sctp.sendChunk !== "function") return;
  const init = sctp.timer1Chunk;
  if (init === undefined) return;
  setTimeout(() => {
    if (sctp.isStopped || sctp.associationState !== COOKIE_WAIT || sctp.timer1Chunk !== init) return;
    sctp.sendChunk?.(init).catch(() => undefined);
  }, afterMs).unref();
}

/** Every werift RTCSctpTransport starts its association with a browser's initial timers. Applied once per process. */
export function browserSctpTimers(transportClass: SctpTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorBrowserTimers || typeof proto.start !== "function") return;
  const start = proto.start;
  proto.start = async function (this: { sctp?: WeriftSctp }, remotePort?: number) {
    browserInitialRto(this.sctp);
    await start.call(this, remotePort);
    resendEarlyInit(this.sctp);
  };
  proto.rtcDoctorBrowserTimers = true;
}
