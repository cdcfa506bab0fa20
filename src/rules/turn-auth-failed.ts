import type { RestCredentialFact, ServerFact } from "../facts/index.js";
import type { Rule, RuleHit } from "./types.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";

/** coturn checks a REST username's expiry before anything else and answers an expired one with a plain 401. */
function expiredRestCredential(s: ServerFact, rest: RestCredentialFact): RuleHit {
  const ago = -rest.remainingSec;
  return {
    explanation:
      `${s.url} answered 401 Unauthorized, and the TURN REST username's expiry is in the past: it expired at ${rest.expiresAt}, ` +
      `${ago} s before the probe. A server with use-auth-secret rejects an expired username whatever the password, so no relay can be allocated with it.`,
    fix: rest.minted
      ? "Mint credentials with a lifetime in the future (--turn-ttl SECONDS, positive; 86400 is usual), and check that this host's clock is right (timedatectl; NTP)."
      : "Fetch fresh credentials from the service that mints them (they are time-limited by design), mint them per session with a lifetime longer than the session, and check the clocks of the minting host and the TURN server.",
    evidence: [
      errorEvidence(s),
      { path: serverPath(s, "restCredential"), fact: `TURN REST username expired at ${rest.expiresAt} (${ago} s before the probe)` },
    ],
  };
}

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
          : s.restCredential && s.restCredential.remainingSec <= 0
            ? expiredRestCredential(s, s.restCredential)
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
