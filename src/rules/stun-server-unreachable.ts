import type { ServerFact } from "../facts/index.js";
import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, isPortUnreachable, isUnreachable, resolvedWords, serverPath } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

type Message = "none-answers" | "one-of-several" | "nothing-listens" | "nothing-listens-one-of-several";

const NOTHING_LISTENS = "Nothing listens on UDP {{port}} at {{host}}";

/** An ICMP port unreachable is the far end's answer: the server's address is right, its UDP port is not served. */
function nothingListens(s: ServerFact, none: boolean, answering: readonly ServerFact[]): RuleHit<Message> {
  const others = answering.filter((o) => o.transport === "udp");
  return {
    message: none ? "nothing-listens" : "nothing-listens-one-of-several",
    data: { port: String(s.port), host: s.host },
    explanation:
      `The Binding request to ${s.url} came back as ICMP port unreachable: an answer, not silence. ${resolvedWords(s)} sends it when nothing listens on UDP ${s.port} ` +
      "(a firewall on the path that rejects UDP the way a closed port does, as iptables' REJECT does by default, sends the same). " +
      (none
        ? "No STUN server answered, so this host learns no public address (no srflx candidate) and a peer outside this network can only reach it through a relay. " +
          "A STUN server on another host tells the two causes apart: if it answers, this port is the problem, not the network."
        : others.length > 0
          ? `Other STUN servers answered over UDP (${others.map((o) => o.url).join(", ")}), so UDP gets out of this network: this URL's port is wrong or its server is not running.`
          : "Other STUN servers answered, so this URL's port is wrong or its server is not running."),
    fix:
      `Check the port in ${s.url} (STUN's default is 3478; Google's servers use 19302), and that the STUN server runs and listens on UDP ${s.port} of ${s.host}: ` +
      `on the server, 'ss -ulnp' lists it; coturn: listening-port and listening-ip, without no-udp; in Docker, publish it as UDP (-p ${s.port}:${s.port}/udp).` +
      (none ? "" : ` Or remove ${s.url} from the configuration.`),
    evidence: [errorEvidence(s), ...others.slice(0, 1).map((o) => ({ path: serverPath(o), fact: `${o.url}: answered over UDP in ${o.rttMs} ms` }))],
    subjects: [serverPath(s)],
  };
}

export const stunServerUnreachable = defineRule<Message>({
  id: "stun-server-unreachable",
  docs: "docs/rules/stun-server-unreachable.md",
  requires: ["servers"],
  messages: {
    "none-answers": { severity: "error", title: "A STUN server does not answer" },
    "one-of-several": { severity: "warning", title: "A STUN server does not answer" },
    "nothing-listens": { severity: "error", title: NOTHING_LISTENS },
    "nothing-listens-one-of-several": { severity: "warning", title: NOTHING_LISTENS },
  },
  supersedes: [],
  check(facts) {
    const stun = facts.servers.filter((s) => s.kind === "stun");
    const dead = stun.filter(isUnreachable);
    if (dead.length === 0) return [];
    // With no STUN answer at all there is no server-reflexive candidate: that is what breaks ICE, so it is an error.
    const none = dead.length === stun.length;
    const answering = stun.filter((s) => s.ok);
    return dead.map((s): RuleHit<Message> =>
      isPortUnreachable(s)
        ? nothingListens(s, none, answering)
        : {
            message: none ? "none-answers" : "one-of-several",
            explanation:
              `${s.url} (${s.transport.toUpperCase()}) gave no answer: ${detailOf(s.error) ?? "no response"}. ` +
              (silentAfterConnect(s)
                ? "The TCP connection was accepted, so the port is open and this is not a firewall: whatever listens there does not speak STUN, or the server is hung. "
                : s.transport !== "udp" && s.error?.code === "timeout"
                  ? "The TCP connection itself was never accepted (no SYN-ACK): a filtered port or a host that is down. "
                  : "") +
              (none
                ? "No STUN server answered, so this host learns no public address (no srflx candidate) and a peer outside this network can only reach it through a relay."
                : "Other STUN servers answered, so this one is down, mistyped, or its port is filtered on this path."),
            fix: silentAfterConnect(s)
              ? `Check that port ${s.port} of ${s.host} is the STUN server's TCP port (coturn: listening-port), not another service's, and that the server is not hung.`
              : none && s.transport === "udp"
                ? "Allow outbound UDP to the STUN port (often 3478 or 19302) in the firewall, or configure a TURN server reachable over TCP/TLS 443."
                : none
                  ? `Allow outbound ${s.transport.toUpperCase()} to port ${s.port} in the firewall, check that the STUN server listens there, or configure a TURN server reachable over TCP/TLS 443.`
                  : `Check the host and port of ${s.url}, or remove it from the configuration.`,
            evidence: [errorEvidence(s), ...(silentAfterConnect(s) ? [{ path: serverPath(s, "streamConnected"), fact: "the TCP connection was established" }] : [])],
            subjects: [serverPath(s)],
          },
    );
  },
});

/** TCP (and TLS) came up and the Binding request then went unanswered. */
function silentAfterConnect(s: ServerFact): boolean {
  return s.streamConnected === true && s.error?.code === "timeout";
}
