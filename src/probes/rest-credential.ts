import type { IceServerTarget } from "../config/types.js";
import { restUsernameExpiry } from "../config/turn-rest.js";
import type { RestCredentialFact } from "../facts/servers.js";

/**
 * The expiry read from a TURN REST username, relative to the probe's clock: coturn rejects an expired
 * username with a plain 401, indistinguishable on the wire from a wrong secret.
 */
export function restCredentialFact(target: IceServerTarget, now: Date = new Date()): RestCredentialFact | undefined {
  if (!target.url.isTurn || target.username === undefined) return undefined;
  const expiresAt = restUsernameExpiry(target.username);
  if (!expiresAt) return undefined;
  return {
    expiresAt: expiresAt.toISOString(),
    remainingSec: Math.round((expiresAt.getTime() - now.getTime()) / 1000),
    minted: target.restMinted === true,
  };
}
