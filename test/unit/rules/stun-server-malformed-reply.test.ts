import { describe, expect, it } from "vitest";
import { stunServerMalformedReply } from "../../../src/rules/stun-server-malformed-reply.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

describe("stun-server-malformed-reply", () => {
  it("fires for a STUN server whose replies were not STUN, with the counts as evidence", () => {
    const facts = withServer(healthyFacts(), 0, { ok: false, error: { code: "malformed-reply", detail: "no valid answer, but 7 replies that were not STUN", message: "x" }, strayReplies: { notStun: 7, unknownTransaction: 0 } });
    expect(hitsOf(stunServerMalformedReply, facts)).toEqual([
      { rule: "stun-server-malformed-reply", message: "not-stun", severity: "error", evidence: ["/servers/0/error", "/servers/0/strayReplies"], subjects: ["/servers/0"] },
    ]);
  });
  it("leaves TURN servers to turn-allocation-refused, and silence to the unreachable rules", () => {
    expect(hitsOf(stunServerMalformedReply, withServer(healthyFacts(), 1, { ok: false, error: { code: "malformed-reply", detail: "x", message: "x" } }))).toEqual([]);
    expect(hitsOf(stunServerMalformedReply, withServer(healthyFacts(), 0, { ok: false, error: { code: "timeout", detail: "x", message: "x" } }))).toEqual([]);
  });
});
