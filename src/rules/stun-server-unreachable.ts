import { defineRule } from "./define-rule.js";
import { errorEvidence, isUnreachable, serverPath } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

export const stunServerUnreachable = defineRule({
  id: "stun-server-unreachable",
  docs: "docs/rules/stun-server-unreachable.md",
  requires: ["servers"],
  messages: {
    "none-answers": { severity: "error", title: "A STUN server does not answer" },
    "one-of-several": { severity: "warning", title: "A STUN server does not answer" },
  },
  supersedes: [],
  check(facts) {
    const stun = facts.servers.filter((s) => s.kind === "stun");
    const dead = stun.filter(isUnreachable);
    if (dead.length === 0) return [];
    // With no STUN answer at all there is no server-reflexive candidate: that is what breaks ICE, so it is an error.
    const none = dead.length === stun.length;
    return dead.map((s) => ({
      message: none ? ("none-answers" as const) : ("one-of-several" as const),
      explanation:
        `${s.url} (${s.transport.toUpperCase()}) gave no answer: ${detailOf(s.error) ?? "no response"}. ` +
        (none
          ? "No STUN server answered, so this host learns no public address (no srflx candidate) and a peer outside this network can only reach it through a relay."
          : "Other STUN servers answered, so this one is down, mistyped, or its port is filtered on this path."),
      fix: none
        ? "Allow outbound UDP to the STUN port (often 3478 or 19302) in the firewall, or configure a TURN server reachable over TCP/TLS 443."
        : `Check the host and port of ${s.url}, or remove it from the configuration.`,
      evidence: [errorEvidence(s)],
      subjects: [serverPath(s)],
    }));
  },
});
