import type { Facts, NatFact } from "../facts/index.js";
import type { PeerProfile, Reach, Verdict, VerdictCell } from "./verdict-types.js";
import { relayNarrowerThanServer } from "../net/address-class.js";

type ThisSide = Verdict["thisSide"];

function thisSide(nat: NatFact | undefined): ThisSide {
  if (!nat) return "unknown";
  if (nat.classic === "udp-blocked") return "udp-blocked";
  if (nat.classic === "open-internet") return "open";
  if (nat.mapping === "endpoint-independent") return "cone-nat";
  if (nat.mapping === "address-dependent" || nat.mapping === "address-and-port-dependent") return "symmetric-nat";
  return "unknown";
}

/**
 * Whether UDP hole punching between the two sides can work (RFC 8445 with STUN on both ends).
 * "cone-nat" on the far side is taken as port-restricted, the most common and the strictest cone:
 * what works against it works against the others.
 */
function direct(here: ThisSide, peer: PeerProfile, nat: NatFact | undefined): { ok: boolean | undefined; why: string } {
  if (here === "unknown") return { ok: undefined, why: "this network's NAT behaviour is unknown (NAT discovery was turned off with {option:nat}, or had no STUN server to run against)" };
  if (here === "udp-blocked") return { ok: false, why: "UDP is blocked here, so no direct (UDP) path exists" };
  if (peer === "udp-blocked") return { ok: false, why: "the far side cannot send or receive UDP" };
  if (here === "open" || peer === "open") return { ok: true, why: here === "open" ? "this host is reachable directly (no NAT)" : "the far side is reachable directly" };
  if (here === "cone-nat" && peer === "cone-nat") return { ok: true, why: "both NATs keep one mapping per socket, so each side's srflx candidate is the address the other must use" };
  if (here === "symmetric-nat" && peer === "symmetric-nat") return { ok: false, why: "both NATs pick a new port per destination: neither side's srflx candidate is where its checks come from" };
  // One symmetric, one cone: works only if the cone side's filtering admits the unpredicted port.
  const coneFiltering = here === "cone-nat" ? nat?.filtering : undefined;
  if (here === "cone-nat") {
    const ok = coneFiltering === "endpoint-independent" || coneFiltering === "address-dependent";
    return {
      ok,
      why: ok
        ? "the far side's symmetric NAT sends from an unpredicted port, and this NAT's filtering admits it"
        : "the far side's symmetric NAT sends from an unpredicted port, and this NAT's port-dependent filtering drops it",
    };
  }
  return { ok: false, why: "this NAT is symmetric: checks leave from a port the far side's (port-restricted) NAT has not opened" };
}

function relayCell(here: ThisSide, peer: PeerProfile, relays: Verdict["relays"], unreachableOnly = false): { reach: Reach; why: string } {
  const stream = relays.filter((r) => r !== "udp");
  const usable = here === "udp-blocked" ? stream : relays;
  if (usable.length === 0) {
    const why =
      relays.length === 0
        ? unreachableOnly
          ? "the TURN relays that allocate hand out addresses peers elsewhere cannot reach"
          : "no TURN relay works from here (none configured, or every one failed)"
        : "the only working relay is over UDP, which this network blocks";
    return { reach: "none", why };
  }
  const via = `a working TURN relay (${usable.join("/")})`;
  if (peer === "udp-blocked") return { reach: "relay", why: `${via}, provided the far side also uses TURN over TCP/TLS` };
  return { reach: "relay", why: via };
}

/** The reachability matrix, or undefined when the facts cannot support one (e.g. `explain` of an SDP). */
export function deriveVerdict(facts: Facts): Verdict | undefined {
  // A relay that hands out an address peers elsewhere cannot send to (turn-private-relay-address) relays for nobody.
  const allocating = facts.servers.filter((s) => s.kind === "turn" && s.ok);
  const usable = allocating.filter((s) => !relayNarrowerThanServer(s.relayedAddressClass, s.remoteAddressClass));
  const relays = [...new Set(usable.map((s) => s.transport))];
  const unreachableOnly = usable.length === 0 && allocating.length > 0;
  const anyTurn = facts.servers.some((s) => s.kind === "turn");
  if (!facts.nat && !anyTurn) return undefined;
  const here = thisSide(facts.nat);
  const cells: VerdictCell[] = (["open", "cone-nat", "symmetric-nat", "udp-blocked"] as PeerProfile[]).map((peer) => {
    const d = direct(here, peer, facts.nat);
    if (d.ok === true) return { peer, reach: "direct", reason: d.why };
    const r = relayCell(here, peer, relays, unreachableOnly);
    if (d.ok === undefined) {
      return r.reach === "relay"
        ? { peer, reach: "relay", reason: `at least through ${r.why.replace(/^a /, "the ")}; a direct path is unknown: ${d.why}` }
        : { peer, reach: "unknown", reason: `${d.why}; and ${r.why}` };
    }
    return { peer, reach: r.reach, reason: `${d.why}; ${r.reach === "relay" ? `relayed through ${r.why}` : r.why}` };
  });
  return { thisSide: here, relays, cells };
}
