import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RTO_CEILING_MS, RTO_FLOOR_MS, firstContactPlan, planFromRtt, rttSample } from "../../../src/probes/nat/timing.js";

describe("timeouts from the measured RTT", () => {
  it("a negative test costs well under a second on a low-latency path", () => {
    expect(planFromRtt(1)).toEqual({ initialRtoMs: RTO_FLOOR_MS, attempts: 3, timeoutMs: 350 });
    expect(planFromRtt(20).timeoutMs).toBeLessThan(1000);
  });

  it("every wait is bounded, grows with the RTT, and leaves room for three sends", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.double({ min: 0, max: 10_000, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const pl = planFromRtt(lo);
        const ph = planFromRtt(hi);
        expect(pl.timeoutMs).toBeLessThanOrEqual(ph.timeoutMs);
        expect(ph.initialRtoMs).toBeGreaterThanOrEqual(RTO_FLOOR_MS);
        expect(ph.initialRtoMs).toBeLessThanOrEqual(RTO_CEILING_MS);
        expect(ph.timeoutMs).toBe(ph.initialRtoMs * 7);
        expect(ph.attempts).toBe(3);
      }),
    );
  });

  it("the first contact stays within the run's timeout", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 60_000 }), (timeoutMs) => {
        const plan = firstContactPlan(timeoutMs);
        expect(plan.timeoutMs).toBe(timeoutMs);
        // The last send happens before the deadline.
        expect(plan.initialRtoMs * (2 ** (plan.attempts - 1) - 1)).toBeLessThan(timeoutMs);
      }),
    );
  });

  it("after a retransmission the RTT sample is the time since the first send (Karn)", () => {
    expect(rttSample(2, 0, 150)).toBe(2);
    expect(rttSample(2, 1, 150)).toBe(150);
  });
});
