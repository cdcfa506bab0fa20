import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eModelMos, interarrivalJitter, latencyStats, lossPercent, percentile } from "../../../src/probes/quality/stats.js";

describe("percentile and latency stats", () => {
  it("takes the nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it("orders min <= median <= p95 <= p99 <= max for any sample", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (rtts) => {
        const s = latencyStats(rtts)!;
        const max = Math.max(...rtts);
        expect(s.minMs).toBeLessThanOrEqual(s.medianMs + 0.01);
        expect(s.medianMs).toBeLessThanOrEqual(s.p95Ms + 0.01);
        expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms + 0.01);
        expect(s.p99Ms).toBeLessThanOrEqual(max + 0.01);
      }),
    );
  });
});

describe("RFC 3550 interarrival jitter", () => {
  it("is 0 when every packet has the same transit time", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 500, noNaN: true }), fc.integer({ min: 2, max: 200 }), (transit, n) => {
        const samples = Array.from({ length: n }, (_, i) => ({ sentAt: i * 20, receivedAt: i * 20 + transit }));
        expect(interarrivalJitter(samples)).toBeCloseTo(0, 5);
      }),
    );
  });

  it("follows J += (|D| - J) / 16: transits alternating by 16 ms approach 16", () => {
    const samples = Array.from({ length: 400 }, (_, i) => ({ sentAt: i * 20, receivedAt: i * 20 + 50 + (i % 2) * 16 }));
    expect(interarrivalJitter(samples)).toBeCloseTo(16, 1);
    // The first step by hand: D = 16, J = 16 / 16 = 1.
    expect(interarrivalJitter(samples.slice(0, 2))).toBe(1);
  });

  it("is never above the largest transit difference", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 300, noNaN: true }), { minLength: 2, maxLength: 200 }), (transits) => {
        const samples = transits.map((t, i) => ({ sentAt: i * 20, receivedAt: i * 20 + t }));
        const spread = Math.max(...transits) - Math.min(...transits);
        expect(interarrivalJitter(samples)!).toBeLessThanOrEqual(spread + 0.01);
      }),
    );
  });
});

describe("loss", () => {
  it("is the share that did not come back, in percent", () => {
    expect(lossPercent(50, 50)).toBe(0);
    expect(lossPercent(50, 49)).toBe(2);
    expect(lossPercent(3, 0)).toBe(100);
    expect(lossPercent(0, 0)).toBe(0);
  });
});

describe("E-model MOS as Twilio's preflight computes it", () => {
  it("gives Twilio's figures", () => {
    // Effective latency 10 ms: R = 94.768 - 0.25 = 94.518; MOS = 1 + 0.035 R + 7e-6 R (R - 60)(100 - R).
    const r = 94.768 - 10 / 40;
    expect(eModelMos(0, 0, 0)).toBeCloseTo(1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r), 2);
    expect(eModelMos(0, 0, 0)).toBeCloseTo(4.41, 1);
    // 300 ms RTT, 20 ms jitter, 1% loss: latency 350, R = 94.768 - 23 - 2.5 = 69.268.
    const r2 = 94.768 - (350 - 120) / 10 - 2.5;
    expect(eModelMos(300, 20, 1)).toBeCloseTo(1 + 0.035 * r2 + 0.000007 * r2 * (r2 - 60) * (100 - r2), 2);
    // Beyond 1000 ms of effective latency, or loss above R / 2.5: R = 0, MOS 1.
    expect(eModelMos(1200, 0, 0)).toBe(1);
    expect(eModelMos(20, 2, 50)).toBe(1);
  });

  it("never rises with more RTT, jitter or loss, and stays within 1..4.5", () => {
    const input = fc.tuple(fc.double({ min: 0, max: 1500, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }));
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 100, noNaN: true }), ([rtt, jitter, loss], more) => {
        const mos = eModelMos(rtt, jitter, loss)!;
        expect(mos).toBeGreaterThanOrEqual(1);
        expect(mos).toBeLessThan(4.5);
        expect(eModelMos(rtt + more, jitter, loss)!).toBeLessThanOrEqual(mos + 1e-9);
        expect(eModelMos(rtt, jitter + more, loss)!).toBeLessThanOrEqual(mos + 1e-9);
        expect(eModelMos(rtt, jitter, Math.min(100, loss + more))!).toBeLessThanOrEqual(mos + 1e-9);
      }),
    );
  });

  it("refuses negative or non-finite input as Twilio does", () => {
    expect(eModelMos(-1, 0, 0)).toBeUndefined();
    expect(eModelMos(10, Number.NaN, 0)).toBeUndefined();
  });
});
