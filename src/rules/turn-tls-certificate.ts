import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { serverPath, turnServers } from "./helpers.js";

export const EXPIRY_WARNING_DAYS = 14;

const INVALID = "The TURN server's TLS certificate is not valid for browsers";
/** Certificates only, and only when one was seen: a handshake that never completed is tls-handshake's. */
type Message = "invalid" | "expires-soon";

export const turnTlsCertificate = defineRule<Message>({
  id: "turn-tls-certificate",
  docs: "docs/rules/turn-tls-certificate.md",
  requires: ["servers"],
  messages: {
    invalid: { severity: "error", title: INVALID },
    "expires-soon": { severity: "warning", title: "The TURN server's TLS certificate expires soon" },
  },
  supersedes: [],
  check(facts) {
    const hits: RuleHit<Message>[] = [];
    for (const s of turnServers(facts.servers)) {
      const tls = s.tls;
      if (!tls || (tls.subject === undefined && tls.issuer === undefined && tls.validTo === undefined)) continue;
      const problems: string[] = [];
      if (!tls.chainVerified) problems.push(`the chain does not verify (${tls.verifyError ?? "untrusted"}${tls.selfSigned ? ", self-signed" : ""})`);
      if (!tls.hostnameMatches) problems.push(`it is not issued for '${tls.servername}' (names: ${tls.subjectAltNames?.join(", ") || tls.subject || "none"})`);
      if (tls.daysRemaining !== undefined && tls.daysRemaining < 0) problems.push(`it expired on ${tls.validTo}`);
      const path = serverPath(s, "tls");
      if (problems.length > 0) {
        hits.push({
          message: "invalid",
          subjects: [serverPath(s)],
          explanation: `The certificate of ${s.url}: ${problems.join("; ")}. Browsers refuse it, so the turns: relay (often the only path out of a strict network) is silently missing.`,
          fix: "Serve a certificate from a public CA for the exact host name in the turns: URL, with its full chain (coturn: cert= the fullchain file, pkey= the key), and renew it automatically.",
          evidence: [{ path, fact: `subject ${tls.subject ?? "?"}, issuer ${tls.issuer ?? "?"}, valid ${tls.validFrom ?? "?"} to ${tls.validTo ?? "?"}` }],
        });
      } else if (tls.daysRemaining !== undefined && tls.daysRemaining < EXPIRY_WARNING_DAYS) {
        hits.push({
          message: "expires-soon",
          subjects: [serverPath(s)],
          explanation: `The certificate of ${s.url} expires on ${tls.validTo}, in ${tls.daysRemaining} days. After that, browsers refuse the turns: relay.`,
          fix: "Renew the certificate now and check that the TURN server reloads it (coturn reads cert files at start: restart or reload it after renewal).",
          evidence: [{ path: `${path}/validTo`, fact: `valid until ${tls.validTo} (${tls.daysRemaining} days left)` }],
        });
      }
    }
    return hits;
  },
});
