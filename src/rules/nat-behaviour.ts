import { CLASSIC_NAT_LABEL } from "../labels/nat.js";
import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { natReasonWords } from "./nat-reasons.js";
import { classification, isDependentMapping, mappedPortEvidence, workingTurn } from "./nat-helpers.js";

/**
 * What this host's NAT means for ICE, when it limits who can connect directly or could not be
 * fully learned. Open internet, full and restricted cones say nothing: any peer that can send to
 * them gets in (a restricted cone admits a peer's new ports once we sent to its IP).
 */
const TITLE = "NAT: {{classic}} ({{mapping}} mapping, {{filtering}} filtering)";
type Message = "symmetric" | "port-restricted-cone" | "partly-classified";

export const natBehaviour = defineRule<Message>({
  id: "nat-behaviour",
  docs: "docs/rules/nat-behaviour.md",
  requires: ["nat"],
  messages: {
    symmetric: { severity: "info", title: TITLE },
    "port-restricted-cone": { severity: "info", title: TITLE },
    "partly-classified": { severity: "info", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    const nat = facts.nat;
    // With no UDP at all there is no NAT behaviour to describe; with only refused ports, the refusal's finding says what to fix first.
    if (!nat || nat.classic === "udp-blocked" || nat.reasons?.includes("udp-refused")) return [];
    const turnWorks = workingTurn(facts).length > 0;
    const evidence = [{ path: "/nat", fact: classification(nat) }];
    const relay = turnWorks
      ? "A TURN server works in this run, so those calls will relay."
      : "No TURN server worked in this run, so those calls will stall in ICE checking.";
    const words = natReasonWords(nat);
    const base = { data: { classic: CLASSIC_NAT_LABEL[nat.classic], mapping: nat.mapping, filtering: nat.filtering }, subjects: ["/nat"] };
    let hit: RuleHit<Message> | undefined;

    if (isDependentMapping(nat)) {
      hit = {
        ...base,
        message: "symmetric",
        explanation:
          "The NAT gives every destination its own public port (symmetric), so peers behind port-restricted cones or other symmetric NATs cannot reach this host directly. " +
          relay,
        fix: turnWorks
          ? "Keep the TURN server in every client's iceServers (with turns: on 443 for strict networks) and size it for the calls that will relay."
          : "Configure a TURN server (turn: on 3478 plus turns: on 443) for calls with peers behind port-restricted cones and symmetric NATs.",
        evidence: [...evidence, ...mappedPortEvidence(nat)],
      };
    } else if (nat.classic === "port-restricted-cone") {
      hit = {
        ...base,
        message: "port-restricted-cone",
        explanation:
          "The NAT keeps one public port per socket but admits only packets from the exact address and port this host sent to. ICE's checks from both sides open it for " +
          "peers whose NAT has endpoint-independent mapping; a peer behind a symmetric NAT sends from a port this host never sent to, and is dropped. " +
          relay,
        fix: turnWorks
          ? "Nothing is needed. To let more calls go direct, a NAT you run can use endpoint-independent filtering (full cone) for UDP."
          : "Configure a TURN server (turn: on 3478 plus turns: on 443) for calls with peers behind symmetric NATs.",
        evidence,
      };
    } else if (nat.mapping === "unknown" || nat.filtering === "unknown") {
      if (nat.classic === "open-internet") return [];
      hit = {
        ...base,
        message: "partly-classified",
        explanation: `The NAT could only be partly classified (${nat.method === "none" ? "no method applied" : `method ${nat.method}`}). ${words.join(" ")}`.trim(),
        fix: "Configure a STUN server that supports RFC 5780 (e.g. coturn listening on two IP addresses), or two STUN servers on distinct IP addresses, and rerun.",
        evidence: [...evidence, ...(words.length > 0 ? [{ path: nat.reasons?.length ? "/nat/reasons" : "/nat/note", fact: words.join(" ") }] : [])],
      };
    }
    return hit ? [hit] : [];
  },
});
