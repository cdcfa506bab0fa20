/**
 * werift's SCTP handles an INIT-ACK in COOKIE_WAIT by sending its COOKIE-ECHO, then starting T1,
 * then moving to COOKIE_ECHOED; the send is awaited in between. Two INIT-ACKs close together (the
 * far end answered the INIT and its early copy, see sctp-timers.ts) both pass the state check, and
 * the second T1 start throws (`if (this.timer1Handle) throw new Error()`) inside werift's packet
 * handler: an uncaught exception that ends the whole process (seen in a check against a loopback
 * coturn on a busy machine). T1 guards one chunk at a time: the later start replaces the earlier.
 */
interface SctpPrototype {
  timer1Start(this: { timer1Handle?: unknown; timer1Cancel(): void }, chunk: unknown): void;
  rtcDoctorT1Restart?: boolean;
}

export function restartT1Instead(proto: SctpPrototype | undefined): void {
  if (!proto || proto.rtcDoctorT1Restart || typeof proto.timer1Start !== "function") return;
  const start = proto.timer1Start;
  proto.timer1Start = function (chunk: unknown) {
    if (this.timer1Handle) this.timer1Cancel();
    start.call(this, chunk);
  };
  proto.rtcDoctorT1Restart = true;
}
