import { describe, expect, it } from "vitest";
import { EXPECTATION_SYNTAX, parseExpectation } from "../../../src/config/expectations.js";
import { ConfigError } from "../../../src/config/errors.js";
import { evaluateExpectations } from "../../../src/diagnose/expectations.js";
import type { ConnectivityFact, Facts } from "../../../src/facts/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { measuredPath, quality } from "../../helpers/quality-facts.js";

const judge = (text: string, connectivity: ConnectivityFact[]) => evaluateExpectations([parseExpectation(text)], { ...healthyFacts(), connectivity } as Facts)[0]!;

describe("parsing the quality expectations", () => {
  it.each([
    ["loss<2", { kind: "loss", maxPercent: 2, text: "loss<2" }],
    ["loss < 0.5%", { kind: "loss", maxPercent: 0.5, text: "loss<0.5" }],
    ["mos>3.5", { kind: "mos", min: 3.5, text: "mos>3.5" }],
    ["jitter<30ms", { kind: "jitter", maxMs: 30, text: "jitter<30" }],
    ["bitrate>500k", { kind: "bitrate", minKbps: 500, text: "bitrate>500k" }],
    ["BITRATE>2M", { kind: "bitrate", minKbps: 2000, text: "bitrate>2m" }],
    ["bitrate>64000", { kind: "bitrate", minKbps: 64, text: "bitrate>64k" }],
  ])("%s", (raw, parsed) => {
    expect(parseExpectation(raw)).toEqual(parsed);
  });

  it.each([
    ["loss>2", /write quality bounds as/],
    ["loss<0", /above 0 and at most 100/],
    ["mos>5", /from 1 to below 4.5/],
    ["jitter>3", /write quality bounds as/],
    ["bitrate>fast", /write quality bounds as/],
  ])("rejects %s with a ConfigError naming the syntax", (raw, message) => {
    expect(() => parseExpectation(raw)).toThrow(ConfigError);
    expect(() => parseExpectation(raw)).toThrow(message);
  });

  it("lists them in EXPECTATION_SYNTAX", () => {
    expect(EXPECTATION_SYNTAX).toContain("loss<PERCENT, mos>N, jitter<MS, bitrate>N[k|M]");
  });
});

describe("evaluating the quality expectations", () => {
  const hostPath = measuredPath("loopback-host", quality({ lossPercent: 0, mos: 4.4 }));
  const goodRelay = measuredPath("loopback-relay", quality({ lossPercent: 0 }), "turn:198.51.100.1:3478");
  const lossyRelay = measuredPath("loopback-relay", quality({ lossPercent: 8, mos: 3.1, jitterMs: 40, bitrate: { heldKbps: 250, ceilingKbps: 4000, reachedCeiling: false, carriedKbps: 200, steps: [] } }), "turn:198.51.100.2:3478");

  it("holds every relay and remote path to the bound and names the worst", () => {
    expect(judge("loss<2", [hostPath, goodRelay, lossyRelay])).toEqual({
      expectation: "loss<2",
      met: false,
      actual: "loopback-relay via turn:198.51.100.2:3478: 8% loss (1 of 2 paths fail)",
      path: "/connectivity/2/quality/lossPercent",
    });
    expect(judge("loss<2", [hostPath, goodRelay])).toMatchObject({ met: true, path: "/connectivity/1/quality/lossPercent" });
    expect(judge("mos>3.5", [lossyRelay]).met).toBe(false);
    expect(judge("jitter<30", [lossyRelay]).met).toBe(false);
    expect(judge("bitrate>500k", [lossyRelay])).toMatchObject({ met: false, actual: "loopback-relay via turn:198.51.100.2:3478: held 250 kbit/s", path: "/connectivity/0/quality/bitrate/heldKbps" });
    expect(judge("bitrate>2m", [goodRelay]).met).toBe(true);
  });

  it("falls back to the loopbacks when no network path was measured", () => {
    expect(judge("mos>4", [hostPath])).toMatchObject({ met: true, path: "/connectivity/0/quality/mos" });
  });

  it("is unmet and says why when quality was not measured", () => {
    const skipped = { ...hostPath, quality: undefined };
    expect(judge("loss<2", [skipped]).actual).toMatch(/^not measured: quality was not measured \(turned off with \{option:qualityDurationMs\} 0\)/);
    const silent = measuredPath("remote", quality({ measured: false, notMeasured: "no-echo" }), "https://bot.example/api/offer");
    expect(judge("loss<2", [silent])).toMatchObject({ met: false, actual: "not measured: no connected path had its quality measured" });
  });
});
