import { parseIceUrl } from "./ice-url.js";
import type { IceServerTarget, RTCIceServerLike } from "./types.js";

/**
 * The ICE servers a signalling server handed out (WHIP Link headers, Pipecat /start iceConfig) as
 * probe targets with source "signalling". Unlike the user's own configuration nothing here is a
 * usage error: a URL that does not parse, or a TURN URL without credentials, is skipped (it is still
 * listed in the attempt's iceServersFromServer). URLs already probed with the same username are
 * skipped too, so each server is probed once.
 */
export function signallingTargets(servers: readonly RTCIceServerLike[], already: readonly IceServerTarget[]): IceServerTarget[] {
  const key = (t: IceServerTarget) => `${t.url.scheme}|${t.url.host.toLowerCase()}|${t.url.port}|${t.url.transport}|${t.username ?? ""}`;
  const seen = new Set(already.map(key));
  const targets: IceServerTarget[] = [];
  for (const server of servers) {
    for (const raw of server.urls) {
      let target: IceServerTarget;
      try {
        const url = parseIceUrl(raw);
        if (url.isTurn && (!server.username || !server.credential)) continue;
        target = url.isTurn ? { url, username: server.username, credential: server.credential, source: "signalling" } : { url, source: "signalling" };
      } catch {
        continue;
      }
      if (seen.has(key(target))) continue;
      seen.add(key(target));
      targets.push(target);
    }
  }
  return targets;
}
