import type { ConnectivityFact } from "../facts/connectivity.js";

/** The figures of one connected path that become metrics, in seconds and ratios as Prometheus wants them. */
export interface PathQualityFigures {
  /** Round trip of the data-channel echo (the median). */
  rttSeconds?: number;
  /** Share of the echoed packets that did not come back, 0 to 1. */
  lossRatio?: number;
  jitterSeconds?: number;
  /** RTT percentiles, keyed by the quantile's label value ("0.5", "0.95", "0.99"). */
  rttQuantileSeconds?: Record<string, number>;
  packetsSent?: number;
  packetsReceived?: number;
  /** Voice MOS (E-model, as Twilio's preflight computes it), 1 to 5. */
  mos?: number;
  /** The highest rate the bitrate ramp held, in bits per second. */
  heldBitsPerSecond?: number;
}

/**
 * The one place a connection fact's quality turns into metric figures: the paced flood
 * (ConnectivityFact.quality: loss, jitter, RTT percentiles, MOS, bitrate) where it was measured,
 * else the connection's echo (a few reliable messages: their median RTT and how many came back).
 */
export function pathQualityFigures(fact: ConnectivityFact): PathQualityFigures {
  const figures: PathQualityFigures = {};
  const q = fact.quality;
  if (q?.measured && q.packetsSent > 0) {
    figures.packetsSent = q.packetsSent;
    figures.packetsReceived = q.packetsReceived;
    figures.lossRatio = q.lossPercent / 100;
    if (q.rtt) {
      figures.rttSeconds = q.rtt.medianMs / 1000;
      figures.rttQuantileSeconds = { "0.5": q.rtt.medianMs / 1000, "0.95": q.rtt.p95Ms / 1000, "0.99": q.rtt.p99Ms / 1000 };
    }
    if (q.jitterMs !== undefined) figures.jitterSeconds = q.jitterMs / 1000;
    if (q.mos !== undefined) figures.mos = q.mos;
    if (q.bitrate) figures.heldBitsPerSecond = q.bitrate.heldKbps * 1000;
    return figures;
  }
  if (fact.rttMs !== undefined) figures.rttSeconds = fact.rttMs / 1000;
  if (fact.echo && fact.echo.sent > 0) {
    figures.packetsSent = fact.echo.sent;
    figures.packetsReceived = fact.echo.received;
    figures.lossRatio = Math.max(0, fact.echo.sent - fact.echo.received) / fact.echo.sent;
  }
  return figures;
}
