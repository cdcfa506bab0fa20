import type { Rule } from "./types.js";
import { errorEvidence, isUnreachable, turnServers } from "./helpers.js";
import { udpBlockedTowards } from "./turn-udp-blocked.js";

export const turnServerUnreachable: Rule = {
  id: "turn-server-unreachable",
  severity: "error",
  title: "A TURN server does not answer",
  docs: "docs/rules/turn-server-unreachable.md",
  check(facts) {
    const explainedByUdpBlock = new Set(udpBlockedTowards(facts.servers).map((s) => s.index));
    // UDP blocked on this whole network (NAT discovery) explains every UDP timeout: udp-blocked says so once.
    if (facts.nat?.classic === "udp-blocked") {
      for (const s of facts.servers) if (s.transport === "udp") explainedByUdpBlock.add(s.index);
    }
    return turnServers(facts.servers)
      .filter((s) => isUnreachable(s) && !explainedByUdpBlock.has(s.index))
      .map((s) => ({
        explanation:
          `${s.url} (${s.transport.toUpperCase()} to port ${s.port}) gave no answer: ${s.error?.message ?? "no response"}. ` +
          "Without an answer there is no relay candidate through it, so peers that cannot reach each other directly will sit in ICE checking.",
        fix:
          s.error?.code === "connection-refused"
            ? `Nothing accepts ${s.transport.toUpperCase()} connections on ${s.host}:${s.port}: check the port and that the TURN server listens on it (coturn: listening-port / tls-listening-port).`
            : `Check the host and port, that the TURN server is running, and that ${s.transport.toUpperCase()} port ${s.port} is open in its firewall or security group and in this network's outbound rules.`,
        evidence: [errorEvidence(s)],
      }));
  },
};
