import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { describeCandidate } from "./session-helpers.js";
import { detailOf } from "../facts/probe-error.js";

/**
 * Something worked, but not over UDP, and nothing says so: werift moves a TURN/UDP allocation to
 * TCP when UDP fails, and a session can settle on a TCP relay or ICE-TCP after its UDP pairs
 * failed. Calls connect, with TCP's latency under loss, and the UDP block stays unnoticed.
 */
const TITLE = "A fallback to TCP hides that UDP does not work";
type Message = "relay-fell-back-to-tcp" | "session-settled-on-tcp";

export const transportFallbackHidesUdp = defineRule<Message>({
  id: "transport-fallback-hides-udp",
  docs: "docs/rules/transport-fallback-hides-udp.md",
  // Gathered candidates and a session's pairs each tell it on their own: neither is required.
  requires: [],
  messages: {
    "relay-fell-back-to-tcp": { severity: "warning", title: TITLE },
    "session-settled-on-tcp": { severity: "warning", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    const hits: RuleHit<Message>[] = [];
    // By id: one URL may be configured twice with two usernames. Reports from before ids: by URL.
    const byId = new Map(facts.servers.map((s) => [s.id ?? s.url, s]));
    const byUrl = new Map(facts.servers.map((s) => [s.url, s]));
    for (const [i, c] of facts.candidates.entries()) {
      const server = c.serverId ? byId.get(c.serverId) : c.url ? byUrl.get(c.url) : undefined;
      if (c.type !== "relay" || !server || server.transport !== "udp" || !c.relayProtocol || c.relayProtocol === "udp") continue;
      hits.push({
        message: "relay-fell-back-to-tcp",
        explanation:
          `Gathering through ${c.url} produced a relay candidate, but over ${c.relayProtocol.toUpperCase()}, not UDP: the stack fell back silently when UDP to the TURN server failed. ` +
          "The URL looks healthy while every call through it runs over TCP (higher latency, head-of-line blocking under loss).",
        fix: `Open UDP ${server.port} towards ${server.host} (outbound here, inbound on the TURN server), or list a TCP/TLS TURN URL explicitly so the fallback is visible and intended.`,
        evidence: [
          { path: `/candidates/${i}`, fact: `relay ${c.address}:${c.port} via ${c.url}, relayProtocol ${c.relayProtocol}` },
          ...(server.error ? [{ path: `/servers/${server.index}/error`, fact: `the raw UDP probe of ${server.url}: ${detailOf(server.error)}` }] : []),
        ],
        subjects: [`/candidates/${i}`],
      });
    }
    const pairs = facts.session?.pairs ?? [];
    const selected = pairs.find((p) => p.selected) ?? pairs.find((p) => p.nominated && p.state === "succeeded");
    const overTcp = selected && (selected.local.protocol === "tcp" || (selected.local.type === "relay" && selected.local.relayProtocol !== undefined && selected.local.relayProtocol !== "udp"));
    const udpFailed = pairs.filter((p) => p.local.protocol === "udp" && p.remote.protocol === "udp" && p.local.type !== "relay" && p.state === "failed");
    if (selected && overTcp && udpFailed.length > 0) {
      const evidence: Evidence[] = [
        { path: "/session/pairs", fact: `selected: ${describeCandidate(selected.local)}${selected.local.relayProtocol ? ` over ${selected.local.relayProtocol}` : ""} -> ${describeCandidate(selected.remote)}` },
        ...udpFailed.slice(0, 3).map((p) => ({ path: "/session/pairs", fact: `failed: ${describeCandidate(p.local)} -> ${describeCandidate(p.remote)} (${p.requestsSent ?? 0} requests, ${p.responsesReceived ?? 0} responses)` })),
      ];
      hits.push({
        message: "session-settled-on-tcp",
        explanation:
          `The session connected over TCP (${selected.local.type === "relay" ? `a TURN relay over ${(selected.local.relayProtocol ?? "tcp").toUpperCase()}` : "ICE-TCP"}) after ${udpFailed.length} direct UDP pair${udpFailed.length === 1 ? "" : "s"} failed. ` +
          "It works, but every packet now suffers TCP's retransmission delays under loss, and the UDP block that caused it goes unnoticed.",
        fix: "Find where UDP is dropped (this network's outbound rules, the far side's inbound rules or security group for its media ports) and open it; keep the TCP/TLS relay as the fallback it is meant to be.",
        evidence,
        subjects: ["/session/pairs"],
      });
    }
    return hits;
  },
});
