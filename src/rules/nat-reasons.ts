import type { NatFact, NatReason } from "../facts/index.js";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** Each reason as a factual sentence; what to do about it is the rules' to say. */
function sentence(reason: NatReason, nat: NatFact): string {
  switch (reason) {
    case "no-udp-server":
      return "No STUN server reachable over UDP was configured, so the NAT could not be tested.";
    case "no-udp-answer":
      return `No STUN server answered a Binding request over UDP (${plural(nat.servers.length, "server")} tried).`;
    case "udp-refused": {
      const refused = new Set(nat.tests.filter((t) => t.icmp === "port-unreachable").map((t) => `${t.sentTo.address}:${t.sentTo.port}`)).size;
      return `No STUN server answered over UDP, and ${refused === 1 ? "one destination" : `${refused} destinations`} refused with ICMP port unreachable instead of staying silent, so the NAT could not be tested.`;
    }
    case "no-nat":
      return "No NAT: the server saw this host's own address.";
    case "stateful-firewall":
      return "No NAT, but a stateful firewall filters unsolicited inbound UDP like a NAT would.";
    case "mapping-tests-unanswered":
      return "The RFC 5780 mapping tests against the server's other address got no usable answer, so the mapping is unknown.";
    case "filtering-tests-unanswered":
      return "The RFC 5780 server did not answer CHANGE-REQUEST from the address it announced, so the filtering is unknown.";
    case "single-server":
      return "Only one STUN address answered and it does not support RFC 5780, so the mapping could not be compared across destinations.";
    case "mapping-inconclusive": {
      const r = nat.mappingRounds;
      return `The mapped addresses from ${plural(nat.servers.length, "server")} gave no clear verdict${r ? ` (${r.differing} of ${r.conclusive} conclusive rounds differed)` : ""}.`;
    }
    case "port-dependence-not-tested":
      return "Whether the mapping also changes with the destination port alone was not tested (that needs two servers on one IP); address-and-port-dependent is assumed.";
    case "filtering-not-tested":
      return "The filtering was not tested: none of the servers supports RFC 5780.";
    case "other-address-unusable":
      return "A server announced an OTHER-ADDRESS that differs from it only in port or only in IP; the RFC 5780 tests need another IP and another port, so it was used as a plain STUN server.";
    case "lifetime-needs-rfc5780":
      return "The binding lifetime needs an RFC 5780 server (RESPONSE-PORT); none was configured.";
    case "lifetime-response-port-ignored":
      return "The server ignored RESPONSE-PORT (RFC 5780), so the binding lifetime could not be measured with it.";
    case "lifetime-no-binding":
      return "The binding lifetime test got no binding to wait on (the server stopped answering).";
  }
}

/** What the multi-server rounds and the lifetime test measured, as sentences. */
function measured(nat: NatFact): string[] {
  const out: string[] = [];
  const r = nat.mappingRounds;
  if (nat.method === "multi-server" && r && (nat.mapping === "endpoint-independent" || nat.mapping.endsWith("dependent")) && !nat.reasons?.includes("no-nat")) {
    const eim = nat.mapping === "endpoint-independent";
    out.push(
      `Mapping from ${plural(nat.servers.length, "server")} over ${plural(r.total, "round")}: the mapped address ${eim ? "was the same for every server" : "changed with the destination"} ` +
        `in ${eim ? r.conclusive - r.differing : r.differing} of ${r.conclusive} conclusive rounds.`,
    );
  }
  const kept = nat.bindingLifetimeSec;
  const gone = nat.bindingExpiredWithinSec;
  if (kept !== undefined && gone !== undefined) out.push(`The NAT kept an idle UDP binding for ${kept} s but dropped it within ${gone} s.`);
  else if (kept !== undefined) out.push(`The NAT kept an idle UDP binding for at least ${kept} s (the longest idle time tried).`);
  else if (gone !== undefined) out.push(`The NAT dropped an idle UDP binding within ${gone} s.`);
  return out;
}

/** The NAT fact's reasons and measurements in words; a report from before `reasons` brings its note. */
export function natReasonWords(nat: NatFact): string[] {
  const reasons = nat.reasons ?? [];
  if (reasons.length === 0 && nat.note) return [nat.note];
  return [...measured(nat), ...reasons.map((r) => sentence(r, nat))];
}
