import { describe, expect, it } from "vitest";
import type { CandidatePairFact } from "../../../src/facts/session.js";
import { boundPairs, MAX_REPORTED_PAIRS } from "../../../src/webrtc/pair-stats.js";

const end = (port: number) => ({ type: "host" as const, protocol: "udp" as const, address: "10.0.0.1", port, component: 1, addressClass: "private" as const, family: 4 as const });
const pair = (i: number, state: CandidatePairFact["state"], extra: Partial<CandidatePairFact> = {}): CandidatePairFact => ({
  state,
  nominated: false,
  selected: false,
  local: end(1000 + i),
  remote: end(2000 + i),
  requestsSent: 2,
  responsesReceived: state === "succeeded" ? 1 : 0,
  requestsReceived: 1,
  ...extra,
});

describe("boundPairs", () => {
  it("lists every pair up to the bound", () => {
    const pairs = Array.from({ length: MAX_REPORTED_PAIRS }, (_, i) => pair(i, "failed"));
    expect(boundPairs(pairs)).toEqual({ listed: pairs });
  });

  it("past the bound keeps the selected, nominated and succeeded pairs and sums up the rest", () => {
    const pairs = [
      ...Array.from({ length: 100 }, (_, i) => pair(i, i % 2 ? "failed" : "frozen")),
      pair(100, "succeeded"),
      pair(101, "succeeded", { nominated: true, selected: true }),
    ];
    const { listed, omitted } = boundPairs(pairs);
    expect(listed).toHaveLength(MAX_REPORTED_PAIRS);
    expect(listed.map((p) => p.local.port)).toContain(1101);
    expect(listed.map((p) => p.local.port)).toContain(1100);
    // werift's order is kept among those listed.
    expect(listed.map((p) => p.local.port)).toEqual([...listed.map((p) => p.local.port)].sort((a, b) => a - b));
    expect(omitted).toEqual({ count: 102 - MAX_REPORTED_PAIRS, byState: { frozen: 50, failed: 20 }, requestsSent: 140, responsesReceived: 0, requestsReceived: 70 });
  });
});
