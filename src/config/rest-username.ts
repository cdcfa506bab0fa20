/**
 * Pure analysis of a TURN REST ("ephemeral", coturn use-auth-secret) username: which part holds the
 * expiry, in which unit, and what coturn itself reads from it. Nothing here keeps the user part: the
 * result holds only the shape and the timestamp's interpretation.
 *
 * What coturn does (coturn/coturn, src/apps/relay/userdb.c, get_rest_api_timestamp() and its caller
 * get_user_key(); unchanged from the 2014 import to 4.17): it looks for the first rest-api-separator
 * (default ':'). If there is none, it reads the timestamp with atol() from the start of the username.
 * If the username starts with the separator, it reads from just after it. If everything before the
 * separator is digits, it reads those digits; otherwise it reads from just after the separator, so
 * "<user>:<expiry>" is accepted too, unless the user part is all digits (a numeric user id), which is
 * then read as the expiry. The value is cast to turn_time_t (uint32_t, src/ns_turn_defs.h) and the
 * username is refused unless it is not before time(NULL) (turn_time_before(), a signed 32-bit
 * comparison); only then is the HMAC checked. So a millisecond timestamp is cut to its low 32 bits and
 * passes or fails depending on the moment it was minted, and an expiry after 2038-01-19 reads as
 * negative. Observed against coturn 4.6.1: the comparison behaves as a plain signed comparison
 * (the wrap-around the macro intends would accept values more than 68 years away; it does not).
 */

export type RestUsernameOrder = "expiry-first" | "user-first";
export type RestTimestampUnit = "seconds" | "milliseconds";

export interface RestUsernameAnalysis {
  /** "expiry-first" is the convention ("<expiry>:<user>"); "user-first" is the two parts swapped. */
  order: RestUsernameOrder;
  /** Seconds since the epoch (9 to 11 digits) or, wrongly, milliseconds (13 digits). */
  unit: RestTimestampUnit;
  /** The character between the parts, as found in the username (":" unless the minting side chose another). */
  separator: string;
  /** The expiry as the minting side meant it (a millisecond timestamp read as milliseconds). */
  expiresAt: Date;
  /**
   * The expiry coturn reads from this exact username, in seconds (signed 32-bit). Kept out of facts:
   * when coturn reads the user part, this is the user id.
   */
  coturnTimestampSec: number;
}

export interface RestUsernameOptions {
  /** coturn's rest-api-separator (one character, default ':'). */
  separator?: string;
}

/** The latest expiry coturn can accept: 2038-01-19T03:14:07Z (signed 32-bit seconds). */
export const COTURN_MAX_EXPIRY_SEC = 2 ** 31 - 1;
/** Closer than this, an expiry is a failure about to happen (and within the usual clock skew). */
export const REST_EXPIRING_SOON_SEC = 60;
/** Further than this, the TTL is far beyond a session's length, or the minting host's clock is ahead. */
export const REST_LONG_LIVED_SEC = 7 * 86_400;

const SECONDS = /^\d{9,11}$/;
const MILLISECONDS = /^\d{13}$/;
const DIGITS = /^\d+$/;
/** Another separator the minting side may have used when the expected one is absent. */
const OTHER_SEPARATOR_FIRST = /^(\d{9,13})([^0-9A-Za-z])/;
const OTHER_SEPARATOR_LAST = /([^0-9A-Za-z])(\d{9,13})$/;

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

function checkSeparator(separator: string): string {
  if (separator.length !== 1) throw new RangeError(`the REST separator must be one character, not ${JSON.stringify(separator)}`);
  return separator;
}

/** C's atol() on a 64-bit Linux (glibc strtol, base 10): leading space, a sign, digits; clamped on overflow. */
function atol(text: string): bigint {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text);
  const digits = match?.[2] ?? "";
  if (digits === "") return 0n;
  let value = BigInt(digits);
  if (match?.[1] === "-") value = -value;
  return value > LONG_MAX ? LONG_MAX : value < LONG_MIN ? LONG_MIN : value;
}

/**
 * The timestamp coturn's use-auth-secret reads from a username: get_rest_api_timestamp() in
 * src/apps/relay/userdb.c, then the cast to turn_time_t (uint32) and the signed 32-bit comparison.
 */
export function coturnRestTimestamp(username: string, separator = ":"): number {
  const col = username.indexOf(checkSeparator(separator));
  let text = username;
  if (col === 0) text = username.slice(1);
  else if (col > 0) {
    const head = username.slice(0, col);
    text = DIGITS.test(head) ? head : username.slice(col + 1);
  }
  return Number(BigInt.asIntN(32, atol(text)));
}

/** coturn refuses the username (401, before the HMAC is looked at) when its timestamp is before now. */
export function coturnAcceptsTimestamp(timestampSec: number, now: Date): boolean {
  const ctime = Number(BigInt.asIntN(32, BigInt(Math.floor(now.getTime() / 1000))));
  return timestampSec >= ctime;
}

function timestampUnit(part: string): RestTimestampUnit | undefined {
  if (SECONDS.test(part)) return "seconds";
  if (MILLISECONDS.test(part)) return "milliseconds";
  return undefined;
}

function split(username: string, separator: string): { head: string; tail?: string; separator: string } {
  const col = username.indexOf(separator);
  if (col >= 0) return { head: username.slice(0, col), tail: username.slice(col + 1), separator };
  const first = OTHER_SEPARATOR_FIRST.exec(username);
  if (first?.[1] && first[2]) return { head: first[1], tail: username.slice(first[0].length), separator: first[2] };
  const last = OTHER_SEPARATOR_LAST.exec(username);
  if (last?.[1] && last[2]) return { head: username.slice(0, last.index), tail: last[2], separator: last[1] };
  return { head: username, separator };
}

/**
 * The shape of a TURN REST username, or undefined when no part of it is a timestamp (a static user
 * name). The expiry is the first part when that is a timestamp, else the last part.
 */
export function analyseRestUsername(username: string, options: RestUsernameOptions = {}): RestUsernameAnalysis | undefined {
  const coturnSeparator = checkSeparator(options.separator ?? ":");
  const parts = split(username, coturnSeparator);
  let order: RestUsernameOrder;
  let stamp: string;
  const headUnit = timestampUnit(parts.head);
  const tailUnit = parts.tail === undefined ? undefined : timestampUnit(parts.tail);
  if (headUnit) {
    order = "expiry-first";
    stamp = parts.head;
  } else if (tailUnit && parts.tail !== undefined) {
    order = "user-first";
    stamp = parts.tail;
  } else {
    return undefined;
  }
  const unit = headUnit ?? tailUnit ?? "seconds";
  const value = Number(stamp);
  return {
    order,
    unit,
    separator: parts.separator,
    expiresAt: new Date(unit === "milliseconds" ? value : value * 1000),
    coturnTimestampSec: coturnRestTimestamp(username, coturnSeparator),
  };
}

export type RestExpiryWindow = "expired" | "expiring" | "valid" | "long-lived";

/** How far away an expiry is, in the terms the findings use. */
export function restExpiryWindow(remainingSec: number): RestExpiryWindow {
  if (remainingSec <= 0) return "expired";
  if (remainingSec <= REST_EXPIRING_SOON_SEC) return "expiring";
  if (remainingSec > REST_LONG_LIVED_SEC) return "long-lived";
  return "valid";
}
