import { describe, expect, it } from "vitest";
import { whipNoLocation } from "../../../src/rules/whip-no-location.js";
import type { ConnectivityFact } from "../../../src/facts/index.js";
import { healthyFacts, whipRemoteFact } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const remote = (locationMissing?: boolean): ConnectivityFact =>
  whipRemoteFact({
    exchanges: [
      { step: "start", method: "OPTIONS", url: "http://198.51.100.9:8080/whip", status: 204, durationMs: 3, headers: {} },
      { step: "offer", method: "POST", url: "http://198.51.100.9:8080/whip", status: 201, durationMs: 40, headers: { "content-type": "application/sdp" } },
    ],
    ...(locationMissing ? { locationMissing } : {}),
  });

describe("whip-no-location", () => {
  it("names a 201 without Location, pointing at the offer's exchange", () => {
    expect(hitsOf(whipNoLocation, { ...healthyFacts(), connectivity: [remote(true)] })).toEqual([
      { rule: "whip-no-location", message: "no-location", severity: "warning", evidence: ["/connectivity/0/signalling/exchanges/1"], subjects: ["/connectivity/0"] },
    ]);
  });

  it("is silent when the session has its URL", () => {
    expect(hitsOf(whipNoLocation, { ...healthyFacts(), connectivity: [remote()] })).toEqual([]);
  });
});
