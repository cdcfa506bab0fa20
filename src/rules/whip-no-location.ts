import { defineRule } from "./define-rule.js";

/**
 * RFC 9725 section 4.2: the 201 answer to a WHIP offer carries the session URL in Location. Without
 * it the session can be reached by nothing that comes after the answer.
 */
export const whipNoLocation = defineRule({
  id: "whip-no-location",
  docs: "docs/rules/whip-no-location.md",
  requires: ["connectivity"],
  messages: {
    "no-location": { severity: "warning", title: "The WHIP endpoint gives no session URL (201 without Location)" },
  },
  supersedes: [],
  check(facts) {
    return (facts.connectivity ?? []).flatMap((c, i) => {
      if (c.mode !== "remote" || c.signalling?.locationMissing !== true) return [];
      const offer = c.signalling.exchanges.findIndex((e) => e.step === "offer" && e.status === 201);
      return [
        {
          message: "no-location" as const,
          explanation:
            `${c.via ?? "The WHIP endpoint"} answered the offer with 201 Created but without a Location header, so the session it created has no URL. ` +
            "Everything WHIP does after the answer goes to that URL: trickled candidates (PATCH), an ICE restart when the network changes (PATCH with new credentials) and the end of the session (DELETE). " +
            "Clients that trickle never deliver their later candidates, a call cannot recover from a network change, and sessions stay open on the server until they time out.",
          fix: "Return `Location: <session URL>` (absolute, or relative to the endpoint) with every 201, and accept PATCH and DELETE on it; an `ETag` as well when ICE restarts are supported.",
          evidence: [
            {
              path: offer >= 0 ? `/connectivity/${i}/signalling/exchanges/${offer}` : `/connectivity/${i}/signalling/locationMissing`,
              fact: "201 Created without a Location header",
            },
          ],
          subjects: [`/connectivity/${i}`],
        },
      ];
    });
  },
});
