import { defineRule } from "./define-rule.js";
import { errorEvidence, isUnreachable, serverPath, turnServers } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

export const turnServerUnreachable = defineRule({
  id: "turn-server-unreachable",
  docs: "docs/rules/turn-server-unreachable.md",
  requires: ["servers"],
  messages: {
    "connection-refused": { severity: "error", title: "A TURN server does not answer" },
    "no-answer": { severity: "error", title: "A TURN server does not answer" },
  },
  supersedes: [],
  check(facts) {
    return turnServers(facts.servers)
      .filter(isUnreachable)
      .map((s) => ({
        message: s.error?.code === "connection-refused" ? ("connection-refused" as const) : ("no-answer" as const),
        explanation:
          `${s.url} (${s.transport.toUpperCase()} to port ${s.port}) gave no answer: ${detailOf(s.error) ?? "no response"}. ` +
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
