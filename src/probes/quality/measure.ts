import { performance } from "node:perf_hooks";
import type { QualityFact } from "../../facts/quality.js";
import { bounded } from "../../webrtc/bounded.js";
import type { DataChannel, PeerConnection } from "../../webrtc/types.js";
import { Flood, paced } from "./flood.js";
import { RAMP_KBPS, rampBitrate } from "./ramp.js";
import { eModelMos, interarrivalJitter, latencyStats, lossPercent } from "./stats.js";

/** The flood's own channel: the echo channel stays reliable, this one loses what the path loses. */
export const QUALITY_CHANNEL_LABEL = "rtc-doctor-quality";
/** One Opus frame of 20 ms at about 64 kbit/s, the packet a voice call sends. */
export const VOICE_PACKET_BYTES = 160;
export const VOICE_INTERVAL_MS = 20;
/** Echoes later than this after the last packet count as lost, as a jitter buffer would drop them. */
const MAX_GRACE_MS = 1000;

function waitOpen(channel: DataChannel, ms: number): Promise<boolean> {
  if (channel.readyState === "open") return Promise.resolve(true);
  const opened = new Promise<void>((resolve) => {
    const sub = channel.stateChanged.subscribe((state) => {
      if (state === "open") {
        sub.unSubscribe();
        resolve();
      }
    });
  });
  return bounded(opened, Math.max(1, ms));
}

/** How long to wait for the last echoes: a few round trips as seen so far, within MAX_GRACE_MS. */
function graceMs(rtts: readonly number[]): number {
  const slowest = rtts.reduce((a, b) => Math.max(a, b), 0);
  return Math.min(MAX_GRACE_MS, Math.max(100, 2 * slowest + 50));
}

/** Echoed payload per second from the first packet sent to the last echo, in kbit/s. */
function carriedKbps(flood: Flood, start: number): number {
  let bytes = 0;
  let last = start;
  for (const p of flood.packets) {
    if (!p.echo) continue;
    bytes += p.bytes;
    last = Math.max(last, p.echo.receivedAt);
  }
  return last > start ? Math.round((bytes * 8) / (last - start)) : 0;
}

/**
 * Measures an open connection's path: a voice-like stream over an unreliable, unordered channel
 * (loss, RTT, jitter, MOS), then a bitrate ramp, all echoed by the far end. A far end that does not
 * echo the channel leaves the quality not measured, which is a fact, not an error.
 */
export function openQualityChannel(pc: PeerConnection): DataChannel | undefined {
  try {
    return pc.createDataChannel(QUALITY_CHANNEL_LABEL, { ordered: false, maxRetransmits: 0 });
  } catch {
    return undefined;
  }
}

/**
 * `channel` from openQualityChannel, created early so that its opening overlaps the echo. The
 * voice-like stream (64 kbit/s) may run beside the echo; the ramp, which fills the path, waits for
 * `rampAfter` (the echo) so that the echo's RTT is not the ramp's queue.
 */
export async function measureQuality(channel: DataChannel | undefined, durationMs: number, openTimeoutMs: number, rampAfter?: Promise<unknown>): Promise<QualityFact> {
  const started = performance.now();
  const voiceCount = Math.max(5, Math.floor(durationMs / 2 / VOICE_INTERVAL_MS));
  const fact: QualityFact = { measured: false, durationMs: 0, packetBytes: VOICE_PACKET_BYTES, intervalMs: VOICE_INTERVAL_MS, packetsSent: 0, packetsReceived: 0, lossPercent: 0 };
  const done = () => ((fact.durationMs = Math.round(performance.now() - started)), fact);
  if (!channel) return done();
  if (!(await waitOpen(channel, openTimeoutMs))) return (fact.notMeasured = "channel-not-open"), done();
  const flood = new Flood(channel);
  try {
    await paced(flood, voiceCount, VOICE_INTERVAL_MS, VOICE_PACKET_BYTES);
    const voice = flood.packets.slice(0, voiceCount);
    const echoed = () => voice.flatMap((p) => (p.echo ? [{ ...p.echo }] : []));
    // Nothing back yet: as long as a drain would wait. A far end that does not echo leaves nothing to ramp against.
    if (echoed().length === 0) await flood.drain(graceMs([]));
    if (echoed().length === 0) {
      fact.packetsSent = voice.length;
      fact.lossPercent = lossPercent(voice.length, 0);
      return (fact.notMeasured = "no-echo"), done();
    }
    const soFar = echoed().map((e) => e.receivedAt - e.sentAt);
    // The voice stream's figures, once its last echoes are in: the ramp starts without waiting for
    // them (they travel ahead of its packets) and its own drain waits for both.
    const voiceFigures = () => {
      const samples = echoed();
      fact.packetsSent = voice.length;
      fact.packetsReceived = samples.length;
      fact.lossPercent = lossPercent(voice.length, samples.length);
      fact.measured = true;
      const rtt = latencyStats(samples.map((e) => e.receivedAt - e.sentAt))!;
      fact.rtt = rtt;
      const jitter = interarrivalJitter(samples);
      if (jitter !== undefined) fact.jitterMs = jitter;
      const mos = eModelMos(rtt.medianMs, jitter ?? 0, fact.lossPercent);
      if (mos !== undefined) fact.mos = mos;
      return { lossPercent: fact.lossPercent, medianRttMs: rtt.medianMs };
    };
    const stepMs = Math.max(50, durationMs / 2 / RAMP_KBPS.length);
    const floodStart = flood.packets[0]!.sentAt;
    await rampAfter?.catch(() => undefined);
    // rampBitrate reads the figures once its drain is over, which fills them into the fact.
    const ramp = await rampBitrate(flood, stepMs, voiceFigures, graceMs(soFar));
    fact.bitrate = { ...ramp, carriedKbps: carriedKbps(flood, floodStart) };
    return done();
  } finally {
    flood.stop();
  }
}
