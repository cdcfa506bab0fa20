import type { RestCredentialFact, ServerFact } from "../facts/index.js";
import type { Evidence } from "./types.js";
import { serverPath } from "./helpers.js";

/** The latest expiry coturn can hold (signed 32-bit seconds); see src/config/rest-username.ts. */
export const COTURN_LAST_EXPIRY = "2038-01-19T03:14:07.000Z";

/** coturn's verdict on the username's timestamp; reports from before the field existed only had the expiry. */
export function coturnAcceptsExpiry(rest: RestCredentialFact): boolean {
  return rest.coturnAcceptsExpiry ?? rest.remainingSec > 0;
}

/** True when the server named itself coturn, false when it named something else, undefined when it said nothing. */
export function isCoturn(s: ServerFact): boolean | undefined {
  return s.software === undefined ? undefined : /coturn/i.test(s.software);
}

/** The username's pattern, never its content: "'<expiry>:<user>' (expiry first, seconds)". */
export function restShape(rest: RestCredentialFact): string {
  const sep = rest.separator ?? ":";
  const stamp = rest.unit === "milliseconds" ? "<expiry in ms>" : "<expiry>";
  const pattern = rest.order === "user-first" ? `<user>${sep}${stamp}` : `${stamp}${sep}<user>`;
  return `'${pattern}' (${rest.order === "user-first" ? "user first" : "expiry first"}, ${rest.unit ?? "seconds"})`;
}

export function relative(remainingSec: number): string {
  return remainingSec > 0 ? `${remainingSec} s after the probe` : `${-remainingSec} s before the probe`;
}

export function days(sec: number): string {
  const d = Math.round(sec / 86_400);
  return `${d} day${d === 1 ? "" : "s"}`;
}

/** The restCredential fact as evidence: its shape, its expiry, and whether coturn's expiry check passes. */
export function restEvidence(s: ServerFact, rest: RestCredentialFact, lead = "TURN REST username"): Evidence {
  const check = rest.coturnAcceptsExpiry === undefined ? "" : `; coturn's expiry check ${rest.coturnAcceptsExpiry ? "passes" : "fails"}`;
  return {
    path: serverPath(s, "restCredential"),
    fact: `${lead} shaped ${restShape(rest)}, expiry ${rest.expiresAt} (${relative(rest.remainingSec)})${check}`,
  };
}

/** The recipe every REST fix ends with. */
export const REST_RECIPE =
  "The username is '<expiry>:<user>' with the expiry in unix seconds (Math.floor(Date.now() / 1000) + ttl, 10 digits), " +
  "the password base64(HMAC-SHA1(shared secret, the whole username)): base64, not hex.";
