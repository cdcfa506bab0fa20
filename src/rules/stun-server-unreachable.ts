import type { Rule } from "./types.js";
import { errorEvidence, isUnreachable } from "./helpers.js";

export const stunServerUnreachable: Rule = {
  id: "stun-server-unreachable",
  severity: "warning",
  title: "A STUN server does not answer",
  docs: "docs/rules/stun-server-unreachable.md",
  check(facts) {
    const stun = facts.servers.filter((s) => s.kind === "stun");
    // When NAT discovery found UDP blocked altogether, the udp-blocked finding already names this cause.
    const udpBlocked = facts.nat?.classic === "udp-blocked";
    const dead = stun.filter((s) => isUnreachable(s) && !(udpBlocked && s.transport === "udp"));
    if (dead.length === 0) return [];
    // With no STUN answer at all there is no server-reflexive candidate: that is what breaks ICE, so it is an error.
    const none = dead.length === stun.length;
    return dead.map((s) => ({
      severity: none ? ("error" as const) : ("warning" as const),
      explanation:
        `${s.url} (${s.transport.toUpperCase()}) gave no answer: ${s.error?.message ?? "no response"}. ` +
        (none
          ? "No STUN server answered, so this host learns no public address (no srflx candidate) and a peer outside this network can only reach it through a relay."
          : "Other STUN servers answered, so this one is down, mistyped, or its port is filtered on this path."),
      fix: none
        ? "Allow outbound UDP to the STUN port (often 3478 or 19302) in the firewall, or configure a TURN server reachable over TCP/TLS 443."
        : `Check the host and port of ${s.url}, or remove it from the configuration.`,
      evidence: [errorEvidence(s)],
    }));
  },
};
