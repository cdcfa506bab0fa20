import { defineRule } from "./define-rule.js";
import { turnServers } from "./helpers.js";

export const noTurnConfigured = defineRule({
  id: "no-turn-configured",
  docs: "docs/rules/no-turn-configured.md",
  requires: [],
  messages: {
    "stun-only": { severity: "warning", title: "No TURN server is configured: there is no relay path" },
  },
  supersedes: [],
  check(facts) {
    if (turnServers(facts.servers).length > 0) return [];
    // explain: nothing was probed; only a dump's configuration (counted in config) says what was configured.
    if (facts.session && facts.servers.length === 0 && (facts.config.turnCount > 0 || facts.config.stunCount === 0)) return [];
    return [
      {
        message: "stun-only",
        explanation:
          "Only STUN servers are configured. STUN lets peers learn their public address, but when either side is behind a symmetric NAT, " +
          "a carrier-grade NAT or a firewall that blocks UDP, a direct path cannot form and ICE stays in checking. A TURN relay is the only path then " +
          "(roughly 10-20% of real-world sessions need one).",
        fix:
          "Add a TURN server to both peers' iceServers, ideally with turn:HOST:3478?transport=udp plus turns:HOST:443?transport=tcp for strict networks " +
          "(run coturn, or use a managed TURN service), then rerun the check with it: {option:turn} turn:HOST:3478 with {option:username} and {option:credential}.",
        evidence: [
          {
            path: "/config",
            fact: facts.config.usedDefaultServers
              ? "no ICE servers were given; the built-in public STUN list was used"
              : `${facts.config.stunCount} STUN and 0 TURN URLs configured`,
          },
        ],
        subjects: ["/config"],
      },
    ];
  },
});
