import type { ServerFact } from "../facts/index.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";

/**
 * TURN/UDP URLs that got no answer, or a router's ICMP "prohibited", while the same host answers TURN
 * over TCP or TLS. A port unreachable is the server's own answer: turn-server-unreachable says it.
 */
function udpBlockedTowards(servers: readonly ServerFact[]): ServerFact[] {
  const turn = turnServers(servers);
  const blockedOnTheWay = (s: ServerFact) => s.error?.code === "timeout" || (s.error?.code === "network-unreachable" && s.exchanges.length > 0);
  return turn.filter(
    (s) =>
      s.transport === "udp" &&
      blockedOnTheWay(s) &&
      turn.some((o) => o.ok && o.transport !== "udp" && o.host.toLowerCase() === s.host.toLowerCase()),
  );
}

export const turnUdpBlocked = defineRule({
  id: "turn-udp-blocked",
  docs: "docs/rules/turn-udp-blocked.md",
  requires: ["servers"],
  messages: {
    "udp-blocked-tcp-works": { severity: "warning", title: "TURN works over TCP/TLS but not over UDP" },
  },
  // A working TCP/TLS URL on the same host shows the server is up: the UDP timeout is the path, said here.
  supersedes: ["turn-server-unreachable"],
  check(facts) {
    return udpBlockedTowards(facts.servers).map((s) => {
      const working = turnServers(facts.servers).filter(
        (o) => o.ok && o.transport !== "udp" && o.host.toLowerCase() === s.host.toLowerCase(),
      );
      return {
        message: "udp-blocked-tcp-works" as const,
        explanation:
          `The TURN server ${s.host} answers over ${working.map((w) => w.transport.toUpperCase()).join("/")} but not over UDP port ${s.port}. ` +
          "UDP towards it is blocked on this path (a firewall here, or the server's own inbound rules). Calls will still connect through TCP/TLS, " +
          "with higher latency and head-of-line blocking under loss; a client that only has the UDP URL gets no relay at all.",
        fix:
          `Open UDP ${s.port} towards ${s.host} (outbound here, inbound in the server's firewall or security group), ` +
          "or keep the TCP/TLS URLs in every client's iceServers so the fallback is always offered.",
        evidence: [errorEvidence(s), ...working.map((w) => ({ path: serverPath(w), fact: `${w.url}: relay allocated over ${w.transport.toUpperCase()}` }))],
        subjects: [serverPath(s)],
      };
    });
  },
});
