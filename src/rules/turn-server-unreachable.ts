import type { ServerFact } from "../facts/servers.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, isPortUnreachable, isUnreachable, resolvedWords, serverPath, turnServers } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

export const turnServerUnreachable = defineRule({
  id: "turn-server-unreachable",
  docs: "docs/rules/turn-server-unreachable.md",
  requires: ["servers"],
  messages: {
    "connection-refused": { severity: "error", title: "A TURN server does not answer" },
    "no-answer": { severity: "error", title: "A TURN server does not answer" },
    "connected-but-silent": { severity: "error", title: "A TURN server accepts the connection but never answers" },
    "udp-port-unreachable": { severity: "error", title: "Nothing listens on UDP {{port}} at {{host}}" },
  },
  supersedes: [],
  check(facts) {
    return turnServers(facts.servers)
      .filter(isUnreachable)
      .map((s) => (isPortUnreachable(s) ? udpPortUnreachable(s, facts.servers) : silentAfterConnect(s) ? connectedButSilent(s) : {
        message: s.error?.code === "connection-refused" ? ("connection-refused" as const) : ("no-answer" as const),
        explanation:
          `${s.url} (${s.transport.toUpperCase()} to port ${s.port}) gave no answer: ${detailOf(s.error) ?? "no response"}. ` +
          (s.transport !== "udp" && s.error?.code === "timeout"
            ? "The TCP connection itself was never accepted, which is what a firewall that drops the packets (a filtered port) or a host that is down looks like. "
            : "") +
          "Without an answer there is no relay candidate through it, so peers that cannot reach each other directly will sit in ICE checking.",
        fix:
          s.error?.code === "connection-refused"
            ? `Nothing accepts ${s.transport.toUpperCase()} connections on ${s.host}:${s.port}: check the port and that the TURN server listens on it (coturn: listening-port / tls-listening-port).`
            : `Check the host and port, that the TURN server is running, and that ${s.transport.toUpperCase()} port ${s.port} is open in its firewall or security group and in this network's outbound rules.`,
        evidence: [errorEvidence(s)],
        subjects: [serverPath(s)],
      }));
  },
});

/** TCP (and TLS) came up and the request then went unanswered: the port is open, the service is wrong. */
function silentAfterConnect(s: ServerFact): boolean {
  return s.streamConnected === true && s.error?.code === "timeout";
}

function connectedButSilent(s: ServerFact) {
  const how = s.transport === "tls" ? "TLS connection (handshake included)" : "TCP connection";
  return {
    message: "connected-but-silent" as const,
    explanation:
      `${s.url} accepted the ${how} on port ${s.port}, then never answered the Allocate request: ${detailOf(s.error) ?? "no response"}. ` +
      "The path and the port are open, so this is not a firewall: whatever listens there does not speak TURN, or the TURN server is hung.",
    fix:
      `Check that port ${s.port} of ${s.host} is the TURN server's (coturn: listening-port for turn:, tls-listening-port for turns:): a web server or proxy on that port, ` +
      "or a TLS port given as turn:?transport=tcp (or the reverse), accepts the connection and stays silent. If it is the TURN server, read its log: it may be out of threads or stuck.",
    evidence: [errorEvidence(s), { path: serverPath(s, "streamConnected"), fact: `the ${how} was established` }],
    subjects: [serverPath(s)],
  };
}

/** ICMP port unreachable for the TURN/UDP URL: the host answered, its UDP port is not served (or a firewall answers like it). */
function udpPortUnreachable(s: ServerFact, servers: readonly ServerFact[]) {
  const host = (o: ServerFact) => (o.remoteAddress?.address ?? o.host).toLowerCase();
  const stream = turnServers(servers).filter((o) => o.ok && o.transport !== "udp" && host(o) === host(s));
  const streamWords = stream.map((o) => o.transport.toUpperCase()).join("/");
  return {
    message: "udp-port-unreachable" as const,
    data: { port: String(s.port), host: s.host },
    explanation:
      `The Allocate request to ${s.url} came back as ICMP port unreachable: an answer, not silence. ${resolvedWords(s)} sends it when nothing listens on UDP ${s.port}. ` +
      (stream.length > 0
        ? `The same server allocates over ${streamWords}, so it runs: it was started without UDP (coturn: no-udp) or listens for UDP on another port or address. Clients with only this UDP URL get no relay. `
        : "No relay can be allocated through it, so peers that cannot reach each other directly will sit in ICE checking. ") +
      "A firewall on the path that rejects UDP the way a closed port does (iptables' REJECT does so by default) looks the same from here.",
    fix:
      `Make the TURN server listen on UDP ${s.port} of ${s.host}: coturn: listening-port (3478 by default) and listening-ip, without no-udp; ` +
      `in Docker, publish the port as UDP (-p ${s.port}:${s.port}/udp) and the relay range as UDP too. ` +
      "On the server, 'ss -ulnp' shows what listens.",
    evidence: [errorEvidence(s), ...stream.map((o) => ({ path: serverPath(o), fact: `${o.url}: relay allocated over ${o.transport.toUpperCase()}` }))],
    subjects: [serverPath(s)],
  };
}
