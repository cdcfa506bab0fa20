import { describe, expect, it } from "vitest";
import { qualityLoss } from "../../../src/rules/quality-loss.js";
import { qualityRtt } from "../../../src/rules/quality-rtt.js";
import { qualityJitter } from "../../../src/rules/quality-jitter.js";
import { qualityBitrate } from "../../../src/rules/quality-bitrate.js";
import { turnBitrateCap } from "../../../src/rules/turn-bitrate-cap.js";
import { rules } from "../../../src/rules/index.js";
import { runRules } from "../../../src/rules/engine.js";
import type { ConnectivityFact, Facts } from "../../../src/facts/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";
import { measuredPath, quality } from "../../helpers/quality-facts.js";

const withPaths = (...connectivity: ConnectivityFact[]): Facts => ({ ...healthyFacts(), connectivity });
const relay = (patch: Parameters<typeof quality>[0]) => measuredPath("loopback-relay", quality(patch));
const host = (patch: Parameters<typeof quality>[0] = {}) => measuredPath("loopback-host", quality(patch));

describe("quality-loss", () => {
  it.each([
    [0.9, []],
    [2, ["quality-loss/noticeable"]],
    [8, ["quality-loss/high"]],
    [15, ["quality-loss/bad"]],
  ])("%s%% round-trip loss on a relay path", (loss, expected) => {
    expect(kinds(hitsOf(qualityLoss, withPaths(relay({ lossPercent: loss, packetsReceived: 20 }))))).toEqual(expected);
  });

  it("names the path and points at its loss", () => {
    const hits = hitsOf(qualityLoss, withPaths(host(), relay({ lossPercent: 12, packetsReceived: 22 })));
    expect(hits).toEqual([{ rule: "quality-loss", message: "bad", severity: "warning", evidence: ["/connectivity/1/quality/lossPercent"], subjects: ["/connectivity/1"] }]);
    const [finding] = runRules([qualityLoss], withPaths(host(), relay({ lossPercent: 12 })));
    expect(finding?.title).toContain("turn:198.51.100.1:3478?transport=udp");
  });

  it("does not judge the host and srflx loopbacks: they never leave this machine", () => {
    expect(hitsOf(qualityLoss, withPaths(host({ lossPercent: 30 }), measuredPath("loopback-srflx", quality({ lossPercent: 30 }))))).toEqual([]);
  });

  it("gives no verdict on the network when this machine's own loopback lost half as much", () => {
    expect(hitsOf(qualityLoss, withPaths(host({ lossPercent: 6 }), relay({ lossPercent: 12 })))).toEqual([]);
    expect(kinds(hitsOf(qualityLoss, withPaths(host({ lossPercent: 1 }), relay({ lossPercent: 12 }))))).toEqual(["quality-loss/bad"]);
  });

  it("judges the remote peer", () => {
    expect(kinds(hitsOf(qualityLoss, withPaths(measuredPath("remote", quality({ lossPercent: 6 }), "https://sfu.example/whip"))))).toEqual(["quality-loss/high"]);
  });

  it("is silent on a path whose quality was not measured", () => {
    expect(hitsOf(qualityLoss, withPaths(relay({ measured: false, notMeasured: "no-echo", lossPercent: 100 })))).toEqual([]);
  });
});

describe("quality-rtt and quality-jitter", () => {
  it.each([
    [280, []],
    [350, ["quality-rtt/high"]],
    [700, ["quality-rtt/bad"]],
  ])("median RTT %s ms", (medianMs, expected) => {
    expect(kinds(hitsOf(qualityRtt, withPaths(relay({ rtt: { minMs: medianMs - 5, medianMs, p95Ms: medianMs + 5, p99Ms: medianMs + 9 } }))))).toEqual(expected);
  });

  it("warns above 30 ms of jitter", () => {
    expect(kinds(hitsOf(qualityJitter, withPaths(relay({ jitterMs: 29 }))))).toEqual([]);
    expect(hitsOf(qualityJitter, withPaths(relay({ jitterMs: 45 })))).toEqual([
      { rule: "quality-jitter", message: "high", severity: "warning", evidence: ["/connectivity/0/quality/jitterMs"], subjects: ["/connectivity/0"] },
    ]);
  });
});

const ramp = (heldKbps: number, carriedKbps: number, limitedBy: "loss" | "rtt" = "loss") => ({
  heldKbps,
  ceilingKbps: 4000,
  reachedCeiling: false,
  carriedKbps,
  limitedBy,
  carriedAtLimitKbps: carriedKbps,
  steps: [
    { targetKbps: 250, sent: 10, received: 10, lossPercent: 0, carriedKbps: 250, held: heldKbps >= 250 },
    { targetKbps: heldKbps > 0 ? heldKbps * 2 : 250, sent: 10, received: 4, lossPercent: 60, carriedKbps: 200, held: false, limitedBy },
  ],
});

describe("quality-bitrate", () => {
  it.each([
    [0, ["quality-bitrate/too-slow-for-audio"]],
    [500, ["quality-bitrate/too-slow-for-video"]],
    [1000, ["quality-bitrate/video-limited"]],
    [2000, []],
  ])("a relay that held %s kbit/s", (held, expected) => {
    expect(kinds(hitsOf(qualityBitrate, withPaths(relay({ bitrate: ramp(held, held) }))))).toEqual(expected);
  });

  it("points at the held rate and the step that did not hold", () => {
    expect(hitsOf(qualityBitrate, withPaths(relay({ bitrate: ramp(500, 400) })))[0]?.evidence).toEqual(["/connectivity/0/quality/bitrate/heldKbps", "/connectivity/0/quality/bitrate/steps/1"]);
  });

  it("is silent when this machine's own loopback held no more than one step more", () => {
    expect(hitsOf(qualityBitrate, withPaths(host({ bitrate: ramp(1000, 800) }), relay({ bitrate: ramp(500, 400) })))).toEqual([]);
    expect(kinds(hitsOf(qualityBitrate, withPaths(host({ bitrate: ramp(2000, 800) }), relay({ bitrate: ramp(500, 400) }))))).toEqual(["quality-bitrate/too-slow-for-video"]);
  });

  it("is silent when the round trip that stopped the ramp rose at least half as much on this machine's own loopback at that rate", () => {
    const rttAt = (rate: number, rtt: number) => ({ targetKbps: rate, sent: 23, received: 23, lossPercent: 0, medianRttMs: rtt, carriedKbps: rate, held: rtt < 100, ...(rtt < 100 ? {} : { limitedBy: "rtt" as const }) });
    const relayRamp = { ...ramp(1000, 968, "rtt"), steps: [rttAt(1000, 63), rttAt(2000, 133)] };
    const hostRamp = (rtt: number) => ({ heldKbps: 4000, ceilingKbps: 4000, reachedCeiling: true, carriedKbps: 3960, steps: [rttAt(1000, 30), { ...rttAt(2000, rtt), held: true }] });
    // Measured under the whole test suite's load on 2 cores (test/integration/quality-loopback.test.ts).
    expect(hitsOf(qualityBitrate, withPaths(host({ bitrate: hostRamp(76) }), relay({ bitrate: relayRamp })))).toEqual([]);
    expect(kinds(hitsOf(qualityBitrate, withPaths(host({ bitrate: hostRamp(2) }), relay({ bitrate: relayRamp }))))).toEqual(["quality-bitrate/video-limited"]);
  });

  it("is silent when this machine, not the path, was too busy to go faster", () => {
    expect(hitsOf(qualityBitrate, withPaths(relay({ bitrate: { ...ramp(250, 250), limitedBy: "cpu" } })))).toEqual([]);
  });

  it("is silent when the ramp reached its ceiling", () => {
    expect(hitsOf(qualityBitrate, withPaths(relay({})))).toEqual([]);
  });
});

describe("turn-bitrate-cap", () => {
  it("names a relay that carried far less than the host path, with what it carried", () => {
    const facts = withPaths(host({ bitrate: { heldKbps: 4000, ceilingKbps: 4000, reachedCeiling: true, carriedKbps: 1500, steps: [] } }), relay({ bitrate: ramp(500, 210) }));
    expect(hitsOf(turnBitrateCap, facts)).toEqual([
      {
        rule: "turn-bitrate-cap",
        message: "capped",
        severity: "warning",
        evidence: ["/connectivity/1/quality/bitrate/carriedKbps", "/connectivity/0/quality/bitrate/carriedKbps"],
        subjects: ["/connectivity/1"],
      },
    ]);
    const findings = runRules(rules, facts);
    expect(findings.find((f) => f.id === "turn-bitrate-cap")?.title).toBe("TURN server turn:198.51.100.1:3478?transport=udp caps an allocation near 210 kbit/s");
    // The cap explains the narrow relay: its bitrate finding is hidden.
    expect(kinds(reported(findings)).filter((k) => k.startsWith("quality-bitrate"))).toEqual([]);
  });

  it("is silent when this machine's own path was as slow (the machine, not the relay)", () => {
    expect(hitsOf(turnBitrateCap, withPaths(host({ bitrate: ramp(500, 300) }), relay({ bitrate: ramp(500, 210) })))).toEqual([]);
  });

  it("is silent when the relay's ramp ended in a rising RTT, not in loss", () => {
    expect(hitsOf(turnBitrateCap, withPaths(host(), relay({ bitrate: ramp(500, 210, "rtt") })))).toEqual([]);
  });

  it("is silent without a host or srflx reference", () => {
    expect(hitsOf(turnBitrateCap, withPaths(relay({ bitrate: ramp(500, 210) })))).toEqual([]);
  });
});
