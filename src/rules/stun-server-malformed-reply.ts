import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

/** Something answers on the STUN URL's port, but not with STUN: not the same fault as silence. */
export const stunServerMalformedReply = defineRule({
  id: "stun-server-malformed-reply",
  docs: "docs/rules/stun-server-malformed-reply.md",
  requires: ["servers"],
  messages: {
    "not-stun": { severity: "error", title: "A STUN server answers, but not with STUN" },
  },
  supersedes: [],
  check(facts) {
    return facts.servers
      .filter((s) => s.kind === "stun" && s.error?.code === "malformed-reply")
      .map((s) => ({
        message: "not-stun" as const,
        explanation:
          `${s.url} (${s.transport.toUpperCase()}) answered, but not with a STUN response to the request: ${detailOf(s.error)}. ` +
          "The path is open (something at that address replies), so this is not a firewall: the service on that port is not a STUN server, or one that corrupts its answers, and no server-reflexive candidate comes from it.",
        fix:
          `Check the port of ${s.url}: another service (DNS, a game or media server, a TURN server's other port) may listen there. ` +
          "If a load balancer or proxy sits in front of the STUN server, make it pass UDP through unchanged; a STUN server that answers with another transaction id is broken and needs an update.",
        evidence: [errorEvidence(s), ...(s.strayReplies ? [{ path: serverPath(s, "strayReplies"), fact: `${s.strayReplies.notStun} not STUN, ${s.strayReplies.unknownTransaction} with an unknown transaction id` }] : [])],
        subjects: [serverPath(s)],
      }));
  },
});
