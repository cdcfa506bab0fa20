import { monitorEventLoopDelay } from "node:perf_hooks";
import type { BitrateFact, RampStepFact } from "../../facts/quality.js";
import { type Flood, type SentPacket, paced } from "./flood.js";
import { lossPercent, latencyStats } from "./stats.js";

/** Offered rates in kbit/s: doubling up to a ceiling above what a 720p call needs (2-2.5 Mbit/s). */
export const RAMP_KBPS: readonly number[] = [250, 500, 1000, 2000, 4000];
/** Packets per step at least, so that one loss is not already a verdict. */
const PACKETS_PER_STEP = 10;
const MIN_PACKET_BYTES = 200;
/** One SCTP chunk: werift splits larger messages, and a lost fragment loses the whole message. */
const MAX_PACKET_BYTES = 1100;

/** An event loop held up this long during a step, for at least a third of the RTT's rise, makes the rise this machine's. */
export const CPU_LOOP_DELAY_MS = 10;
/** A queue this long at the bottleneck is one a call feels; a busy machine's hiccups are mostly shorter. */
export const RTT_RISE_MS = 100;
export const CPU_RISE_FACTOR = 3;

/** Bound on waiting for the ramp's last echoes while they still arrive (also at most twice the voice stream's grace + 200 ms). */
const MAX_DRAIN_MS = 1500;

export interface Baseline {
  lossPercent: number;
  medianRttMs: number;
}

/**
 * Whether a step held against the voice stream's baseline: no more than a little extra loss (three
 * packets and ten points above the baseline: werift on a busy loopback loses a packet or two of a
 * burst now and then), and the median round trip at most twice the
 * baseline's or RTT_RISE_MS above it, whichever is more (a busy machine delays a burst by tens of ms). Round trips count from the moment the packet was
 * handed to the channel, so a sender that cannot get its packets out shows as a rising RTT.
 */
export function judgeStep(step: Omit<RampStepFact, "held" | "limitedBy">, base: Baseline): Pick<RampStepFact, "held" | "limitedBy"> {
  const rise = (step.medianRttMs ?? base.medianRttMs) - base.medianRttMs;
  const lost = step.sent - step.received;
  const expectedLost = (step.sent * base.lossPercent) / 100;
  if (lost - expectedLost >= 3 && step.lossPercent > base.lossPercent + 10) return { held: false, limitedBy: "loss" };
  if (step.medianRttMs !== undefined && step.medianRttMs > Math.max(2 * base.medianRttMs, base.medianRttMs + RTT_RISE_MS)) {
    // Both loopback peers (and werift's SCTP and DTLS) run on this event loop: when it was held up
    // for a good part of the rise, the queue was this machine's, not the path's.
    const loop = step.loopDelayMs ?? 0;
    return { held: false, limitedBy: loop >= CPU_LOOP_DELAY_MS && rise <= CPU_RISE_FACTOR * loop ? "cpu" : "rtt" };
  }
  return { held: true };
}

function stepFact(targetKbps: number, packets: readonly SentPacket[], stepMs: number): Omit<RampStepFact, "held" | "limitedBy"> {
  const echoed = packets.filter((p) => p.echo);
  const rtt = latencyStats(echoed.map((p) => p.echo!.receivedAt - p.echo!.sentAt));
  const bytes = echoed.reduce((sum, p) => sum + p.bytes, 0);
  return {
    targetKbps,
    sent: packets.length,
    received: echoed.length,
    lossPercent: lossPercent(packets.length, echoed.length),
    ...(rtt ? { medianRttMs: rtt.medianMs } : {}),
    carriedKbps: Math.round((bytes * 8) / stepMs),
  };
}

/**
 * Offers each rate for `stepMs` in turn, then waits for the last echoes and judges the steps in
 * order: the path held every rate up to the first that did not hold. Every step is sent whatever the
 * earlier ones did, so that an echo merely late (this machine busy for a moment) still counts, and a
 * capped relay's excess is only a tenth of the measurement's time.
 */
export async function rampBitrate(flood: Flood, stepMs: number, base: Baseline | (() => Baseline), graceMs: number): Promise<Omit<BitrateFact, "carriedKbps">> {
  const sent: { kbps: number; packets: SentPacket[]; loopDelayMs: number; bytes: number }[] = [];
  // This process's own event loop: a busy one delays echoes as a queue on the path would.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  for (const kbps of RAMP_KBPS) {
    // Half a step still unsent: the path (as SCTP's congestion window sees it) does not carry the
    // last rate, and a higher one would only queue up behind it for the drain to wait out.
    const last = sent.at(-1);
    if (last && flood.backlog > last.bytes / 2) break;
    loop.reset();
    const bytesPerStep = (kbps * stepMs) / 8;
    const size = Math.round(Math.min(MAX_PACKET_BYTES, Math.max(MIN_PACKET_BYTES, bytesPerStep / PACKETS_PER_STEP)));
    const count = Math.max(1, Math.round(bytesPerStep / size));
    const first = flood.packets.length;
    const lateMs = await paced(flood, count, stepMs / count, size);
    sent.push({ kbps, packets: flood.packets.slice(first), loopDelayMs: Math.max(lateMs, loop.count > 0 ? loop.max / 1e6 : 0), bytes: count * size });
  }
  loop.disable();
  await flood.drain(graceMs, Math.min(MAX_DRAIN_MS, 2 * graceMs + 200));
  // Known only now when the voice stream's last echoes were still out as the ramp began.
  const baseline = typeof base === "function" ? base() : base;
  const judged = sent.map((s) => {
    const fact = { ...stepFact(s.kbps, s.packets, stepMs), loopDelayMs: Math.round(s.loopDelayMs * 10) / 10 };
    return { ...fact, ...judgeStep(fact, baseline) };
  });
  const steps: RampStepFact[] = [];
  for (const [i, step] of judged.entries()) {
    // A bottleneck only gets worse at a higher rate: a round trip that rose once and settled again
    // at the next, higher rate was a moment's hiccup (this machine, a far-off process), not the path.
    const next = judged[i + 1];
    const passing = step.limitedBy === "rtt" && next?.held === true;
    if (passing) {
      const { limitedBy: _hiccup, ...held } = step;
      steps.push({ ...held, held: true });
    } else steps.push(step);
    if (!steps.at(-1)!.held) break;
  }
  const held = steps.filter((s) => s.held);
  const failed = steps.find((s) => !s.held);
  const ceilingKbps = RAMP_KBPS[RAMP_KBPS.length - 1]!;
  return {
    heldKbps: held.at(-1)?.targetKbps ?? 0,
    ceilingKbps,
    reachedCeiling: !failed,
    ...(failed ? { carriedAtLimitKbps: failed.carriedKbps, limitedBy: failed.limitedBy } : {}),
    steps,
  };
}
