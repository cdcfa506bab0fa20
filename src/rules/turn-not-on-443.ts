import { defineRule } from "./define-rule.js";
import { serverPath, turnServers } from "./helpers.js";

/**
 * Networks that block UDP (corporate proxies, some hotels and public Wi-Fi) nearly always let TCP 443
 * out, and often nothing else: a TURN URL on 443 is what reaches users there.
 */
const TITLE = "No TURN URL on port 443: users behind strict firewalls get no relay";

export const turnNotOn443 = defineRule({
  id: "turn-not-on-443",
  docs: "docs/rules/turn-not-on-443.md",
  requires: ["servers"],
  messages: {
    "tls-elsewhere": { severity: "warning", title: TITLE },
    "tcp-elsewhere": { severity: "warning", title: TITLE },
    "udp-only": { severity: "warning", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    const turn = turnServers(facts.servers);
    if (turn.length === 0) return [];
    if (turn.some((s) => s.port === 443 && s.transport !== "udp")) return [];
    const stream = turn.filter((s) => s.transport !== "udp");
    const tlsElsewhere = stream.filter((s) => s.transport === "tls");
    return [
      {
        message: tlsElsewhere.length > 0 ? ("tls-elsewhere" as const) : stream.length > 0 ? ("tcp-elsewhere" as const) : ("udp-only" as const),
        explanation:
          (tlsElsewhere.length > 0
            ? `TURN over TLS is configured, but only on port ${[...new Set(tlsElsewhere.map((s) => s.port))].join(", ")}. `
            : stream.length > 0
              ? `TURN over TCP is configured, but only on port ${[...new Set(stream.map((s) => s.port))].join(", ")}, and there is no turns: URL. `
              : "TURN is configured over UDP only. ") +
          "Networks that block UDP usually allow outbound TCP to port 443 and little else, and some inspect it for TLS: from there none of these URLs can be reached, " +
          "so users on such networks get no relay and their calls stay in ICE checking, while the same check passes from here.",
        fix:
          "Add turns:HOST:443?transport=tcp to every client's iceServers, with a certificate for HOST (coturn: tls-listening-port=443 on an IP where nothing else uses 443, " +
          "or alt-tls-listening-port; cert= and pkey=; a managed TURN service usually offers a 443 URL). Keep the UDP URL first: it is faster where UDP works.",
        evidence: turn.map((s) => ({ path: serverPath(s), fact: `${s.url}: ${s.transport.toUpperCase()} to port ${s.port}` })),
        subjects: turn.map((s) => serverPath(s)),
      },
    ];
  },
});
