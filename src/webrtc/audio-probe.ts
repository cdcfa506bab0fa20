import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { InboundRtpFact, MediaFact } from "../facts/media.js";
import { bounded } from "./bounded.js";
import { FRAME_MS, OPUS_CLOCK_RATE, SAMPLES_PER_FRAME, opusFrames } from "./opus-frames.js";
import type { PeerConnection, Werift } from "./types.js";

type Transceiver = ReturnType<PeerConnection["addTransceiver"]>;

interface Subscribable<T> {
  subscribe(listener: (value: T) => void): { unSubscribe(): void };
}
interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  packetsLost: number;
  highestSequence: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}
interface RtcpLike {
  type: number;
  ssrc?: number;
  reports?: ReportBlock[];
  senderInfo?: { ntpTimestamp: bigint };
}
interface RtpLike {
  header: { ssrc: number; sequenceNumber: number; timestamp: number };
  payload: Buffer;
}
/** werift's RTCDtlsTransport as far as the probe needs it; not exported API, read defensively. */
interface MediaTransport {
  state?: string;
  onStateChange?: Subscribable<string>;
  onRtp?: Subscribable<RtpLike>;
  onRtcp?: Subscribable<RtcpLike>;
  sendRtcp?: (packets: RtcpLike[]) => Promise<unknown>;
}

const RTCP_SR = 200;
const RTCP_RR = 201;
/** A sender that stalls (a blocked event loop) catches up at most this many frames, as a microphone would drop them. */
const MAX_CATCH_UP = 5;
/** One audio m-line carries one stream (two with RTX); the rest of a far side's SSRCs are only counted. */
const MAX_INBOUND_SSRCS = 16;

/** RFC 3550 A.8 interarrival jitter over what arrives from one SSRC, and the sequence gaps. */
class InboundStream {
  packets = 0;
  private base?: number;
  private highest = 0;
  private cycles = 0;
  private lastTransit?: number;
  jitter = 0;

  add(seq: number, timestamp: number, arrivalMs: number): void {
    this.packets += 1;
    if (this.base === undefined) {
      this.base = seq;
      this.highest = seq;
    } else {
      const delta = (seq - this.highest + 0x10000) % 0x10000;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.highest) this.cycles += 0x10000;
        this.highest = seq;
      }
    }
    const transit = (arrivalMs * OPUS_CLOCK_RATE) / 1000 - timestamp;
    if (this.lastTransit !== undefined) this.jitter += (Math.abs(transit - this.lastTransit) - this.jitter) / 16;
    this.lastTransit = transit;
  }

  get lost(): number {
    if (this.base === undefined) return 0;
    const expected = this.cycles + this.highest - this.base + 1;
    return Math.max(0, expected - this.packets);
  }
}

export interface AudioProbe {
  /**
   * Keeps sending until audio has gone out for `minMs`, and then until the far side's RTCP reports
   * count some of it and gave a round trip, and (when the offer asked for audio back) its own audio
   * arrived, or audio has
   * gone out for `maxMs` (libwebrtc's first audio report comes ~1-3 s after the first packet); stops
   * and returns what was measured. Never throws.
   */
  finish(minMs: number, maxMs: number): Promise<MediaFact>;
  stop(): void;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Sends room tone as Opus RTP on `transceiver` over DTLS-SRTP from the moment DTLS connects, and
 * reads what the far side says and sends back: the report blocks of its RTCP about our SSRC, and
 * the RTP it sends. werift's remote-inbound-rtp stats keep the loss but not the jitter of those
 * reports, nor how many packets they count, and take an RTT only from a report that answers the very
 * last sender report werift sent (measured here: 2-3 of 3-4 reports from aiortc and serve in 3 s;
 * werift sends one every 0.5-1.5 s). So the probe reads the blocks itself and times every sender
 * report it sends, to compute the RTT from any of them (RFC 3550 6.4.1). Call after
 * setRemoteDescription (the transceiver then has its codec and its bundled transport).
 */
export function startAudioProbe(
  werift: Pick<Werift, "RtpPacket" | "RtpHeader">,
  transceiver: Transceiver,
  offeredDirection: MediaFact["offeredDirection"],
  startedAt: number,
): AudioProbe {
  const sender = transceiver.sender as unknown as {
    ssrc: number;
    codec?: { mimeType?: string; clockRate?: number; channels?: number };
    sendRtp(packet: unknown): Promise<void>;
    dtlsTransport?: MediaTransport;
  };
  const transport = sender.dtlsTransport;
  const elapsed = () => Math.round(performance.now() - startedAt);
  const wantsToSend = offeredDirection === "sendrecv" || offeredDirection === "sendonly";

  const sent = { packets: 0, bytes: 0 } as MediaFact["sent"];
  const firstSeq = randomInt(0, 0x4000);
  let seq = firstSeq;
  const firstTimestamp = randomInt(0, 0x7fffffff);
  let sendingSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let framesDue = 0;

  const srSentAt = new Map<number, number>();
  const rtts: number[] = [];
  let rtcpReceived = 0;
  let reportsWithoutOurs = 0;
  let lastBlock: ReportBlock | undefined;
  let blocks = 0;
  // Woken by every report block and every inbound packet: finish() waits on them, not on a clock.
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of wakers) w();
  };

  const inbound = new Map<number, InboundStream>();
  let inboundBytes = 0;
  let untracked = 0;
  let inboundFirstAtMs: number | undefined;
  const stops: (() => void)[] = [];

  const sendFrames = () => {
    if (sendingSince === undefined || transport?.state !== "connected") return;
    const frames = opusFrames();
    const due = Math.floor((performance.now() - sendingSince) / FRAME_MS) + 1;
    if (due - framesDue > MAX_CATCH_UP) framesDue = due - MAX_CATCH_UP;
    while (framesDue < due) {
      const payload = frames[framesDue % frames.length] as Buffer;
      const header = new werift.RtpHeader({
        sequenceNumber: seq,
        timestamp: (firstTimestamp + framesDue * SAMPLES_PER_FRAME) >>> 0,
        marker: framesDue === 0,
      });
      framesDue += 1;
      seq = (seq + 1) & 0xffff;
      sent.packets += 1;
      sent.bytes += payload.length;
      sender.sendRtp(new werift.RtpPacket(header, payload)).catch(() => undefined);
    }
  };

  const startSending = () => {
    if (!wantsToSend || sendingSince !== undefined || stopped) return;
    try {
      opusFrames();
    } catch {
      // No encoder, no audio: the fact then shows nothing was sent.
      return;
    }
    sendingSince = performance.now();
    sent.firstAtMs = elapsed();
    sendFrames();
    timer = setInterval(sendFrames, FRAME_MS / 2);
  };

  let stopped = false;
  if (transport) {
    const original = transport.sendRtcp;
    if (typeof original === "function") {
      transport.sendRtcp = function (this: unknown, packets: RtcpLike[]) {
        for (const p of packets) {
          if (p.type === RTCP_SR && p.ssrc === sender.ssrc && p.senderInfo) {
            // The compact NTP form a receiver echoes back as LSR: the middle 32 bits (RFC 3550 6.4.1).
            srSentAt.set(Number((p.senderInfo.ntpTimestamp >> 16n) & 0xffffffffn), performance.now());
          }
        }
        return original.call(this, packets);
      };
      stops.push(() => {
        if (transport.sendRtcp !== original) transport.sendRtcp = original;
      });
    }
    const rtcp = transport.onRtcp?.subscribe((packet) => {
      rtcpReceived += 1;
      if (packet.type !== RTCP_SR && packet.type !== RTCP_RR) return;
      if (sent.packets > 0 && !(packet.reports ?? []).some((b) => b.ssrc === sender.ssrc)) reportsWithoutOurs += 1;
      for (const block of packet.reports ?? []) {
        if (block.ssrc !== sender.ssrc) continue;
        blocks += 1;
        lastBlock = block;
        const at = block.lsr ? srSentAt.get(block.lsr) : undefined;
        if (at !== undefined) {
          const rtt = performance.now() - at - (block.dlsr / 65536) * 1000;
          // A far side sends a report a second or so; a flood of them adds nothing past the first few dozen.
          if (rtt >= 0 && rtts.length < 64) rtts.push(rtt);
        }
        wake();
      }
    });
    if (rtcp) stops.push(() => rtcp.unSubscribe());
    const rtp = transport.onRtp?.subscribe((packet) => {
      if (packet.header.ssrc === sender.ssrc) return;
      const now = performance.now();
      let stream = inbound.get(packet.header.ssrc);
      if (!stream) {
        // A far side is input anyone controls: past the bound, new SSRCs are only counted.
        if (inbound.size >= MAX_INBOUND_SSRCS) {
          untracked += 1;
          inboundBytes += packet.payload.length;
          return;
        }
        inbound.set(packet.header.ssrc, (stream = new InboundStream()));
      }
      stream.add(packet.header.sequenceNumber, packet.header.timestamp, now);
      inboundBytes += packet.payload.length;
      if (inboundFirstAtMs === undefined) {
        inboundFirstAtMs = elapsed();
        wake();
      }
    });
    if (rtp) stops.push(() => rtp.unSubscribe());
    if (transport.state === "connected") startSending();
    else {
      const state = transport.onStateChange?.subscribe((s) => {
        if (s === "connected") startSending();
      });
      if (state) stops.push(() => state.unSubscribe());
    }
  }

  const stop = () => {
    stopped = true;
    if (timer) clearInterval(timer);
    timer = undefined;
    for (const s of stops.splice(0)) s();
  };

  const fact = (): MediaFact => {
    const codec = sender.codec;
    const streams = [...inbound.values()];
    const received: InboundRtpFact = { packets: streams.reduce((n, s) => n + s.packets, untracked), bytes: inboundBytes, ssrcs: streams.length };
    if (inboundFirstAtMs !== undefined) received.firstAtMs = inboundFirstAtMs;
    if (received.packets > 0) {
      received.lost = streams.reduce((n, s) => n + s.lost, 0);
      received.jitterMs = round(Math.max(...streams.map((s) => s.jitter)) / (OPUS_CLOCK_RATE / 1000));
    }
    const farSideReports: MediaFact["farSideReports"] = { count: blocks };
    if (reportsWithoutOurs > 0) farSideReports.withoutOurs = reportsWithoutOurs;
    if (lastBlock) {
      const span = ((lastBlock.highestSequence & 0xffff) - firstSeq + 0x10000) % 0x10000;
      const reach = sent.packets > 0 ? span + 1 : 0;
      farSideReports.packetsReceived = Math.max(0, Math.min(sent.packets, reach - Math.max(0, lastBlock.packetsLost)));
      farSideReports.packetsLost = lastBlock.packetsLost;
      farSideReports.fractionLostPct = round((lastBlock.fractionLost / 256) * 100);
      farSideReports.jitterMs = round(lastBlock.jitter / ((codec?.clockRate ?? OPUS_CLOCK_RATE) / 1000));
      const rtt = median(rtts);
      if (rtt !== undefined) farSideReports.rttMs = round(rtt);
    }
    const media: MediaFact = {
      kind: "audio",
      offeredDirection,
      durationMs: sendingSince === undefined ? 0 : Math.round(performance.now() - sendingSince),
      sent: { ...sent },
      rtcpReceived,
      farSideReports,
      received,
    };
    if (codec?.mimeType) media.codec = `${codec.mimeType.replace(/^audio\//i, "").toLowerCase()}/${codec.clockRate ?? OPUS_CLOCK_RATE}${codec.channels ? `/${codec.channels}` : ""}`;
    return media;
  };

  return {
    async finish(minMs, maxMs) {
      if (sendingSince !== undefined) {
        const since = sendingSince;
        const left = since + minMs - performance.now();
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
        const shown = () => {
          const reached = lastBlock !== undefined && ((lastBlock.highestSequence & 0xffff) - firstSeq + 0x10000) % 0x10000 >= Math.max(0, lastBlock.packetsLost);
          return reached && rtts.length > 0 && (offeredDirection !== "sendrecv" || inbound.size > 0);
        };
        while (!shown() && performance.now() - since < maxMs) {
          let waker: () => void = () => {};
          const next = new Promise<void>((resolve) => (waker = resolve));
          wakers.add(waker);
          await bounded(next, Math.max(1, since + maxMs - performance.now()));
          wakers.delete(waker);
        }
      }
      const result = fact();
      stop();
      return result;
    },
    stop,
  };
}
