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
}

/**
 * The one place a connection fact's quality turns into metric figures. Today that is the
 * connection's echo (a few reliable messages: their median RTT and how many came back); the
 * paced-flood measurement (ConnectivityFact.quality, with loss, jitter and RTT percentiles)
 * belongs here as well once the fact carries it, and wins over the echo where it has a figure.
 */
export function pathQualityFigures(fact: ConnectivityFact): PathQualityFigures {
  const figures: PathQualityFigures = {};
  if (fact.rttMs !== undefined) figures.rttSeconds = fact.rttMs / 1000;
  if (fact.echo && fact.echo.sent > 0) {
    figures.packetsSent = fact.echo.sent;
    figures.packetsReceived = fact.echo.received;
    figures.lossRatio = Math.max(0, fact.echo.sent - fact.echo.received) / fact.echo.sent;
  }
  return figures;
}
