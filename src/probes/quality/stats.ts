import type { LatencyStatsFact } from "../../facts/quality.js";

/** One echoed packet: when it left and when its echo came back (milliseconds, one clock). */
export interface EchoSample {
  sentAt: number;
  receivedAt: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Nearest-rank percentile (0 < p <= 100) of values sorted ascending; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** Min, median, p95 and p99 of the round trips; undefined without samples. */
export function latencyStats(rtts: readonly number[]): LatencyStatsFact | undefined {
  if (rtts.length === 0) return undefined;
  const sorted = [...rtts].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { minMs: round2(sorted[0]!), medianMs: round2(median), p95Ms: round2(percentile(sorted, 95)!), p99Ms: round2(percentile(sorted, 99)!) };
}

/**
 * RFC 3550 section 6.4.1 interarrival jitter: the running estimate J += (|D| - J) / 16 over the
 * packets in the order they arrived, D being the difference of consecutive packets' transit times.
 * Transit is the round trip here; the clock offset RFC 3550 allows for cancels out either way.
 */
export function interarrivalJitter(samples: readonly EchoSample[]): number | undefined {
  if (samples.length < 2) return undefined;
  const byArrival = [...samples].sort((a, b) => a.receivedAt - b.receivedAt);
  let jitter = 0;
  for (let i = 1; i < byArrival.length; i++) {
    const d = byArrival[i]!.receivedAt - byArrival[i]!.sentAt - (byArrival[i - 1]!.receivedAt - byArrival[i - 1]!.sentAt);
    jitter += (Math.abs(d) - jitter) / 16;
  }
  return round2(jitter);
}

/** Percent of `sent` that did not come back; 0 when nothing was sent. */
export function lossPercent(sent: number, received: number): number {
  if (sent <= 0) return 0;
  return round2((100 * Math.max(0, sent - Math.min(received, sent))) / sent);
}

/** The E-model's R0 as Twilio's preflight uses it (twilio-voice.js lib/twilio/rtc/mos.ts). */
export const E_MODEL_R0 = 94.768;

/**
 * Voice MOS from the E-model the way Twilio's preflight computes it: effective latency =
 * RTT + 2 x jitter + 10 ms; R falls by latency / 40 below 160 ms and by (latency - 120) / 10 up to
 * 1000 ms (R = 0 beyond), then by 2.5 per percent of loss (R = 0 once loss exceeds R / 2.5, else at
 * least 6.52); MOS = 1 + 0.035 R + 7e-6 R (R - 60)(100 - R). Undefined for negative or non-finite
 * input, as Twilio returns null.
 */
export function eModelMos(rttMs: number, jitterMs: number, lossPct: number): number | undefined {
  if (![rttMs, jitterMs, lossPct].every((v) => Number.isFinite(v) && v >= 0)) return undefined;
  const latency = rttMs + 2 * jitterMs + 10;
  let r = latency < 160 ? E_MODEL_R0 - latency / 40 : latency < 1000 ? E_MODEL_R0 - (latency - 120) / 10 : 0;
  r = lossPct <= r / 2.5 ? Math.max(r - lossPct * 2.5, 6.52) : 0;
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return round2(mos);
}
