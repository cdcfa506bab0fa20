import { defineRule } from "./define-rule.js";
import { canPair, candidateEvidence, candidatesOf, sideName, type Side, capitalise } from "./session-helpers.js";

/**
 * One side offers only ICE-TCP candidates (a media server with UDP disabled, or a client whose UDP is
 * blocked) and the other has no TCP candidate that can pair with them: not one pair forms. Browsers
 * gather TCP host candidates only as active, so they pair with passive candidates only.
 */
const TITLE = "ICE-TCP candidates on one side only: no candidate pair can form";

export const iceTcpOneSide = defineRule({
  id: "ice-tcp-one-side",
  docs: "docs/rules/ice-tcp-one-side.md",
  requires: ["session"],
  messages: {
    "other-side-no-tcp": { severity: "error", title: TITLE },
    "tcp-types-cannot-pair": { severity: "error", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    if (!session) return [];
    const local = candidatesOf(session, "local");
    const remote = candidatesOf(session, "remote");
    if (local.length === 0 || remote.length === 0) return [];
    if (local.some((l) => remote.some((r) => canPair(l, r)))) return [];
    const tcpOnly = (["local", "remote"] as Side[]).find((side) => candidatesOf(session, side).every((c) => c.protocol === "tcp"));
    // No pair for another reason (families) is not an ICE-TCP problem.
    if (!tcpOnly) return [];
    const other: Side = tcpOnly === "local" ? "remote" : "local";
    const otherTcp = candidatesOf(session, other).filter((c) => c.protocol === "tcp");
    return [
      {
        message: otherTcp.length === 0 ? ("other-side-no-tcp" as const) : ("tcp-types-cannot-pair" as const),
        explanation:
          `${capitalise(sideName(session, tcpOnly))} offers only TCP candidates (ICE-TCP, RFC 6544) and ${sideName(session, other)} ` +
          (otherTcp.length === 0 ? "offers no TCP candidate at all" : `has only TCP candidates that cannot pair with them (${[...new Set(otherTcp.map((c) => c.tcpType ?? "?"))].join("/")} with ${[...new Set(candidatesOf(session, tcpOnly).map((c) => c.tcpType ?? "?"))].join("/")})`) +
          ". No candidate pair can form, so ICE has nothing to check.",
        fix:
          `Enable UDP candidates on ${sideName(session, tcpOnly)} (for a media server: its UDP port range and its firewall), or give ${sideName(session, other)} ICE-TCP (passive candidates on a server, e.g. LiveKit rtc.tcp_port, Janus ice_tcp) ` +
          "or, most reliably, a TURN server over TCP/TLS 443 on both sides, which carries UDP candidates over TCP.",
        evidence: [...candidateEvidence(session, tcpOnly, 3), ...candidateEvidence(session, other, 3)],
        subjects: ["/session/local", "/session/remote"],
      },
    ];
  },
});
