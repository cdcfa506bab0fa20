import type { ServerFact } from "../facts/servers.js";
import { defineRule } from "./define-rule.js";
import { plural, serverPath } from "./helpers.js";

/**
 * More copies of answers than requests: the server (or a load balancer that hands each request to
 * several backends, or a forwarding loop) answers every request many times. The first answer is
 * used; the copies are counted and named, because they multiply the server's traffic towards every
 * client and are what a reflection attack is made of.
 */
export const serverDuplicateReplies = defineRule({
  id: "server-duplicate-replies",
  docs: "docs/rules/server-duplicate-replies.md",
  requires: ["servers"],
  messages: {
    flood: { severity: "warning", title: "A STUN/TURN server answers each request many times" },
  },
  supersedes: [],
  check(facts) {
    return facts.servers.filter(floods).map((s) => {
      const copies = s.strayReplies?.duplicates ?? 0;
      return {
        message: "flood" as const,
        explanation:
          `${s.url} (UDP) sent ${plural(copies, "extra copy", "extra copies")} of answers rtc-doctor already had, beyond one per request sent, over ${plural(s.exchanges.length, "exchange")}. ` +
          "The first answer of each was used, so the probe itself is not wrong, but every client gets this many packets per request: on a real network they cost bandwidth, and a server that multiplies its answers can be used to flood others.",
        fix:
          `Check what stands in front of ${s.host}:${s.port}: a load balancer or anycast setup that hands one request to several STUN/TURN servers (each answers), a forwarding loop, or a NAT rule that duplicates packets. ` +
          "One request must reach one server; a single STUN server answers each request once.",
        evidence: [{ path: serverPath(s, "strayReplies"), fact: `${copies} duplicate answers over ${s.exchanges.length} exchanges` }],
        subjects: [serverPath(s)],
      };
    });
  },
});

/** A packet copied on the way now and then is the network; more copies than requests is the server. */
function floods(s: ServerFact): boolean {
  const copies = s.strayReplies?.duplicates ?? 0;
  return copies > 0 && copies > s.exchanges.length;
}
