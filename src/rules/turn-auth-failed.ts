import type { Rule } from "./types.js";
import { errorEvidence, turnServers } from "./helpers.js";

export const turnAuthFailed: Rule = {
  id: "turn-auth-failed",
  severity: "error",
  title: "The TURN server rejects the credentials",
  docs: "docs/rules/turn-auth-failed.md",
  check(facts) {
    return turnServers(facts.servers)
      .filter((s) => s.error?.code === "wrong-credentials" || s.error?.code === "stale-nonce")
      .map((s) =>
        s.error?.code === "stale-nonce"
          ? {
              explanation: `${s.url} kept answering 438 Stale Nonce, even to a request signed with the nonce it had just sent. Its nonce handling is broken or several servers share an address without sharing state.`,
              fix: "Check the TURN server's logs and clock; behind a load balancer, pin a client to one server (source-IP affinity).",
              evidence: [errorEvidence(s)],
            }
          : {
              explanation:
                `${s.url} answered 401 Unauthorized to an Allocate signed with the configured username and credential: ` +
                "the server does not accept them. Browsers report this as a missing relay candidate (or an icecandidateerror 401), and calls that need the relay stay in ICE checking.",
              fix:
                "Check the username and credential against the TURN server's user database (coturn: user= / lt-cred-mech, and the realm). " +
                "For time-limited TURN REST credentials (coturn use-auth-secret) the username is '<expiry>:<user>' and the credential base64(HMAC-SHA1(secret, username)); check the shared secret and both clocks.",
              evidence: [errorEvidence(s), ...(s.realm ? [{ path: `/servers/${s.index}/realm`, fact: `realm announced by the server: ${s.realm}` }] : [])],
            },
      );
  },
};
