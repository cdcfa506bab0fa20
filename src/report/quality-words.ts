import type { QualityFact } from "../facts/index.js";

const NOT_MEASURED: Record<NonNullable<QualityFact["notMeasured"]>, string> = {
  "channel-not-open": "quality not measured: the flood's data channel did not open",
  "no-echo": "quality not measured: the far end did not echo the flood's data channel",
};

function rate(kbps: number): string {
  return kbps >= 1000 ? `${Math.round(kbps / 100) / 10} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

/** One line per path for every format: "quality: loss 0% (25/25), RTT 1.2 ms (...), ...". */
export function qualityWords(q: QualityFact): string {
  if (!q.measured) return q.notMeasured ? NOT_MEASURED[q.notMeasured] : "quality not measured";
  const parts = [`loss ${q.lossPercent}% (${q.packetsReceived}/${q.packetsSent} back)`];
  if (q.rtt) parts.push(`RTT ${q.rtt.medianMs} ms (min ${q.rtt.minMs}, p95 ${q.rtt.p95Ms}, p99 ${q.rtt.p99Ms})`);
  if (q.jitterMs !== undefined) parts.push(`jitter ${q.jitterMs} ms`);
  if (q.mos !== undefined) parts.push(`MOS ${q.mos}`);
  const b = q.bitrate;
  if (b) {
    const why = b.limitedBy === "rtt" ? "RTT rose" : b.limitedBy === "cpu" ? "this machine was too busy to go faster" : "loss";
    const held = b.reachedCeiling ? `at least ${rate(b.heldKbps)} (top of the ramp)` : b.heldKbps > 0 ? `${rate(b.heldKbps)}, then ${why}` : `none of its rates (${why})`;
    parts.push(`bitrate held ${held}, carried ${rate(b.carriedKbps)}`);
  }
  return `quality: ${parts.join(", ")}`;
}
