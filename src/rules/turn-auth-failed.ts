import type { RestCredentialFact, ServerFact } from "../facts/index.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { errorEvidence, serverPath, turnServers } from "./helpers.js";
import { COTURN_LAST_EXPIRY, REST_RECIPE, coturnAcceptsExpiry, isCoturn, relative, restEvidence, restShape } from "./rest-helpers.js";

/** An expiry that passed this recently may have been fresh when it was fetched: clocks or a short TTL. */
const RECENT_SEC = 300;

type Message =
  | "unauthorized"
  | "unauthorized-rest-password"
  | "rest-expired"
  | "rest-milliseconds"
  | "rest-user-first-refused"
  | "rest-user-first-elsewhere"
  | "rest-after-2038"
  | "stale-nonce"
  | "no-credentials";
type Hit = RuleHit<Message>;

function restHit(s: ServerFact, rest: RestCredentialFact, message: Message, explanation: string, fix: string): Hit {
  return { message, explanation, fix, evidence: [errorEvidence(s), restEvidence(s, rest)], subjects: [serverPath(s)] };
}

/** coturn checks a REST username's expiry before anything else and answers an expired one with a plain 401. */
function expiredRestCredential(s: ServerFact, rest: RestCredentialFact): Hit {
  const ago = -rest.remainingSec;
  const recent =
    ago <= RECENT_SEC
      ? ` It expired only ${ago} s before the probe: if it was fresh when it was fetched, the clocks of the minting host, this host and the TURN server disagree, or the lifetime is shorter than the time between minting and use.`
      : "";
  return {
    message: "rest-expired",
    subjects: [serverPath(s)],
    explanation:
      `${s.url} answered 401 Unauthorized, and the TURN REST username's expiry is in the past: it expired at ${rest.expiresAt}, ` +
      `${ago} s before the probe. A server with use-auth-secret rejects an expired username whatever the password, so no relay can be allocated with it.` +
      recent,
    fix: rest.minted
      ? "Mint credentials with a lifetime in the future ({option:turnTtlSec}, positive; 86400 is usual), and check that this host's clock is right (timedatectl; NTP)."
      : "Fetch fresh credentials from the service that mints them (they are time-limited by design), mint them per session with a lifetime longer than the session, and check the clocks of the minting host and the TURN server.",
    evidence: [
      errorEvidence(s),
      { path: serverPath(s, "restCredential"), fact: `TURN REST username expired at ${rest.expiresAt} (${ago} s before the probe)` },
    ],
  };
}

function millisecondsHit(s: ServerFact, rest: RestCredentialFact): Hit {
  const outcome = coturnAcceptsExpiry(rest)
    ? "This one happens to pass coturn's expiry check, so here it is the password that was refused; usernames from the same code minted at other moments fail on the expiry alone."
    : "This one reads as a time in the past, so the server refuses the username whatever the password.";
  return restHit(
    s,
    rest,
    "rest-milliseconds",
    `${s.url} answered 401 Unauthorized, and the TURN REST username's expiry is in milliseconds (13 digits, meaning ${rest.expiresAt}). ` +
      "TURN servers read seconds: coturn keeps only the low 32 bits of the number, an expiry that has nothing to do with the one meant, " +
      `so usernames minted minutes apart pass or fail its expiry check depending on the moment. ${outcome}`,
    `Put the expiry in seconds, not milliseconds (Date.now() is milliseconds: divide by 1000). ${REST_RECIPE}`,
  );
}

function userFirstRefusedHit(s: ServerFact, rest: RestCredentialFact): Hit {
  const sep = rest.separator ?? ":";
  const why =
    sep === ":"
      ? "coturn reads the part before the first ':' as the expiry when it is all digits, as a numeric user id is: it took the user id for the expiry, a time in the past, and refused the username whatever the password. " +
        "(With a user part that is not all digits coturn would have tolerated the swap; servers that follow the TURN REST draft do not.)"
      : `The parts are separated by '${sep}', and coturn's rest-api-separator is ':' unless configured otherwise: finding no ':', it reads a number from the start of the username, the user part, which is no valid expiry, and refused the username whatever the password.`;
  return restHit(
    s,
    rest,
    "rest-user-first-refused",
    `${s.url} answered 401 Unauthorized, and the TURN REST username has its parts swapped: ${restShape(rest)} instead of '<expiry>:<user>'. ${why}`,
    `Put the expiry first: '<expiry>:<user>', and compute the password over that exact string. ${REST_RECIPE}`,
  );
}

function userFirstElsewhereHit(s: ServerFact, rest: RestCredentialFact): Hit {
  const named = s.software ? `names itself '${s.software}', not coturn` : "does not name its software";
  return restHit(
    s,
    rest,
    "rest-user-first-elsewhere",
    `${s.url} answered 401 Unauthorized, and the TURN REST username has its parts swapped: ${restShape(rest)} instead of '<expiry>:<user>'. ` +
      `The server ${named}. Servers that follow the TURN REST draft (Pion's TURN REST handler, for one) read the expiry from the part before the first ':', ` +
      "find no number there and refuse the username whatever the password; only coturn tolerates the swap.",
    `Put the expiry first: '<expiry>:<user>', and compute the password over that exact string. ${REST_RECIPE}`,
  );
}

function after2038Hit(s: ServerFact, rest: RestCredentialFact): Hit {
  return restHit(
    s,
    rest,
    "rest-after-2038",
    `${s.url} answered 401 Unauthorized, and the TURN REST username's expiry, ${rest.expiresAt}, is after ${COTURN_LAST_EXPIRY}: ` +
      "coturn holds the expiry in 32 bits, reads this one as a time in the past and refuses the username whatever the password.",
    `Mint credentials that live about as long as a session (86400 s is usual), not decades. ${REST_RECIPE}`,
  );
}

/** A 401 whose REST username explains it, or undefined when the username's timestamp is not the cause. */
function restCause(s: ServerFact, rest: RestCredentialFact): Hit | undefined {
  if (rest.unit === "milliseconds") return millisecondsHit(s, rest);
  if (!coturnAcceptsExpiry(rest)) {
    if (rest.remainingSec <= 0) return expiredRestCredential(s, rest);
    if (rest.order === "user-first") return userFirstRefusedHit(s, rest);
    if (Date.parse(rest.expiresAt) > Date.parse(COTURN_LAST_EXPIRY)) return after2038Hit(s, rest);
    return undefined;
  }
  if (rest.order === "user-first" && isCoturn(s) !== true) return userFirstElsewhereHit(s, rest);
  return undefined;
}

function unauthorizedHit(s: ServerFact): Hit {
  const rest = s.restCredential;
  const restCaused = rest && restCause(s, rest);
  if (restCaused) return restCaused;
  const evidence: Evidence[] = [errorEvidence(s), ...(s.realm ? [{ path: `/servers/${s.index}/realm`, fact: `realm announced by the server: ${s.realm}` }] : [])];
  let restNote = "";
  let fix =
    "Check the username and credential against the TURN server's user database (coturn: user= / lt-cred-mech, and the realm). " +
    "For time-limited TURN REST credentials (coturn use-auth-secret) the username is '<expiry>:<user>' and the credential base64(HMAC-SHA1(secret, username)); check the shared secret and both clocks.";
  if (rest) {
    evidence.push(restEvidence(s, rest));
    const swapped = rest.order === "user-first" ? " (its parts are swapped, which coturn tolerates, so that is not what it refused)" : "";
    restNote =
      ` The TURN REST username's expiry is not the cause: ${rest.expiresAt}, ${relative(rest.remainingSec)}${swapped}. ` +
      "What the server refuses is the password: a different shared secret, or a password computed another way.";
    fix =
      "Compute the password as base64(HMAC-SHA1(static-auth-secret, the whole username as sent)): base64 of the raw digest, not hex; SHA-1, not SHA-256; " +
      "with the secret the TURN server has now (coturn: static-auth-secret, or the secrets in its database for the realm)." +
      (rest.remainingSec <= 300 ? " The expiry is only minutes away: if the TURN server's clock is ahead of this host's, it already sees the username as expired; check both clocks (timedatectl; NTP)." : "") +
      (rest.order === "user-first" ? " Put the expiry first as well ('<expiry>:<user>'): only coturn tolerates the swap." : "");
  }
  return {
    message: rest ? "unauthorized-rest-password" : "unauthorized",
    subjects: [serverPath(s)],
    explanation:
      `${s.url} answered 401 Unauthorized to an Allocate signed with the configured username and credential: ` +
      "the server does not accept them. Browsers report this as a missing relay candidate (or an icecandidateerror 401), and calls that need the relay stay in ICE checking." +
      restNote,
    fix,
    evidence,
  };
}

function staleNonceHit(s: ServerFact): Hit {
  return {
    message: "stale-nonce",
    subjects: [serverPath(s)],
    explanation: `${s.url} kept answering 438 Stale Nonce, even to a request signed with the nonce it had just sent. Its nonce handling is broken or several servers share an address without sharing state.`,
    fix: "Check the TURN server's logs and clock; behind a load balancer, pin a client to one server (source-IP affinity).",
    evidence: [errorEvidence(s)],
  };
}

function noCredentialsHit(s: ServerFact): Hit {
  return {
    message: "no-credentials",
    subjects: [serverPath(s)],
    explanation:
      `${s.url} has no username and credential, so no Allocate was sent: a TURN server answers an unsigned Allocate with 401, and a browser given this entry gathers no relay candidate through it.`,
    fix:
      s.source === "signalling"
        ? "The signalling server hands out this TURN URL without credentials: make it include the username and credential its clients need (often time-limited TURN REST credentials)."
        : "Give the TURN URL its username and credential ({option:username} and {option:credential}, or the iceServers entry's username and credential).",
    evidence: [errorEvidence(s)],
  };
}

/**
 * The URLs of one TURN server (UDP, TCP, TLS) share its user database: the same refusal over each
 * transport is one cause, told once with every URL as evidence.
 */
function oncePerHost(servers: readonly ServerFact[], hitFor: (s: ServerFact) => Hit): Hit[] {
  const groups = new Map<string, ServerFact[]>();
  for (const s of servers) {
    // By address: turns:localhost and turn:127.0.0.1 are the same server with the same user database.
    const key = `${(s.remoteAddress?.address ?? s.host).toLowerCase()}|${s.error?.code ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const hit = hitFor(first);
    if (group.length === 1) return hit;
    const seen = new Set<string>();
    const evidence = group.flatMap((s) => hitFor(s).evidence).filter((e) => {
      const key = `${e.path ?? ""}|${e.fact}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const urls = group.map((s) => s.url).join(", ");
    return { ...hit, explanation: hit.explanation.replace(first.url, `Every URL of this TURN server (${urls})`), evidence, subjects: group.map((s) => serverPath(s)) };
  });
}

const TITLE = "The TURN server rejects the credentials";

export const turnAuthFailed = defineRule<Message>({
  id: "turn-auth-failed",
  docs: "docs/rules/turn-auth-failed.md",
  requires: ["servers"],
  messages: {
    unauthorized: { severity: "error", title: TITLE },
    "unauthorized-rest-password": { severity: "error", title: TITLE },
    "rest-expired": { severity: "error", title: "The TURN REST credentials have expired: the server rejects them" },
    "rest-milliseconds": { severity: "error", title: TITLE },
    "rest-user-first-refused": { severity: "error", title: TITLE },
    "rest-user-first-elsewhere": { severity: "error", title: TITLE },
    "rest-after-2038": { severity: "error", title: TITLE },
    "stale-nonce": { severity: "error", title: TITLE },
    "no-credentials": { severity: "error", title: "A TURN URL has no credentials" },
  },
  // The refusal names the username's flaws as its cause, so the warning about them would repeat it.
  supersedes: ["turn-rest-credential"],
  check(facts) {
    const turn = turnServers(facts.servers);
    return [
      ...oncePerHost(turn.filter((s) => s.error?.code === "wrong-credentials"), unauthorizedHit),
      ...oncePerHost(turn.filter((s) => s.error?.code === "stale-nonce"), staleNonceHit),
      ...turn.filter((s) => s.error?.code === "no-credentials").map(noCredentialsHit),
    ];
  },
});
