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

export interface Baseline {
  lossPercent: number;
  medianRttMs: number;
}

/**
 * Whether a step held against the voice stream's baseline: no more than a little extra loss (three
 * packets and ten points above the baseline: werift on a busy loopback loses a packet or two of a
 * burst now and then), and the median round trip at most twice the
 * baseline's or 30 ms above it, whichever is more. Round trips count from the moment the packet was
 * handed to the channel, so a sender that cannot get its packets out shows as a rising RTT.
 */
export function judgeStep(step: Omit<RampStepFact, "held" | "limitedBy">, base: Baseline): Pick<RampStepFact, "held" | "limitedBy"> {
  const lost = step.sent - step.received;
  const expectedLost = (step.sent * base.lossPercent) / 100;
  if (lost - expectedLost >= 3 && step.lossPercent > base.lossPercent + 10) return { held: false, limitedBy: "loss" };
  if (step.medianRttMs !== undefined && step.medianRttMs > Math.max(2 * base.medianRttMs, base.medianRttMs + 30)) return { held: false, limitedBy: "rtt" };
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
 * Offers each rate for `stepMs` in turn, judging a step while the next one runs (its echoes have had
 * a whole step to come back), and stops at the first that did not hold.
 */
export async function rampBitrate(flood: Flood, stepMs: number, base: Baseline, graceMs: number): Promise<Omit<BitrateFact, "carriedKbps">> {
  const steps: RampStepFact[] = [];
  const pending: { kbps: number; packets: SentPacket[] }[] = [];
  const judge = () => {
    const p = pending.shift()!;
    const fact = stepFact(p.kbps, p.packets, stepMs);
    steps.push({ ...fact, ...judgeStep(fact, base) });
    return steps.at(-1)!.held;
  };
  let stopped = false;
  for (const kbps of RAMP_KBPS) {
    const bytesPerStep = (kbps * stepMs) / 8;
    const size = Math.round(Math.min(MAX_PACKET_BYTES, Math.max(MIN_PACKET_BYTES, bytesPerStep / PACKETS_PER_STEP)));
    const count = Math.max(1, Math.round(bytesPerStep / size));
    const first = flood.packets.length;
    await paced(flood, count, stepMs / count, size);
    pending.push({ kbps, packets: flood.packets.slice(first) });
    if (pending.length > 1 && !judge()) {
      stopped = true;
      break;
    }
  }
  if (!stopped) {
    await flood.drain(graceMs);
    while (pending.length > 0 && judge());
  }
  const held = steps.filter((s) => s.held);
  const failed = steps.find((s) => !s.held);
  const ceilingKbps = RAMP_KBPS[RAMP_KBPS.length - 1]!;
  return {
    heldKbps: held.at(-1)?.targetKbps ?? 0,
    ceilingKbps,
    reachedCeiling: !failed && steps.length === RAMP_KBPS.length,
    ...(failed ? { carriedAtLimitKbps: failed.carriedKbps, limitedBy: failed.limitedBy } : {}),
    steps,
  };
}
