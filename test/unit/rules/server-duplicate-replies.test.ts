import { describe, expect, it } from "vitest";
import { serverDuplicateReplies } from "../../../src/rules/server-duplicate-replies.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const exchanges = [
  { request: "Allocate", outcome: "error 401 Unauthorized (challenge)" },
  { request: "Allocate (authenticated)", outcome: "success" },
  { request: "Refresh (lifetime 0)", outcome: "success" },
];

describe("server-duplicate-replies", () => {
  it("names a server that sent more copies of answers than there were exchanges", () => {
    const facts = withServer(healthyFacts(), 1, { exchanges, strayReplies: { notStun: 0, unknownTransaction: 0, duplicates: 98 } });
    expect(hitsOf(serverDuplicateReplies, facts)).toEqual([
      { rule: "server-duplicate-replies", message: "flood", severity: "warning", evidence: ["/servers/1/strayReplies"], subjects: ["/servers/1"] },
    ]);
  });

  it("a copy now and then is the network, not the server", () => {
    expect(hitsOf(serverDuplicateReplies, withServer(healthyFacts(), 1, { exchanges, strayReplies: { notStun: 0, unknownTransaction: 0, duplicates: 3 } }))).toEqual([]);
    expect(hitsOf(serverDuplicateReplies, healthyFacts())).toEqual([]);
  });
});
