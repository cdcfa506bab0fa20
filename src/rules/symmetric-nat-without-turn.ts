import { defineRule } from "./define-rule.js";
import { classification, isDependentMapping, mappedPortEvidence, turnEvidence, workingTurn } from "./nat-helpers.js";

export const symmetricNatWithoutTurn = defineRule({
  id: "symmetric-nat-without-turn",
  docs: "docs/rules/symmetric-nat-without-turn.md",
  requires: ["nat"],
  messages: {
    "symmetric-no-relay": { severity: "error", title: "Symmetric NAT and no working TURN server: many peers cannot connect" },
  },
  // Without a relay, what the NAT means is this error; nat-behaviour's description would repeat it as info.
  supersedes: ["nat-behaviour"],
  check(facts) {
    const nat = facts.nat;
    if (!nat || !isDependentMapping(nat) || workingTurn(facts).length > 0) return [];
    return [
      {
        message: "symmetric-no-relay",
        explanation:
          `This host is behind a NAT with ${nat.mapping} mapping (a symmetric NAT): every new destination gets a new public port, ` +
          "so the address a peer learns from STUN is not the one this host's checks come from, and the peer's checks to it are dropped. " +
          "ICE will stall in checking against any peer that is itself behind an address-and-port-dependent filter (a port-restricted cone, the most common home NAT) " +
          "or another symmetric NAT (common on mobile carriers and corporate networks). No TURN server worked in this run, so there is no relay to fall back on.",
        fix:
          "Configure a TURN server in both peers' iceServers, ideally turn:HOST:3478?transport=udp plus turns:HOST:443?transport=tcp for networks that allow only HTTPS " +
          "(coturn: listening-port=3478, tls-listening-port=443 with cert= and pkey=, external-ip= when it runs behind a cloud NAT, and the relay port range min-port..max-port open inbound). " +
          "If you run this network, make its NAT endpoint-independent instead (Linux: MASQUERADE without --random-fully; pfSense/OPNsense: a hybrid outbound NAT rule with Static Port for the hosts that make calls).",
        evidence: [{ path: "/nat/mapping", fact: classification(nat) }, ...mappedPortEvidence(nat), ...turnEvidence(facts)],
        subjects: ["/nat"],
      },
    ];
  },
});
