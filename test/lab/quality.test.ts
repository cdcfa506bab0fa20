import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QualityFact } from "../../src/facts/index.js";
import { interarrivalJitter } from "../../src/probes/quality/stats.js";
import { ROOT, notRootReason, requireLabTools, runIn } from "./lab.js";
import { startLossyPath, type LossyPath, type LossyPathSpec } from "./lossy-path.js";

/**
 * Issue 12, item 1: on a relay path whose loss, delay and jitter the lab sets, the quality flood
 * measures what was set. The loopback relay connection crosses the router (loss per crossing) and
 * the delay forwarder (delay +- uniform jitter per crossing) four times per round trip: offerer to
 * TURN server, TURN server to answerer, and back the same way for the echo.
 *
 * Tolerances (also in the README): round-trip loss within 7 points of 1 - (1 - p)^4 (150 packets:
 * about 2.7 standard deviations of the binomial count); median RTT from 4 x delay - 10 ms to
 * 4 x delay + 60 ms (werift, coturn and the forwarder's timers add a few ms, a busy machine tens);
 * jitter from half to twice what the RFC 3550 estimator gives on the lab's own model of the path
 * (four uniform holds summed per packet, reordering included), plus 10 ms (a busy machine's
 * scheduling adds its own jitter: 30 ms against the model's 14 ms was seen at a load of 10 on 2 cores).
 */

const SPEC: LossyPathSpec = { delayMs: 40, jitterMs: 10, lossPercent: 3 };
const CROSSINGS = 4;
const QUALITY_MS = 6000;
const skip = notRootReason();

/** The estimator on the lab's model: each packet held four times for delay + U(-jitter, jitter). */
function modelJitter(spec: LossyPathSpec, packets: number, intervalMs: number): number {
  const runs = 200;
  let sum = 0;
  for (let r = 0; r < runs; r++) {
    const samples = Array.from({ length: packets }, (_, i) => {
      let transit = 0;
      for (let c = 0; c < CROSSINGS; c++) transit += spec.delayMs + (Math.random() * 2 - 1) * spec.jitterMs;
      return { sentAt: i * intervalMs, receivedAt: i * intervalMs + transit };
    });
    sum += interarrivalJitter(samples) ?? 0;
  }
  return sum / runs;
}

describe.skipIf(skip !== undefined)("NAT lab: the quality flood measures the loss, delay and jitter the lab sets", () => {
  let path: LossyPath | undefined;

  beforeAll(async () => {
    requireLabTools();
    if (!existsSync(`${ROOT}bundle/main.js`)) throw new Error("bundle/ is missing: run `npm run build` (npm test does it)");
    path = await startLossyPath(SPEC);
  }, 120_000);
  afterAll(() => {
    path?.down();
  });

  it(`a relay path with ${SPEC.delayMs} ms +- ${SPEC.jitterMs} ms and ${SPEC.lossPercent}% loss per crossing`, async () => {
    const args = [`${ROOT}bin/rtc-doctor.js`, "check", "--json", "--no-nat", "--no-gather", "--quality", String(QUALITY_MS), "--turn", path!.turnUrl, "--username", path!.username, "--credential", path!.credential];
    const r = await runIn(path!.client, process.execPath, args, 120_000);
    const report = JSON.parse(r.stdout) as { connectivity?: { mode: string; ok: boolean; quality?: QualityFact }[] };
    const relay = report.connectivity?.find((c) => c.mode === "loopback-relay");
    expect(relay?.ok, r.stdout.slice(0, 600)).toBe(true);
    const q = relay!.quality!;
    expect(q.measured, JSON.stringify(q)).toBe(true);
    const figures = JSON.stringify({ sent: q.packetsSent, received: q.packetsReceived, loss: q.lossPercent, rtt: q.rtt, jitter: q.jitterMs });

    const expectedLoss = 100 * (1 - (1 - SPEC.lossPercent / 100) ** CROSSINGS);
    expect(q.packetsSent).toBe(QUALITY_MS / 2 / q.intervalMs);
    expect(Math.abs(q.lossPercent - expectedLoss), `${figures}; expected loss ${expectedLoss.toFixed(1)}%`).toBeLessThanOrEqual(7);

    const expectedRtt = CROSSINGS * SPEC.delayMs;
    expect(q.rtt!.medianMs, figures).toBeGreaterThanOrEqual(expectedRtt - 10);
    expect(q.rtt!.medianMs, figures).toBeLessThanOrEqual(expectedRtt + 60);
    // No round trip can beat the forwarder's shortest holds.
    expect(q.rtt!.minMs, figures).toBeGreaterThanOrEqual(CROSSINGS * (SPEC.delayMs - SPEC.jitterMs) - 2);

    const expectedJitter = modelJitter(SPEC, q.packetsSent, q.intervalMs);
    expect(q.jitterMs!, `${figures}; model jitter ${expectedJitter.toFixed(1)} ms`).toBeGreaterThanOrEqual(expectedJitter * 0.5);
    expect(q.jitterMs!, `${figures}; model jitter ${expectedJitter.toFixed(1)} ms`).toBeLessThanOrEqual(expectedJitter * 2 + 10);
  }, 180_000);
});
