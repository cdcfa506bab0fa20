import { describe, expect, it } from "vitest";
import { render } from "../../../src/report/index.js";
import { buildReport } from "../../../src/report/build.js";
import { diagnose } from "../../../src/diagnose/index.js";
import type { Facts } from "../../../src/facts/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { measuredPath, quality } from "../../helpers/quality-facts.js";
import { expectValidReport } from "../../helpers/schema.js";

const capped = quality({
  lossPercent: 4,
  packetsReceived: 24,
  bitrate: {
    heldKbps: 500,
    ceilingKbps: 4000,
    reachedCeiling: false,
    carriedKbps: 210,
    carriedAtLimitKbps: 300,
    limitedBy: "loss",
    steps: [
      { targetKbps: 250, sent: 10, received: 10, lossPercent: 0, medianRttMs: 1.2, carriedKbps: 250, loopDelayMs: 6, held: true },
      { targetKbps: 500, sent: 10, received: 10, lossPercent: 0, medianRttMs: 1.3, carriedKbps: 500, loopDelayMs: 6, held: true },
      { targetKbps: 1000, sent: 11, received: 3, lossPercent: 72.73, medianRttMs: 1.4, carriedKbps: 300, loopDelayMs: 7, held: false, limitedBy: "loss" },
    ],
  },
});

function report() {
  const facts: Facts = {
    ...healthyFacts(),
    connectivity: [
      measuredPath("loopback-host", quality()),
      measuredPath("loopback-relay", capped),
      measuredPath("remote", quality({ measured: false, notMeasured: "no-echo", packetsReceived: 0, lossPercent: 100 }), "https://bot.example/api/offer"),
    ],
  };
  return buildReport(facts, diagnose(facts), { startedAt: new Date(0), durationMs: 1 });
}

describe("quality in the report", () => {
  it("fits the JSON schema", () => {
    expectValidReport(JSON.parse(render(report(), "json", { color: false })));
  });

  it("shows each path's quality in human, Markdown and JUnit", () => {
    for (const format of ["human", "markdown", "junit"] as const) {
      const text = render(report(), format, { color: false });
      expect(text, format).toContain("quality: loss 4% (24/25 back), RTT 24 ms (min 20, p95 30, p99 31), jitter 2 ms, MOS 4.4, bitrate held 500 kbit/s, then loss, carried 210 kbit/s");
      expect(text, format).toContain("bitrate held at least 4 Mbit/s (top of the ramp)");
      expect(text, format).toContain("quality not measured: the far end did not echo the flood");
    }
  });

  it("names the capping TURN server among the findings", () => {
    expect(report().findings.map((f) => f.id)).toContain("turn-bitrate-cap");
  });
});
