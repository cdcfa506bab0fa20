import { createHmac } from "node:crypto";
import { shownValue } from "./json-input.js";
import { ConfigError } from "./errors.js";

export { parseTtl } from "./turn-ttl.js";

/** coturn's default lifetime for REST credentials in its docs' examples, and what most deployments mint. */
export const DEFAULT_TURN_TTL_SEC = 86_400;
export const DEFAULT_TURN_USER = "rtc-doctor";

export interface MintOptions {
  secret: string;
  /** Seconds from `now` until the username expires; negative mints an already expired one (for testing). */
  ttlSec?: number;
  /** The part after the colon; coturn only logs it. */
  user?: string;
  now?: Date;
}

export interface RestCredential {
  username: string;
  credential: string;
  expiresAt: Date;
}

/**
 * Time-limited TURN credentials as coturn's use-auth-secret (and the "TURN REST API" draft) expect:
 * username "<unix expiry>:<user>", password base64(HMAC-SHA1(shared secret, username)).
 */
export function mintTurnRestCredential(options: MintOptions): RestCredential {
  const ttl = options.ttlSec ?? DEFAULT_TURN_TTL_SEC;
  const now = options.now ?? new Date();
  const expiry = Math.floor(now.getTime() / 1000) + ttl;
  const user = options.user ?? DEFAULT_TURN_USER;
  if (user.includes(":")) throw new ConfigError(`{option:turnUser} '${shownValue(user)}': must not contain ':' (it separates the expiry from the user)`);
  const username = user === "" ? String(expiry) : `${expiry}:${user}`;
  const credential = createHmac("sha1", options.secret).update(username).digest("base64");
  return { username, credential, expiresAt: new Date(expiry * 1000) };
}

/** The expiry in a REST-style username ("<unix seconds>" or "<unix seconds>:<user>"), if it is one. */
export function restUsernameExpiry(username: string): Date | undefined {
  const match = /^(\d{9,11})(?::.*)?$/.exec(username);
  return match?.[1] ? new Date(Number(match[1]) * 1000) : undefined;
}
