import { parseIceUrl } from "./ice-url.js";
import { targetKey, withIds } from "./target-id.js";
import type { IceServerTarget, RTCIceServerLike } from "./types.js";

/**
 * The ICE servers a signalling server handed out (WHIP Link headers, Pipecat /start iceConfig) as
 * probe targets with source "signalling". Unlike the user's own configuration nothing here is a
 * usage error: a URL that does not parse, or a TURN URL without credentials, is skipped (it is still
 * listed in the attempt's iceServersFromServer). URLs already probed with the same username are
 * skipped too, so each server is probed once; ids never collide with those of `already`.
 */
export function signallingTargets(servers: readonly RTCIceServerLike[], already: readonly IceServerTarget[]): IceServerTarget[] {
  const seen = new Set(already.map((t) => targetKey(t.url, t.username)));
  const targets: Omit<IceServerTarget, "id">[] = [];
  for (const server of servers) {
    for (const raw of server.urls) {
      let target: Omit<IceServerTarget, "id">;
      try {
        const url = parseIceUrl(raw);
        if (url.isTurn && (!server.username || !server.credential)) continue;
        target = url.isTurn ? { url, username: server.username, credential: server.credential, source: "signalling" } : { url, source: "signalling" };
      } catch {
        continue;
      }
      const key = targetKey(target.url, target.username);
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push(target);
    }
  }
  return withIds(targets, already);
}
