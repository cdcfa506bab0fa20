import { describe, expect, it } from "vitest";
import { farSideTooManyCandidates } from "../../../src/rules/far-side-too-many-candidates.js";
import type { ConnectivityFact } from "../../../src/facts/index.js";
import { healthyFacts, whipRemoteFact } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const remote = (capped?: { received: number; kept: number }): ConnectivityFact =>
  whipRemoteFact(capped ? { answerCandidatesCapped: capped } : {}, { via: "http://198.51.100.9:7860/whip" });

describe("far-side-too-many-candidates", () => {
  it("fires on a remote answer that was capped, pointing at the count", () => {
    const facts = { ...healthyFacts(), connectivity: [remote({ received: 20_004, kept: 64 })] };
    expect(hitsOf(farSideTooManyCandidates, facts)).toEqual([
      { rule: "far-side-too-many-candidates", message: "answer-capped", severity: "warning", evidence: ["/connectivity/0/signalling/answerCandidatesCapped"], subjects: ["/connectivity/0"] },
    ]);
  });

  it("is silent for an answer within the bound", () => {
    expect(hitsOf(farSideTooManyCandidates, { ...healthyFacts(), connectivity: [remote()] })).toEqual([]);
  });
});
