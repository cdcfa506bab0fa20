import type { CandidateFact, ServerFact, SessionFact, TransportAddress } from "../facts/index.js";
import { relayNarrowerThanServer } from "../net/address-class.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { byServerAddress, plural, serverPath, turnServers } from "./helpers.js";
import { candidatesOf, describeCandidate } from "./session-helpers.js";

type Message = "behind-nat" | "relay-ip";

const CLASS_WORDS: Record<string, string> = {
  private: "private",
  "container-bridge": "container-bridge",
  cgnat: "CGNAT (100.64.0.0/10)",
  loopback: "loopback",
  "link-local": "link-local",
  unspecified: "unspecified",
};

function at(a: TransportAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Candidates of one side that are relays on this server's relayed IP (allocations differ in port only). */
function relaysOf(session: SessionFact | undefined, side: "local" | "remote", relayed: TransportAddress): CandidateFact[] {
  if (!session) return [];
  return candidatesOf(session, side).filter((c) => c.type === "relay" && c.address === relayed.address);
}

function hit(group: readonly ServerFact[], relayed: TransportAddress, reached: TransportAddress, session: SessionFact | undefined): RuleHit<Message> {
  const server = group[0] as ServerFact;
  const relayClass = server.relayedAddressClass ?? "private";
  const words = CLASS_WORDS[relayClass] ?? relayClass;
  const behindNat = relayClass === "private" || relayClass === "container-bridge" || relayClass === "cgnat";
  const evidence: Evidence[] = [
    { path: serverPath(server, "remoteAddress"), fact: `${server.url} was reached at ${at(reached)} (${server.remoteAddressClass})` },
    { path: serverPath(server, "relayedAddress"), fact: `its Allocate answered with the relayed address ${at(relayed)} (${relayClass})` },
  ];
  if (server.mappedAddress) evidence.push({ path: serverPath(server, "mappedAddress"), fact: `it saw this client at ${at(server.mappedAddress)}` });
  for (const other of group.slice(1)) {
    if (other.relayedAddress) evidence.push({ path: serverPath(other, "relayedAddress"), fact: `${other.url}: relayed address ${at(other.relayedAddress)} too` });
  }
  const subjects = group.map((s) => serverPath(s));

  const ours = relaysOf(session, "local", relayed);
  const theirs = relaysOf(session, "remote", relayed);
  if (session && ours.length > 0) {
    evidence.push(...ours.slice(0, 2).map((c) => ({ path: "/session/local/candidates", fact: `our relay candidate ${describeCandidate(c)} came from this server` })));
    const pairs = (session.pairs ?? []).filter((p) => p.local.type === "relay" && p.local.address === relayed.address);
    if (pairs.length > 0 && !pairs.some((p) => p.state === "succeeded")) {
      const sent = pairs.reduce((n, p) => n + (p.requestsSent ?? 0), 0);
      evidence.push({ path: "/session/pairs", fact: `${plural(pairs.length, "candidate pair")} through it, ${plural(sent, "check")} sent, none succeeded` });
      // What the far side sees as "our relay" is this address: unreachable relay checks are this cause, not its firewall.
      subjects.push("/session/pairs");
    }
  }
  if (session && theirs.length > 0) {
    evidence.push(...theirs.slice(0, 2).map((c) => ({ path: "/session/remote/candidates", fact: `the far side's relay candidate ${describeCandidate(c)} is on the same relayed address` })));
    // Its private relay candidates are this server's doing, not a far side without STUN/TURN.
    subjects.push("/session/remote");
  }

  const reachedWhere = `${at(reached)}, a ${server.remoteAddressClass} address`;
  if (behindNat) {
    return {
      message: "behind-nat",
      data: { class: words },
      explanation:
        `${server.url} was reached at ${reachedWhere}, but the relayed address it hands out, ${at(relayed)}, is ${words}: only hosts in the TURN server's own network can send to it. ` +
        "The server sits behind a NAT (typically a cloud VM's 1:1 public IP) and announces the address of its own interface. " +
        "Every relay candidate it gives out is unreachable for peers elsewhere: their checks to it go nowhere, and relay-to-relay pairs fail, so the relay does not rescue the calls it exists for.",
      fix:
        `Tell the TURN server its public address. coturn: external-ip=${reached.address}/${relayed.address} (public/private) in turnserver.conf, then restart it; ` +
        "with several interfaces give one external-ip per relay-ip. Other servers have the same setting (pion/turn: a static relay address generator with the public RelayAddress; eturnal: relay_ipv4_addr). " +
        "Also let the relay port range (coturn min-port..max-port, UDP 49152-65535 by default) in from anywhere in the security group or firewall, and map it 1:1 to the host.",
      evidence,
      subjects,
    };
  }
  return {
    message: "relay-ip",
    data: { class: words },
    explanation:
      `${server.url} was reached at ${reachedWhere}, but it relays from ${at(relayed)}, a ${words} address: no peer on another host can send to it. ` +
      "The server's relay address is set to (or defaults to) an address of the wrong interface.",
    fix:
      `Set the TURN server's relay address to the interface peers reach. coturn: relay-ip=<that interface's address> (it defaults to the listening addresses, so check listening-ip too), ` +
      `and external-ip=<public>/<that address> when the host is behind a 1:1 NAT; here it was reached at ${reached.address}.`,
    evidence,
    subjects,
  };
}

/**
 * Root cause 6 of the notes, on the TURN server itself: coturn behind a 1:1 NAT without
 * external-ip (or with a relay-ip of the wrong interface) allocates fine, and every relay candidate
 * it hands out is an address nobody outside its own network can send to.
 */
export const turnPrivateRelayAddress = defineRule<Message>({
  id: "turn-private-relay-address",
  docs: "docs/rules/turn-private-relay-address.md",
  requires: ["servers"],
  messages: {
    "behind-nat": { severity: "error", title: "The TURN server hands out a {{class}} relayed address: it does not know its public IP" },
    "relay-ip": { severity: "error", title: "The TURN server relays from a {{class}} address (wrong relay address)" },
  },
  supersedes: ["far-side-unreachable-via-relay", "far-side-private-candidates"],
  check(facts) {
    const affected = turnServers(facts.servers).filter((s) => s.ok && s.relayedAddress && s.remoteAddress && relayNarrowerThanServer(s.relayedAddressClass, s.remoteAddressClass));
    return byServerAddress(affected).flatMap((group) => {
      const first = group[0];
      return first?.relayedAddress && first.remoteAddress ? [hit(group, first.relayedAddress, first.remoteAddress, facts.session)] : [];
    });
  },
});
