import type { NatBehaviour } from "../../facts/nat.js";
import type { MultiServerResult } from "./multi-server.js";

/** The sentences that go into NatFact.note: what was learned plainly, and what would settle the rest. */

export const SETTLE_FILTERING =
  "To learn the filtering, configure a STUN server that supports RFC 5780 (it answers with OTHER-ADDRESS and honours CHANGE-REQUEST), " +
  "e.g. coturn listening on two IP addresses of one host (listening-ip twice; the alternate port is listening-port + 1), " +
  "or rtc-doctor serve with --stun-alt-host and --stun-alt-port on a host with two addresses.";

/** A server that announces OTHER-ADDRESS on its own IP (or port) cannot run the RFC 5780 tests, which need both to differ. */
export function partialRfc5780Note(url: string): string {
  return `${url} announces an OTHER-ADDRESS that differs from it only in port or only in IP; the RFC 5780 tests need another IP and another port, so it was used as a plain STUN server.`;
}

export const NO_SERVER_NOTE = "No STUN server reachable over UDP was configured, so the NAT could not be tested.";

export function udpBlockedNote(servers: number, timeoutMs: number): string {
  return (
    `No STUN server answered a Binding request over UDP (${servers} tried, ${timeoutMs} ms each): ` +
    "UDP to them is blocked on this path, or they are all down. Only TURN over TCP or TLS can carry media from here."
  );
}

export function singleServerNote(noNat: boolean, url: string): string {
  return (
    (noNat ? "No NAT: the server saw this host's own address. " : "") +
    `Only one STUN address answered (${url}) and it does not support RFC 5780, so the mapping could not be compared across destinations. ` +
    "Configure a second STUN server on another IP address to learn the mapping. " +
    SETTLE_FILTERING
  );
}

export function rfc5780Note(noNat: boolean, mapping: NatBehaviour, filtering: NatBehaviour, url: string): string | undefined {
  const parts: string[] = [];
  if (noNat) {
    parts.push(
      filtering === "endpoint-independent" || filtering === "unknown"
        ? "No NAT: the server saw this host's own address."
        : "No NAT, but a stateful firewall filters unsolicited inbound UDP like a NAT would.",
    );
  }
  if (mapping === "unknown") parts.push(`The mapping tests against ${url}'s other address got no usable answer, so the mapping is unknown.`);
  if (filtering === "unknown") parts.push(`${url} did not answer CHANGE-REQUEST from the address it announced, so the filtering is unknown.`);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

export function multiServerNote(noNat: boolean, m: MultiServerResult, servers: number): string {
  const parts: string[] = [];
  const eim = m.mapping === "endpoint-independent";
  if (noNat) {
    parts.push("No NAT: the servers saw this host's own address.");
  } else if (m.mapping === "unknown") {
    parts.push(`The mapped addresses from ${servers} servers gave no clear verdict (${m.differingRounds} of ${m.conclusiveRounds} conclusive rounds differed).`);
  } else {
    const rounds = eim ? m.conclusiveRounds - m.differingRounds : m.differingRounds;
    parts.push(
      `Mapping from ${servers} servers on distinct IP addresses over ${m.rounds} rounds: the mapped address ` +
        `${eim ? "was the same for every server" : "changed with the destination"} in ${rounds} of ${m.conclusiveRounds} conclusive rounds.`,
    );
    if (!eim && !m.portDependenceTested) {
      parts.push("Whether it also changes with the destination port alone was not tested (that needs two servers on one IP); address-and-port-dependent is assumed.");
    }
  }
  parts.push("The filtering was not tested: none of the servers supports RFC 5780.", SETTLE_FILTERING);
  return parts.join(" ");
}

export const LIFETIME_NEEDS_RFC5780 = "The binding lifetime needs an RFC 5780 server (RESPONSE-PORT); none was configured.";
