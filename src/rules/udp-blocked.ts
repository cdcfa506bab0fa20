import { defineRule } from "./define-rule.js";
import { natReasonWords } from "./nat-reasons.js";
import { isUnreachable, serverPath } from "./helpers.js";
import { silentTestEvidence, turnEvidence, workingTurn } from "./nat-helpers.js";

export const udpBlocked = defineRule({
  id: "udp-blocked",
  docs: "docs/rules/udp-blocked.md",
  requires: ["nat"],
  messages: {
    "no-stream-relay": { severity: "error", title: "UDP is blocked: only TURN over TCP or TLS can carry the call" },
    "stream-relay-works": { severity: "info", title: "UDP is blocked; calls will go through TURN over TCP/TLS" },
  },
  // Blocked UDP on this whole network explains every UDP server's silence, told once here.
  supersedes: ["stun-server-unreachable", "turn-server-unreachable"],
  check(facts) {
    const nat = facts.nat;
    if (!nat || nat.classic !== "udp-blocked") return [];
    const subjects = ["/nat", ...facts.servers.filter((s) => s.transport === "udp" && isUnreachable(s)).map((s) => serverPath(s))];
    const streamTurn = workingTurn(facts, ["tcp", "tls"]);
    const evidence = [{ path: "/nat/classic", fact: natReasonWords(nat).join(" ") || "no STUN server answered over UDP" }, ...silentTestEvidence(nat)];
    if (streamTurn.length > 0) {
      return [
        {
          message: "stream-relay-works" as const,
          explanation:
            "No STUN server answered over UDP from here, so no direct or UDP-relayed path exists. " +
            `TURN over ${[...new Set(streamTurn.map((s) => s.transport.toUpperCase()))].join(" and ")} works (${streamTurn.map((s) => s.url).join(", ")}), ` +
            "so calls will connect through that relay, with TCP's extra latency and head-of-line blocking when packets are lost.",
          fix: "Nothing is needed to connect. For better call quality, allow outbound UDP in this network's firewall (at least to the TURN server's port and relay range).",
          evidence: [...evidence, ...streamTurn.map((s) => ({ path: serverPath(s), fact: `${s.url}: relay allocated over ${s.transport.toUpperCase()}` }))],
          subjects,
        },
      ];
    }
    return [
      {
        message: "no-stream-relay" as const,
        explanation:
          "No STUN server answered over UDP from here: outbound UDP is blocked (or every server is down). WebRTC media is UDP first; without UDP the only path is a TURN relay " +
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
