import type { IceServerTarget } from "../config/types.js";
import { analyseRestUsername, coturnAcceptsTimestamp, type RestUsernameOptions } from "../config/rest-username.js";
import type { RestCredentialFact } from "../facts/servers.js";

/**
 * The expiry and shape read from a TURN REST username, relative to the probe's clock: coturn rejects
 * an expired (or swapped, or millisecond) username with a plain 401, indistinguishable on the wire
 * from a wrong secret. Only the interpretation is kept, never the username or its user part.
 */
export function restCredentialFact(
  target: IceServerTarget,
  now: Date = new Date(),
  options: RestUsernameOptions = {},
): RestCredentialFact | undefined {
  if (!target.url.isTurn || target.username === undefined) return undefined;
  const analysis = analyseRestUsername(target.username, options);
  if (!analysis) return undefined;
  return {
    expiresAt: analysis.expiresAt.toISOString(),
    remainingSec: Math.round((analysis.expiresAt.getTime() - now.getTime()) / 1000),
    minted: target.restMinted === true,
    order: analysis.order,
    unit: analysis.unit,
    separator: analysis.separator,
    coturnAcceptsExpiry: coturnAcceptsTimestamp(analysis.coturnTimestampSec, now),
  };
}
