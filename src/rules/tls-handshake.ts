import type { ServerFact } from "../facts/servers.js";
import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

type Message = "stalled" | "not-tls" | "failed";

const CODES: Record<string, Message> = { "tls-handshake-stalled": "stalled", "not-tls": "not-tls", "tls-handshake-failed": "failed" };

/**
 * No TLS session came about with a turns:/stuns: URL: the port never finished the handshake, speaks
 * another protocol, or the handshake broke. Its certificate was never seen, so this is not a
 * certificate problem (turn-tls-certificate judges certificates only when one was seen).
 */
export const tlsHandshake = defineRule<Message>({
  id: "tls-handshake",
  docs: "docs/rules/tls-handshake.md",
  requires: ["servers"],
  messages: {
    stalled: { severity: "error", title: "A TLS port accepts the connection but never completes the TLS handshake" },
    "not-tls": { severity: "error", title: "A turns:/stuns: port does not speak TLS" },
    failed: { severity: "error", title: "The TLS handshake with a STUN/TURN server fails" },
  },
  supersedes: [],
  check(facts) {
    const hits: RuleHit<Message>[] = [];
    for (const s of facts.servers) {
      const message = s.error ? CODES[s.error.code] : undefined;
      if (!message || s.transport !== "tls") continue;
      hits.push({ message, ...WORDS[message](s), evidence: [errorEvidence(s)], subjects: [serverPath(s)] });
    }
    return hits;
  },
});

const browsers = "Browsers give up on such a URL without a word, so its relay (often the only way out of a strict network) is missing.";

const WORDS: Record<Message, (s: ServerFact) => { explanation: string; fix: string }> = {
  stalled: (s) => ({
    explanation: `${s.url}: ${detailOf(s.error)}. The TCP port is open (the connection was accepted), but nothing there completes a TLS handshake. ${browsers}`,
    fix:
      `Check that port ${s.port} of ${s.host} is the TLS port of the server (coturn: tls-listening-port, with cert and pkey set) and that the server is not hung; ` +
      "a plain TCP port given as turns: waits for a STUN message and never answers a TLS ClientHello.",
  }),
  "not-tls": (s) => ({
    explanation: `${s.url}: ${detailOf(s.error)}. Another service listens on that port, or the port is the server's plain (non-TLS) one. ${browsers}`,
    fix: `Point the turns:/stuns: URL at the TLS port (coturn: tls-listening-port, default 5349; often 443), or use turn:?transport=tcp for a plain TCP port. If a proxy owns port ${s.port}, make it pass TLS through to the TURN server.`,
  }),
  failed: (s) => ({
    explanation: `The TLS handshake with ${s.url} failed: ${detailOf(s.error)}. No certificate was seen, so this is the handshake itself, not the certificate. ${browsers}`,
    fix: "Check that the port speaks TLS 1.2 or later with a certificate configured (coturn: cert and pkey, no-tlsv1/no-tlsv1_1 are fine), and read the server's log for why it ended the handshake.",
  }),
};
