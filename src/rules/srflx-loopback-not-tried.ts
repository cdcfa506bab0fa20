import { defineRule } from "./define-rule.js";

/**
 * The srflx loopback was not made: this NAT failed its hairpinning test, so two peers behind it
 * cannot reach each other through its public address. Not a fault of the network for calls to
 * peers elsewhere; it matters only between two peers behind this same NAT.
 */
export const srflxLoopbackNotTried = defineRule({
  id: "srflx-loopback-not-tried",
  docs: "docs/rules/srflx-loopback-not-tried.md",
  requires: ["connectivity", "nat"],
  messages: {
    "no-hairpinning": { severity: "info", title: "This NAT does not hairpin: the server-reflexive loopback was not tried" },
  },
  supersedes: [],
  check(facts) {
    return (facts.connectivity ?? []).flatMap((fact, i) =>
      fact.notAttempted === "no-hairpinning"
        ? [
            {
              message: "no-hairpinning" as const,
              explanation:
                "NAT discovery sent a request to this host's own public address and it never came back: the NAT does not hairpin. " +
                `The server-reflexive loopback${fact.via ? ` via ${fact.via}` : ""} has both peers behind this NAT, each sending to that public address, so it could only wait out its connect timeout; it was not made. ` +
                "Calls to peers on other networks are not affected: they reach this NAT's public address from outside.",
              fix: "Nothing is needed for calls between networks. Between two peers behind this same NAT only host candidates (the same LAN) or a TURN relay work; a NAT you run can enable hairpinning (NAT loopback, often called NAT reflection).",
              evidence: [
                { path: "/nat/hairpinning", fact: "the NAT's hairpinning test: our request to our own public address did not come back" },
                { path: `/connectivity/${i}/notAttempted`, fact: "the srflx loopback was not attempted" },
              ],
              subjects: [`/connectivity/${i}`],
            },
          ]
        : [],
    );
  },
});
