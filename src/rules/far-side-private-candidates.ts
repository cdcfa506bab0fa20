import { defineRule } from "./define-rule.js";
import { candidateEvidence, candidatesOf, isReachableFromAnywhere, sideName } from "./session-helpers.js";

/**
 * The far side offers candidates, but every one is an address only its own network can reach:
 * private, loopback, link-local, CGNAT or a container bridge. Root cause 2 and 4 and 6 of the notes:
 * a server with no STUN/TURN configured, a container without published ports, a cloud VM behind
 * 1:1 NAT that announces its private address.
 */
const TITLE = "The far side offers only private (unreachable) addresses";

export const farSidePrivateCandidates = defineRule({
  id: "far-side-private-candidates",
  docs: "docs/rules/far-side-private-candidates.md",
  requires: ["session"],
  messages: {
    "private-only": { severity: "error", title: TITLE },
    "container-bridge-only": { severity: "error", title: TITLE },
    "loopback-only": { severity: "error", title: TITLE },
    // The capture shows this call connected anyway: the far side reached us and its checks made a
    // peer-reflexive candidate (or both sides share a network). Other users' calls will not.
    "connected-anyway": { severity: "warning", title: "The far side offers only private addresses; this call connected only because the far side reached this peer itself" },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    if (!session) return [];
    const remote = candidatesOf(session, "remote");
    // All-mDNS is its own cause (far-side-mdns-only); a mix is judged on its IP candidates.
    const withIp = remote.filter((c) => c.addressClass !== "mdns");
    if (withIp.length === 0 || withIp.some(isReachableFromAnywhere)) return [];
    const bridge = withIp.some((c) => c.addressClass === "container-bridge");
    const loopback = withIp.every((c) => c.addressClass === "loopback");
    const hasSrflxOrRelay = withIp.some((c) => c.type === "srflx" || c.type === "relay");
    const name = sideName(session, "remote");
    const connected = session.pairs?.find((p) => p.state === "succeeded" && (p.selected || p.nominated));
    if (connected) {
      return [
        {
          message: "connected-anyway" as const,
          explanation:
            `Every candidate ${name} offers is an address that only its own network can reach (${[...new Set(withIp.map((c) => c.addressClass))].join(", ")}), yet this call connected over ` +
            `${connected.local.type} ${connected.local.address}:${connected.local.port} <-> ${connected.remote.type} ${connected.remote.address}:${connected.remote.port}. ` +
            (connected.remote.type === "prflx"
              ? "The far side's own checks reached this peer, which learned its address from them (a peer-reflexive candidate): that works only while this side is directly reachable (a public address, or a NAT that lets the far side's packets in). "
              : "Both ends reach each other on the same network. ") +
            "A user behind a symmetric NAT or a firewall that drops unsolicited UDP, or anywhere else on the internet, cannot connect to these addresses and stays in checking.",
          fix: "Give the far side (the server/bot) ICE servers: a STUN URL so it offers its public address, and a TURN URL so a relay path exists; on a cloud VM behind 1:1 NAT, also announce the public address.",
          evidence: candidateEvidence(session, "remote"),
          subjects: ["/session/remote"],
        },
      ];
    }
    return [
      {
        message: bridge ? ("container-bridge-only" as const) : loopback ? ("loopback-only" as const) : ("private-only" as const),
        explanation:
          `Every candidate ${name} offers is an address that only its own network can reach (${[...new Set(withIp.map((c) => c.addressClass))].join(", ")}). ` +
          (hasSrflxOrRelay
            ? "Even its server-reflexive/relay candidates are private: its STUN/TURN server sits inside the same private network. "
            : "It has no server-reflexive or relay candidate: it gathered without a working STUN/TURN server. ") +
          "A peer elsewhere sends its checks to addresses that lead nowhere, and unless that peer is on the same LAN (or reachable directly so that a peer-reflexive candidate forms), ICE stays in checking.",
        fix: bridge
          ? "The far side runs in a container on Docker's default bridge: run it with host networking (docker run --network host), or publish its UDP port range and set the public IP as its ICE host address (e.g. NAT 1:1 / external IP option), and give it a STUN and TURN server."
          : loopback
            ? "The far side offers only 127.0.0.1/::1: it is bound to loopback. Bind it to a real interface (or 0.0.0.0) and give it a STUN/TURN server."
            : "Give the far side (the server/bot) ICE servers: a STUN URL so it learns its public address, and a TURN URL so a relay path exists (Pipecat: pass ice_servers to the SmallWebRTC connection; aiortc: RTCConfiguration(iceServers=...)). " +
              "On a cloud VM behind 1:1 NAT, also announce the public address (coturn: external-ip=PUBLIC/PRIVATE; Janus: nat_1_1_mapping; mediasoup: announcedIp), and open the UDP port range in the security group.",
        evidence: candidateEvidence(session, "remote"),
        subjects: ["/session/remote"],
      },
    ];
  },
});
