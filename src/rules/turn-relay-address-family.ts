import type { ServerFact } from "../facts/index.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { byServerAddress, errorEvidence, serverPath, turnServers } from "./helpers.js";

type Message = "family-not-supported" | "family-mismatch";

const v = (family: 4 | 6) => `IPv${family}`;

function notSupported(group: readonly ServerFact[]): RuleHit<Message> {
  const s = group[0] as ServerFact;
  const asked = s.requestedFamily ?? 4;
  const other = s.otherFamilyAllocation;
  const evidence: Evidence[] = group.map(errorEvidence);
  let shows = "";
  if (other) {
    const relay = other.relayedAddress ? ` (relayed address ${other.relayedAddress.address})` : "";
    evidence.push({
      path: serverPath(s, "otherFamilyAllocation"),
      fact: other.allocated
        ? `the same Allocate asking for an ${v(other.family)} relay was granted${relay}`
        : `the same Allocate asking for an ${v(other.family)} relay was refused too${other.stunErrorCode ? ` (${other.stunErrorCode}${other.stunReason ? ` ${other.stunReason}` : ""})` : ""}`,
    });
    shows = other.allocated
      ? ` Asked for ${v(other.family)} instead, it allocates: it relays only ${v(other.family)}.`
      : ` Asked for ${v(other.family)} it refused as well: it has no usable relay address at all.`;
  }
  return {
    message: "family-not-supported",
    data: { family: v(asked) },
    explanation:
      `The Allocate asked for an ${v(asked)} relay, as browsers and werift do by default, and ${s.url} answered 440 Address Family not Supported.${shows} ` +
      `No client gets a relay candidate from it, so calls that need the relay fail even though the server answers and authenticates.`,
    fix:
      `Give the TURN server an ${v(asked)} relay address. coturn relays from relay-ip (by default the listening addresses): add relay-ip=<the host's ${v(asked)} address> ` +
      `(and external-ip=<public>/<that address> behind a 1:1 NAT), or remove a relay-ip list that names only ${v(asked === 4 ? 6 : 4)} addresses, then restart it.`,
    evidence,
    subjects: group.map((g) => serverPath(g)),
  };
}

function mismatch(s: ServerFact, asked: 4 | 6, got: 4 | 6): RuleHit<Message> {
  return {
    message: "family-mismatch",
    data: { asked: v(asked), got: v(got) },
    explanation:
      `The Allocate asked for an ${v(asked)} relay and ${s.url} allocated ${s.relayedAddress?.address ?? "?"}, an ${v(got)} address. ` +
      `RFC 8656 (section 7.2) requires the family asked for or a 440 error. A client pairs candidates of one family, so its ${v(asked)} peers cannot use this relay, and a stack that trusts the answer sends to a family it has no route for.`,
    fix:
      `Check the TURN server's relay addresses: coturn relay-ip and external-ip must include an ${v(asked)} address (one external-ip per relay-ip, same family). ` +
      "If the configuration is right, the server (or a middlebox rewriting its answers) breaks the protocol: update it.",
    evidence: [
      { path: serverPath(s, "requestedFamily"), fact: `the Allocate asked for ${v(asked)}` },
      { path: serverPath(s, "relayedAddress"), fact: `the server allocated ${s.relayedAddress?.address ?? "?"} (${v(got)})` },
    ],
    subjects: [serverPath(s)],
  };
}

/**
 * The TURN server's relay addresses are of the wrong family: coturn with an IPv6-only relay-ip
 * answers every (IPv4, the default) Allocate with 440; a server that hands out the other family
 * anyway gives relay candidates no peer of the asked family can pair with.
 */
export const turnRelayAddressFamily = defineRule<Message>({
  id: "turn-relay-address-family",
  docs: "docs/rules/turn-relay-address-family.md",
  requires: ["servers"],
  messages: {
    "family-not-supported": { severity: "error", title: "The TURN server relays no {{family}} addresses (440 Address Family not Supported)" },
    "family-mismatch": { severity: "error", title: "The TURN server hands out an {{got}} relay for an {{asked}} request" },
  },
  supersedes: [],
  check(facts) {
    const turn = turnServers(facts.servers);
    const refused = byServerAddress(turn.filter((s) => s.error?.code === "address-family-not-supported")).map(notSupported);
    const mismatched = turn.flatMap((s): RuleHit<Message>[] => {
      const asked = s.requestedFamily;
      const got = s.relayedAddress?.family;
      return s.ok && asked !== undefined && got !== undefined && asked !== got ? [mismatch(s, asked, got)] : [];
    });
    return [...refused, ...mismatched];
  },
});
