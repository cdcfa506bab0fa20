import type { RestCredentialFact, ServerFact } from "../facts/index.js";
import type { RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";
import { COTURN_LAST_EXPIRY, REST_RECIPE, coturnAcceptsExpiry, days, restEvidence, restShape } from "./rest-helpers.js";
import { REST_EXPIRING_SOON_SEC, REST_LONG_LIVED_SEC } from "../config/rest-username.js";

type Message = "milliseconds" | "user-first-refused" | "user-first" | "expired" | "will-be-refused" | "expiring-soon" | "long-lived";

/**
 * What the TURN REST username says before the server has refused it: an expiry about to pass, a
 * swapped or millisecond timestamp that works here by tolerance or by chance, an expiry days away.
 */
function hitFor(s: ServerFact, rest: RestCredentialFact): RuleHit<Message> | undefined {
  const subjects = [serverPath(s)];
  const evidence = [...(s.ok ? [] : [errorEvidence(s)]), restEvidence(s, rest)];
  const recipe = `Put the expiry first, in seconds. ${REST_RECIPE}`;

  if (rest.unit === "milliseconds") {
    const now = s.ok
      ? "The server accepted it this time"
      : coturnAcceptsExpiry(rest)
        ? "coturn's expiry check happens to pass for this one"
        : "coturn would refuse this one with 401 once it reaches the server";
    return {
      message: "milliseconds",
      subjects,
      explanation:
        `The TURN REST username for ${s.url} carries its expiry in milliseconds (13 digits, meaning ${rest.expiresAt}); TURN servers read seconds. ` +
        "coturn keeps only the low 32 bits of the number, so whether a username passes its expiry check depends on the moment it was minted, and calls fail with 401 at random; " +
        `servers that read the full number see an expiry thousands of years away that never ends. ${now}.`,
      fix: `Divide by 1000 (Date.now() is milliseconds). ${recipe}`,
      evidence,
    };
  }

  if (rest.order === "user-first") {
    const refused = !coturnAcceptsExpiry(rest);
    const lead = `The TURN REST username for ${s.url} has its parts swapped: ${restShape(rest)} instead of '<expiry>:<user>'. `;
    const draft = "servers that follow the TURN REST draft (Pion's TURN REST handler, for one) read the expiry from the first part and answer 401";
    if (refused && !s.ok) {
      return {
        message: "user-first-refused",
        subjects,
        explanation:
          lead +
          "coturn reads the user part as the expiry here (it is all digits, or the separator is not ':'): a time in the past, so it answers 401 whatever the password, " +
          `and ${draft}.`,
        fix: recipe,
        evidence,
      };
    }
    return {
      message: "user-first",
      subjects,
      explanation:
        lead +
        (refused
          ? `This server accepted it, so it does not check the expiry the way coturn does: coturn would take the user part for the expiry and answer 401, and ${draft}.`
          : `coturn tolerates the swap while the user part is not all digits${s.ok ? ", which is why this server accepted it" : ""}; ${draft}, and a numeric user id makes coturn do the same.`),
      fix: recipe,
      evidence,
    };
  }

  // A server that allocated with an expired (or post-2038) username does not check REST expiries at all:
  // the username only looks like one (a static user), so there is nothing to say.
  if (!coturnAcceptsExpiry(rest)) {
    if (s.ok) return undefined;
    const expired = rest.remainingSec <= 0;
    const why = expired
      ? `it expired at ${rest.expiresAt}, ${-rest.remainingSec} s before the probe`
      : `its expiry, ${rest.expiresAt}, is after ${COTURN_LAST_EXPIRY}, which coturn's 32-bit expiry reads as a time in the past`;
    return {
      message: expired ? "expired" : "will-be-refused",
      subjects,
      explanation:
        `The TURN REST username for ${s.url} will be refused once the server is reached: ${why}. ` +
        "A server with use-auth-secret answers 401 to it whatever the password, so fixing the connection alone will not give a relay.",
      fix: rest.minted
        ? "Mint with a positive lifetime ({option:turnTtlSec}; 86400 is usual), and check this host's clock (timedatectl; NTP)."
        : "Fetch fresh credentials per session from the service that mints them, with a lifetime longer than the session, and check the clocks of the minting host and the TURN server.",
      evidence,
    };
  }

  if (rest.remainingSec <= REST_EXPIRING_SOON_SEC) {
    return {
      message: "expiring-soon",
      data: { seconds: String(rest.remainingSec) },
      subjects,
      explanation:
        `The TURN REST username for ${s.url} expires ${rest.remainingSec} s after the probe (${rest.expiresAt}). ` +
        "Allocations made after it fail with 401: a call that starts later, or an ICE restart or reconnection mid-call, gets no relay " +
        "(coturn keeps refreshing an allocation made before the expiry). A TURN server whose clock is " +
        `more than ${rest.remainingSec} s ahead of this host's already refuses it.`,
      fix: rest.minted
        ? "Mint with a longer lifetime ({option:turnTtlSec}; 86400 is usual), and check this host's and the TURN server's clocks."
        : "Mint credentials per session with a lifetime longer than the session (86400 s is usual), fetch them right before the call, and check the clocks of the minting host and the TURN server.",
      evidence,
    };
  }

  if (rest.remainingSec > REST_LONG_LIVED_SEC) {
    return {
      message: "long-lived",
      subjects,
      explanation:
        `The TURN REST username for ${s.url} expires ${days(rest.remainingSec)} after the probe (${rest.expiresAt}). ` +
        "Time-limited credentials are meant to live about as long as a session; an expiry this far away means a long lifetime, or a minting host whose clock is ahead. " +
        "It works, but anyone who copies it from a page can use the relay until then.",
      fix: "Mint credentials per session with a lifetime of hours (86400 s is usual), and check the minting host's clock.",
      evidence,
    };
  }
  return undefined;
}

const TITLE = "The TURN REST credentials are malformed or about to expire";

export const turnRestCredential = defineRule<Message>({
  id: "turn-rest-credential",
  docs: "docs/rules/turn-rest-credential.md",
  requires: ["servers"],
  messages: {
    milliseconds: { severity: "warning", title: TITLE },
    "user-first-refused": { severity: "error", title: TITLE },
    "user-first": { severity: "warning", title: TITLE },
    expired: { severity: "warning", title: "The TURN REST credentials have expired" },
    "will-be-refused": { severity: "warning", title: "The TURN REST username's expiry is after 2038, which coturn reads as expired" },
    "expiring-soon": { severity: "warning", title: "The TURN REST credentials are about to expire ({{seconds}} s left)" },
    "long-lived": { severity: "info", title: "The TURN REST credentials live for days" },
  },
  supersedes: [],
  check(facts) {
    return turnServers(facts.servers)
      .filter((s) => s.restCredential)
      .flatMap((s) => {
        const hit = s.restCredential && hitFor(s, s.restCredential);
        return hit ? [hit] : [];
      });
  },
});
