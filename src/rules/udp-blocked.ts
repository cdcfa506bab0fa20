import type { Facts, NatFact } from "../facts/index.js";
import type { Evidence } from "./types.js";
import { defineRule } from "./define-rule.js";
import { natReasonWords } from "./nat-reasons.js";
import { isUnreachable, list, plural, serverPath } from "./helpers.js";
import { silentTestEvidence, turnEvidence, workingTurn } from "./nat-helpers.js";

/** The distinct UDP destinations (address and port) the unanswered NAT tests went to, and on how many hosts. */
function unanswered(nat: NatFact): { destinations: string[]; hosts: number; prohibited: number } {
  const tests = nat.tests.filter((t) => !t.responseFrom);
  const key = (t: (typeof tests)[number]) => (t.sentTo.family === 6 ? `[${t.sentTo.address}]:${t.sentTo.port}` : `${t.sentTo.address}:${t.sentTo.port}`);
  const destinations = [...new Set(tests.map(key))];
  return {
    destinations,
    hosts: new Set(tests.map((t) => t.sentTo.address.toLowerCase())).size,
    prohibited: new Set(tests.filter((t) => t.icmp === "prohibited").map(key)).size,
  };
}

function onHosts(d: { destinations: string[]; hosts: number }): string {
  return `${plural(d.destinations.length, "UDP destination")} (${list(d.destinations)}) on ${plural(d.hosts, "host")}`;
}

/** The title's count: "1 destination", "3 destinations on 2 hosts". */
function counted(d: { destinations: string[]; hosts: number }): Record<string, string> {
  const n = d.destinations.length;
  return { destinations: n === 1 ? "1 destination" : `${n} destinations on ${plural(d.hosts, "host")}`, count: String(n), hosts: String(d.hosts) };
}

/** What the "UDP blocked" verdict rests on, in the words the finding uses. */
function restsOn(nat: NatFact): { sentence: string; evidence: Evidence } {
  const d = unanswered(nat);
  const how =
    d.prohibited === 0
      ? "none answered and none refused"
      : d.prohibited === d.destinations.length
        ? "a router or firewall on the path refused every one with ICMP communication prohibited"
        : `none answered; for ${d.prohibited} of them a router or firewall on the path answered ICMP communication prohibited`;
  const one =
    d.hosts === 1
      ? " That rests on one host only: if it is down or drops UDP at its own end, this network may well pass UDP; a second STUN server on another host (e.g. stun:stun.l.google.com:19302) tells the two apart."
      : "";
  return {
    sentence: `This rests on ${onHosts(d)}: ${how}.${one}`,
    evidence: { path: "/nat/tests", fact: `${onHosts(d)} tried over UDP: ${how}` },
  };
}

/** Every UDP destination answered with ICMP port unreachable, on two hosts or more: the path, more likely than every server. */
function refusedEverywhere(facts: Facts, nat: NatFact): boolean {
  if (!nat.reasons?.includes("udp-refused") || nat.tests.some((t) => t.icmp !== "port-unreachable")) return false;
  return facts.servers.every((s) => s.transport !== "udp" || s.rttMs === undefined) && unanswered(nat).hosts >= 2;
}

export const udpBlocked = defineRule({
  id: "udp-blocked",
  docs: "docs/rules/udp-blocked.md",
  requires: ["nat"],
  messages: {
    "no-stream-relay": { severity: "error", title: "UDP is blocked (no answer from {{destinations}}): only TURN over TCP or TLS can carry the call" },
    "stream-relay-works": { severity: "info", title: "UDP is blocked (no answer from {{destinations}}); calls will go through TURN over TCP/TLS" },
    "refused-everywhere": { severity: "error", title: "Every UDP destination refuses ({{destinations}}): a firewall here rejects UDP, or nothing listens on any" },
    "refused-everywhere-relay-works": { severity: "warning", title: "Every UDP destination refuses ({{destinations}}): a firewall here rejects UDP, or nothing listens on any" },
  },
  // Blocked UDP on this whole network explains every UDP server's silence, told once here.
  supersedes: ["stun-server-unreachable", "turn-server-unreachable"],
  check(facts) {
    const nat = facts.nat;
    if (!nat) return [];
    const subjects = ["/nat", ...facts.servers.filter((s) => s.transport === "udp" && isUnreachable(s)).map((s) => serverPath(s))];
    const streamTurn = workingTurn(facts, ["tcp", "tls"]);
    const relayEvidence = streamTurn.map((s) => ({ path: serverPath(s), fact: `${s.url}: relay allocated over ${s.transport.toUpperCase()}` }));
    const relayWords = () => `TURN over ${[...new Set(streamTurn.map((s) => s.transport.toUpperCase()))].join(" and ")} works (${streamTurn.map((s) => s.url).join(", ")})`;

    if (refusedEverywhere(facts, nat)) {
      const d = unanswered(nat);
      const works = streamTurn.length > 0;
      return [
        {
          message: works ? ("refused-everywhere-relay-works" as const) : ("refused-everywhere" as const),
          data: counted(d),
          explanation:
            `Every configured UDP destination answered with ICMP port unreachable and none with STUN: ${list(d.destinations)}, on ${plural(d.hosts, "host")}. ` +
            "That is an answer, not silence: either nothing listens on UDP at any of them, or a firewall on this network rejects outbound UDP the way a closed port does " +
            "(iptables' REJECT answers UDP with port unreachable unless told otherwise). With unrelated hosts all refusing, the firewall is the likelier of the two. " +
            (works
              ? `${relayWords()}, so calls can connect through that relay, with TCP's extra latency.`
              : "Either way no UDP path exists from here, and no TURN relay over TCP or TLS worked: calls will stay in ICE checking and fail."),
          fix:
            "Run this check with the same {option:stun} URLs from a host on another network: if they answer there, this network's firewall rejects UDP; " +
            "allow outbound UDP (at least to the STUN/TURN port and the TURN relay range), or offer TURN over TLS on 443. " +
            "If it is refused there too, start the servers' UDP listeners (coturn: listening-port, without no-udp; Docker: publish the port as UDP, -p 3478:3478/udp).",
          evidence: [{ path: "/nat/reasons", fact: natReasonWords(nat).join(" ") }, ...silentTestEvidence(nat), ...(works ? relayEvidence : turnEvidence(facts))],
          subjects,
        },
      ];
    }

    if (nat.classic !== "udp-blocked") return [];
    const basis = restsOn(nat);
    const data = counted(unanswered(nat));
    const evidence = [{ path: "/nat/classic", fact: natReasonWords(nat).join(" ") || "no STUN server answered over UDP" }, basis.evidence, ...silentTestEvidence(nat)];
    if (streamTurn.length > 0) {
      return [
        {
          message: "stream-relay-works" as const,
          data,
          explanation:
            "No STUN server answered over UDP from here, so no direct or UDP-relayed path exists. " +
            `${basis.sentence} ` +
            `${relayWords()}, so calls will connect through that relay, with TCP's extra latency and head-of-line blocking when packets are lost.`,
          fix: "Nothing is needed to connect. For better call quality, allow outbound UDP in this network's firewall (at least to the TURN server's port and relay range).",
          evidence: [...evidence, ...relayEvidence],
          subjects,
        },
      ];
    }
    return [
      {
        message: "no-stream-relay" as const,
        data,
        explanation:
          "No STUN server answered over UDP from here: outbound UDP is blocked (or every server is down). " +
          `${basis.sentence} ` +
          "WebRTC media is UDP first; without UDP the only path is a TURN relay " +
          "reached over TCP or TLS, and none worked in this run. Calls from this network will stay in ICE checking and fail.",
        fix:
          "Configure a TURN server that listens on TLS port 443 (turns:HOST:443?transport=tcp; coturn: tls-listening-port=443, cert=, pkey=, and no other service on 443 of that IP), " +
          "since networks that block UDP nearly always let HTTPS out. Or allow outbound UDP in this network's firewall (at least the STUN/TURN port, e.g. 3478, and the TURN relay range).",
        evidence: [...evidence, ...turnEvidence(facts)],
        subjects,
      },
    ];
  },
});
