import type { IceServerTarget } from "../config/types.js";
import type { ServerFact } from "../facts/servers.js";

/** What is known of a server before any probe answered: its URL's parts, nothing measured. */
export function pendingServerFact(target: IceServerTarget, index: number): ServerFact {
  const { url } = target;
  return {
    id: target.id,
    index,
    url: url.raw,
    scheme: url.scheme,
    kind: url.isTurn ? "turn" : "stun",
    transport: url.transport,
    host: url.host,
    port: url.port,
    source: target.source,
    hasCredentials: target.username !== undefined && target.credential !== undefined,
    ok: false,
    durationMs: 0,
    exchanges: [],
  };
}

