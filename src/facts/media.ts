/**
 * Audio through the remote peer: what rtc-doctor sent over DTLS-SRTP, what the far side's RTCP said
 * about it, and what came back. Counts only; the rules decide what they mean.
 */

/** What the far side's RTCP report blocks about rtc-doctor's stream said (RTCP RR, or the blocks of an SR). */
export interface FarSideReportsFact {
  /** Report blocks about rtc-doctor's SSRC that arrived. */
  count: number;
  /** From the latest block: extended highest sequence number minus the first one sent, plus one, minus the lost. */
  packetsReceived?: number;
  /** Cumulative packets lost, from the latest block. */
  packetsLost?: number;
  /** The latest block's fraction lost, as a percentage. */
  fractionLostPct?: number;
  /** Interarrival jitter (RFC 3550 6.4.1) from the latest block, in milliseconds. */
  jitterMs?: number;
  /** Round trip from the blocks' LSR/DLSR against rtc-doctor's own sender reports (RFC 3550 6.4.1); the median of those measured. */
  rttMs?: number;
  /**
   * The far side's sender and receiver reports, sent while rtc-doctor was sending, with no block
   * about rtc-doctor's stream: a stack that receives a stream reports on it in each of them.
   */
  withoutOurs?: number;
}

/** RTP that arrived from the far side on the audio m-line. */
export interface InboundRtpFact {
  packets: number;
  /** Payload bytes, without RTP headers. */
  bytes: number;
  /** Distinct SSRCs the far side sent from (at most 16 are told apart; packets from more are counted in `packets`). */
  ssrcs: number;
  /** Milliseconds since the attempt started. */
  firstAtMs?: number;
  /** Gaps in the sequence numbers: packets the far side sent that never arrived. */
  lost?: number;
  /** Interarrival jitter (RFC 3550) measured on what arrived, in milliseconds. */
  jitterMs?: number;
}

export interface MediaFact {
  kind: "audio";
  /** The codec as negotiated, e.g. "opus/48000/2". */
  codec?: string;
  /** The direction of rtc-doctor's audio m-line in its offer, and the far side's in its answer. */
  offeredDirection: "sendrecv" | "sendonly" | "recvonly" | "inactive";
  answeredDirection?: string;
  /** How long rtc-doctor sent audio (0: DTLS never completed, so nothing was sent). */
  durationMs: number;
  /** Opus frames sent as RTP over SRTP. */
  sent: { packets: number; bytes: number; firstAtMs?: number };
  /** RTCP packets of any kind that arrived from the far side. */
  rtcpReceived: number;
  farSideReports: FarSideReportsFact;
  received: InboundRtpFact;
}

export interface DtlsFact {
  /** The DTLS transport's last state: "connected", "failed", or "connecting" when it never finished. */
  state: string;
  /** rtc-doctor's own role in the handshake. */
  role?: "client" | "server";
  /** The SRTP protection profile the handshake chose (use_srtp), e.g. "AEAD_AES_128_GCM". */
  srtpProfile?: string;
  /**
   * true: the far side's certificate matched the fingerprint in its answer; false: the handshake
   * completed but the certificate is another one; absent: no certificate arrived to compare.
   */
  fingerprintVerified?: boolean;
  /** The answer's a=fingerprint (algorithm and value) and the far side's certificate's, when they differ. */
  expectedFingerprint?: string;
  certificateFingerprint?: string;
  /** Milliseconds since the attempt started when the handshake began (ICE connected). */
  startedAtMs?: number;
  /** From the start of the handshake to DTLS connected. */
  handshakeMs?: number;
  /** DTLS datagrams rtc-doctor sent, and those that arrived from the far side, over the ICE path. */
  datagramsSent: number;
  datagramsReceived: number;
}
